// The app's name and version, asked of the Rust shell (`app_info`) rather than written here.

import { invoke, isTauri } from '@tauri-apps/api/core';
import { type AppError, toAppError } from './app-error';

/** What the `app_info` command returns. */
export interface AppInfo {
  name: string;
  version: string;
}

export type AppInfoResult =
  | { kind: 'loaded'; info: AppInfo }
  | { kind: 'outside-app' }
  | { kind: 'failed'; error: AppError };

export async function loadAppInfo(): Promise<AppInfoResult> {
  if (!isTauri()) {
    // Opened in a plain browser (for example `npm run dev` without the shell): there is no app.
    return { kind: 'outside-app' };
  }
  try {
    return { kind: 'loaded', info: await invoke<AppInfo>('app_info') };
  } catch (error) {
    return { kind: 'failed', error: toAppError(error) };
  }
}

/** The footer text for each outcome. */
export function describeVersion(result: AppInfoResult): string {
  switch (result.kind) {
    case 'loaded':
      return `${result.info.name} ${result.info.version}`;
    case 'outside-app':
      return 'Cubby (browser preview: open it through the desktop app to see the version)';
    case 'failed':
      return `Cubby (version unavailable: ${result.error.message})`;
  }
}
