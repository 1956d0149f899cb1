// What the commands and events of the app's IPC contract carry. Field names are snake_case, exactly
// as serde writes them on the Rust side.

import type { AppError } from './app-error';

export interface AppInfo {
  name: string;
  version: string;
}

/** Who is signed in and where their folder is (core's `SessionInfo`). */
export interface SessionInfo {
  email: string | null;
  identity_id: string;
  folder: string;
  bucket: string;
  /** RFC 3339. */
  credentials_expiry: string | null;
}

export interface ProfileSummary {
  name: string;
  /** `sandbox` is the embedded "Local sandbox" (localcloud in-process). */
  kind: 'sandbox' | 'aws';
  region: string;
  bucket: string;
  active: boolean;
}

/** What the first screen needs. */
export interface Startup {
  app: AppInfo;
  /** Never empty: "Local sandbox" exists when no AWS profile is configured. */
  profiles: ProfileSummary[];
  /** Restored silently from the keyring, or null: show sign-in. */
  session: SessionInfo | null;
  /** Why a restore failed, shown on the sign-in screen. */
  notice: AppError | null;
}

/** What the profile editor edits (AWS profiles only). */
export interface ProfileForm {
  name: string;
  region: string;
  user_pool_id: string;
  client_id: string;
  /** URL of the hosted UI domain. */
  hosted_ui: string;
  identity_pool_id: string;
  bucket: string;
  /** Folder template, e.g. `{identity_id}/`. */
  folder: string;
  redirects: string[];
  sign_out_url: string | null;
}

export type Theme = 'light' | 'dark' | 'system';

export interface Settings {
  /** 1..=64 */
  concurrency: number;
  theme: Theme;
}

/** One listing entry; `path` is relative to the person's folder, '/'-separated. */
export type Entry =
  | { path: string; type: 'file'; size: number; modified: string | null }
  | { path: string; type: 'folder' }
  | {
      path: string;
      type: 'unusable';
      readable: string;
      problem: string;
      size?: number;
      modified?: string | null;
    };

export type SignInStage = 'browser_opened' | 'exchanging';

export interface SignInProgress {
  stage: SignInStage;
}
