// One typed function per command of the contract. Each resolves with what the command returns or
// rejects with an `AppError`, never with anything else.

import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { type AppError, toAppError } from './app-error';
import { insideShell } from './shell';
import type {
  AppInfo,
  ClashDecision,
  DeleteReport,
  Entry,
  ListingUpdate,
  Preview,
  ProfileForm,
  ProfileSummary,
  SessionInfo,
  Settings,
  ShareLink,
  ShownKeys,
  SortOrder,
  Startup,
  SyncMode,
  SyncPairStatus,
  SyncSnapshot,
  TransferBatch,
  UploadPlan,
  Usage,
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

/** A channel whose messages go to `handle`. */
function channel<T>(handle: (message: T) => void): Channel<T> {
  const opened = new Channel<T>();
  opened.onmessage = handle;
  return opened;
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


// ---- Part 2: the file browser, uploads and transfers ----
// Paths are relative to the person's folder, '/'-separated, `''` the root. Commands that list
// stream their pages through a channel: rows appear as the first page arrives.

/** Lists the folder at `path` into the window's list, shown in `order` and through `filter`
 * (names containing it); each new state goes to `onUpdate`, the first as soon as the first page
 * arrived. A `refresh` keeps the rows on show until it ends and sends nothing when the folder is
 * as it was. Resolves once listed. One listing or search runs per window: starting another ends
 * this one, which then rejects with `transfer.cancelled`. */
export const listFolder = (
  path: string,
  view: { order: SortOrder; filter: string },
  refresh: boolean,
  onUpdate: (update: ListingUpdate) => void,
): Promise<null> =>
  call('list_folder', { path, view, refresh, onUpdate: channel(onUpdate) });
/** Every entry below `path`, at any depth, whose name contains `query` (case and accents
 * ignored), into the window's list like a fresh `listFolder`. */
export const searchFolder = (
  path: string,
  query: string,
  order: SortOrder,
  onUpdate: (update: ListingUpdate) => void,
): Promise<null> => call('search_folder', { path, query, order, onUpdate: channel(onUpdate) });
/** Sorts and filters the window's list anew; null before its first listing. */
export const arrangeListing = (order: SortOrder, filter: string): Promise<ListingUpdate | null> =>
  call('arrange_listing', { order, filter });
/** The rows from `start` up to `end` of the list's state `generation`; null once it shows
 * another. */
export const listingRows = (
  generation: number,
  start: number,
  end: number,
): Promise<Entry[] | null> => call('listing_rows', { generation, start, end });
/** The keys of the rows from `start` up to `end` of the list's state `generation` (a selection
 * over rows not read); null once it shows another. */
export const listingKeys = (
  generation: number,
  start: number,
  end: number,
): Promise<ShownKeys | null> => call('listing_keys', { generation, start, end });
/** Where each of `keys` shows in the list's state `generation`, or null for a key that does
 * not; null once it shows another. */
export const listingPositions = (
  generation: number,
  keys: string[],
): Promise<(number | null)[] | null> => call('listing_positions', { generation, keys });
/** The whole folder's file count and bytes, for the status bar. */
export const folderUsage = (): Promise<Usage> => call('folder_usage');

/** Creates an empty folder at `path`; `storage.already_exists` when the name is taken. */
export const createFolder = (path: string): Promise<null> => call('create_folder', { path });
/** Renames (or moves) one file or folder to the full path `to`; resolves with where it is. */
export const renameEntry = (from: string, to: string): Promise<string> =>
  call('rename_entry', { from, to });
/** Moves files and folders into the folder `to`; resolves with their new paths. */
export const moveEntries = (paths: string[], to: string): Promise<string[]> =>
  call('move_entries', { paths, to });
/** Copies files and folders into the folder `to` (server-side); resolves with the copies' paths. */
export const copyEntries = (paths: string[], to: string): Promise<string[]> =>
  call('copy_entries', { paths, to });
/** Deletes files and folders (folders with everything in them). */
export const deleteEntries = (paths: string[]): Promise<DeleteReport> =>
  call('delete_entries', { paths });
/** Deletes keys a listing flagged unusable, by their `exact` form. */
export const deleteUnusable = (exact: string[]): Promise<DeleteReport> =>
  call('delete_unusable', { exact });

/** A link to download the file, valid for `seconds` or less (see `limited_by`). */
export const shareLink = (path: string, seconds: number): Promise<ShareLink> =>
  call('share_link', { path, seconds });
/** What the preview pane shows: images and text up to a few MiB. */
export const previewFile = (path: string): Promise<Preview> => call('preview_file', { path });
/** Downloads the file to the app's cache (a transfer in the panel) and opens it with the system's
 * default app; resolves once it was handed over. */
export const openFile = (path: string): Promise<null> => call('open_file', { path });
/** The shell asks for a local folder and queues the downloads (folders with their contents);
 * resolves with the number of files queued, or null when the person cancels the picker. */
export const downloadEntries = (paths: string[]): Promise<number | null> =>
  call('download_entries', { paths });

/** Checks an OS drop onto the folder `to`: only paths the shell saw dropped are accepted. */
export const uploadDrop = (paths: string[], to: string): Promise<UploadPlan> =>
  call('upload_drop', { paths, to });
/** The shell shows a file or folder picker for an upload into `to`; null when cancelled. */
export const pickUpload = (kind: 'files' | 'folder', to: string): Promise<UploadPlan | null> =>
  call('pick_upload', { kind, to });
/** Queues a checked upload; `decisions` settles each clash by name (a clash without one is
 * skipped). Resolves with the number of files queued. */
export const startUpload = (
  plan: number,
  decisions: Record<string, ClashDecision>,
): Promise<number> => call('start_upload', { plan, decisions });
/** Forgets a checked upload the person called off. */
export const discardUpload = (plan: number): Promise<null> => call('discard_upload', { plan });

/** Streams the transfer queue to `onBatch` until the window closes; the first batch replays
 * what the shell knows, so a reloaded window sees running and unfinished transfers. */
export const watchTransfers = (onBatch: (batch: TransferBatch) => void): Promise<null> =>
  call('watch_transfers', { onBatch: channel(onBatch) });
export const pauseTransfer = (id: number): Promise<null> => call('pause_transfer', { id });
export const resumeTransfer = (id: number): Promise<null> => call('resume_transfer', { id });
export const cancelTransfer = (id: number): Promise<null> => call('cancel_transfer', { id });
/** Queues a failed or cancelled transfer again, under the same id. */
export const retryTransfer = (id: number): Promise<null> => call('retry_transfer', { id });
export const pauseAllTransfers = (): Promise<null> => call('pause_all_transfers');
export const resumeAllTransfers = (): Promise<null> => call('resume_all_transfers');
/** Forgets finished, failed and cancelled transfers; they arrive in a batch's `removed`. */
export const clearFinishedTransfers = (): Promise<null> => call('clear_finished_transfers');

// ---- Part 3: folder sync ----
// Pairs belong to the signed-in folder; the shell runs each (watching the local folder) until it
// is paused or removed, also while the window is closed. Errors: `sync.locked` when `cubby sync`
// holds the pair, `sync.invalid_pair` for a folder that cannot be synced (missing, inside another
// pair, the app's own data).

/** Streams every pair's status to `onSnapshot` until the window closes; the first snapshot comes
 * at once. */
export const watchSync = (onSnapshot: (snapshot: SyncSnapshot) => void): Promise<null> =>
  call('watch_sync', { onSnapshot: channel(onSnapshot) });
/** The shell asks for a local folder; null when the person cancels the picker. */
export const pickSyncFolder = (): Promise<string | null> => call('pick_sync_folder');
/** Adds a pair and starts it (its first run never deletes anything). */
export const addSyncPair = (
  local: string,
  remoteDir: string,
  mode: SyncMode,
): Promise<SyncPairStatus> => call('add_sync_pair', { local, remoteDir, mode });
/** Stops syncing the pair and forgets it; no file on either side is touched. */
export const removeSyncPair = (id: number): Promise<null> => call('remove_sync_pair', { id });
/** Holds the pair at once (a run in progress stops); stays paused across restarts. */
export const pauseSyncPair = (id: number): Promise<null> => call('pause_sync_pair', { id });
export const resumeSyncPair = (id: number): Promise<null> => call('resume_sync_pair', { id });
/** Runs the pair now instead of at its next change or rescan. */
export const syncPairNow = (id: number): Promise<null> => call('sync_pair_now', { id });
/** The deletion guard's "delete them": runs the held plan with exactly its deletions allowed. */
export const allowSyncDeletions = (id: number): Promise<null> =>
  call('allow_sync_deletions', { id });
/** The deletion guard's "keep them": nothing is deleted; the files gone from one side are
 * copied back from the other on the next run. */
export const keepSyncFiles = (id: number): Promise<null> => call('keep_sync_files', { id });
/** Opens the pair's local folder in the file manager. */
export const openSyncFolder = (id: number): Promise<null> => call('open_sync_folder', { id });
/** Opens the local folder of a conflict with both versions selected where the file manager
 * allows (else the folder). */
export const showConflict = (id: number, path: string): Promise<null> =>
  call('show_conflict', { id, path });
