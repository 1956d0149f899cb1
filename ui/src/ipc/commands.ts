// One typed function per command of the contract. Each resolves with what the command returns or
// rejects with an `AppError`, never with anything else.

import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { type AppError, toAppError } from './app-error';
import { insideShell } from './shell';
import type {
  AppInfo,
  Entry,
  ProfileForm,
  ProfileSummary,
  SessionInfo,
  Settings,
  Startup,
} from './types';

const OUTSIDE_APP: AppError = {
  code: 'internal',
  message: 'This window is not connected to Cubby: open it through the desktop app.',
};

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  if (!insideShell()) {
    // A plain browser (say `npm run dev` without the shell): say so instead of a TypeError.
    throw OUTSIDE_APP;
  }
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

export const startup = (): Promise<Startup> => call('startup');
export const appInfo = (): Promise<AppInfo> => call('app_info');

/** Opens the hosted page in the system browser; resolves when the callback arrives (minutes). */
export const signIn = (): Promise<SessionInfo> => call('sign_in');
/** Ends a pending `signIn`, which then rejects with `auth.cancelled`. */
export const cancelSignIn = (): Promise<null> => call('cancel_sign_in');
export const signOut = (): Promise<null> => call('sign_out');

/** Makes the profile active; resolves with its session when one was saved. */
export const selectProfile = (name: string): Promise<SessionInfo | null> =>
  call('select_profile', { name });
export const listProfiles = (): Promise<ProfileSummary[]> => call('list_profiles');
export const getProfile = (name: string): Promise<ProfileForm> => call('get_profile', { name });
/** Adds (`previous` null) or edits and maybe renames a profile. */
export const saveProfile = (
  form: ProfileForm,
  previous: string | null,
): Promise<ProfileSummary[]> => call('save_profile', { form, previous });
/** The shell shows a file picker; null when the person cancels it. */
export const importProfile = (): Promise<ProfileSummary[] | null> => call('import_profile');
export const removeProfile = (name: string): Promise<ProfileSummary[]> =>
  call('remove_profile', { name });

export const getSettings = (): Promise<Settings> => call('get_settings');
export const setSettings = (settings: Settings): Promise<Settings> =>
  call('set_settings', { settings });

/** `''` is the root of the person's folder. */
export const listFolder = (path: string): Promise<Entry[]> => call('list_folder', { path });
