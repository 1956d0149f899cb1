// What the commands and events of the app's IPC contract carry. Field names are snake_case, exactly
// as serde writes them on the Rust side.

import type { AppError } from './app-error';
import type { ErrorCode } from './error-codes';

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
  /** Start Cubby (in the background, syncing) when the person logs in; off by default. */
  start_at_login: boolean;
}

/** Why a listed key is not a clean path (core's `KeyProblem`). */
export type KeyProblem =
  | 'decomposed'
  | 'empty_segment'
  | 'dot_segment'
  | 'backslash'
  | 'control_character';

/** One listing entry; `path` is relative to the person's folder, '/'-separated (a folder's
 * without the trailing slash). */
export type Entry =
  | { path: string; type: 'file'; size: number; modified: string | null }
  | { path: string; type: 'folder' }
  | {
      /** The deepest clean folder holding the key. */
      path: string;
      type: 'unusable';
      /** The key below the person's folder, escaped for showing. */
      readable: string;
      /** The key's exact form, for `deleteUnusable`. */
      exact: string;
      problem: KeyProblem;
      /** The key is a folder marker. */
      folder: boolean;
      size: number;
      modified: string | null;
      /** The clean entry a person reads as the same name, if listed. */
      twin: string | null;
    };

export type SortColumn = 'name' | 'size' | 'modified';

/** How a list is sorted; folders come first either way. */
export interface SortOrder {
  column: SortColumn;
  descending: boolean;
}

/** What a row is, in one letter: `d` a folder, `f` a file, `u` an unusable key. */
export type RowKind = 'd' | 'f' | 'u';

/** A new state of the window's list, kept in the shell: how many rows it shows, and the
 * listing's totals. Its rows, and their keys, are read by `generation`. */
export interface ListingUpdate {
  generation: number;
  /** Rows shown (through the filter). */
  shown: number;
  /** Entries listed, shown or not. */
  listed: number;
  bytes: number;
}

/** Shown rows by place, without their entries: each row's key (an entry's path, or `unusable:`
 * and an unusable key's exact form) and what it is (one `RowKind` letter per key). */
export interface ShownKeys {
  keys: string[];
  kinds: string;
}

export type SignInStage = 'browser_opened' | 'exchanging';

export interface SignInProgress {
  stage: SignInStage;
}

// ---- Part 2: the file browser, uploads and transfers ----

/** Whole-folder usage for the status bar (core's `Usage`). */
export interface Usage {
  files: number;
  bytes: number;
}

/** Core's `ShareLink`: a presigned GET. */
export interface ShareLink {
  url: string;
  /** RFC 3339: when the link stops working. */
  expires_at: string;
  /** Set when the link lives shorter than asked. */
  limited_by: 'credentials_expiry' | 'seven_day_maximum' | null;
}

/** One thing a delete could not remove. */
export interface DeleteFailure {
  path: string;
  error: AppError;
}

/** Core's `DeleteReport`. */
export interface DeleteReport {
  deleted: number;
  failed: DeleteFailure[];
}

/** What the preview pane shows for a file. */
export type Preview =
  | { kind: 'image'; mime: string; /** `data:` URL */ data_url: string; size: number }
  | { kind: 'text'; text: string; /** the file is longer than `text` */ truncated: boolean; size: number }
  /** No preview: too large, binary, or a type the pane does not show; `reason` says which. */
  | { kind: 'none'; reason: string; size: number };

/** How a name clash at the upload's target is settled. */
export type ClashDecision = 'replace' | 'keep_both' | 'skip';

/** A dropped or picked top-level item whose name the target folder already has. */
export interface Clash {
  /** The name in the target folder. */
  name: string;
  /** What is being uploaded under that name. */
  incoming: 'file' | 'folder';
  /** What is there already. */
  existing: 'file' | 'folder';
}

/** A local item the upload leaves out (a symlink, an unreadable file), and why. */
export interface SkippedLocal {
  path: string;
  reason: string;
}

/** An upload checked and waiting for `startUpload` (or `discardUpload`). */
export interface UploadPlan {
  id: number;
  /** The target folder, relative to the person's folder (`''` is the root). */
  to: string;
  files: number;
  /** Folders created, the empty ones among them. */
  folders: number;
  bytes: number;
  clashes: Clash[];
  skipped: SkippedLocal[];
}

export type TransferDirection = 'upload' | 'download';

/** Core's `TransferEvent`: flat, with the variant in `event`. */
export type TransferEvent = { id: number } & (
  | { event: 'queued'; direction: TransferDirection; local: string; remote: string }
  | { event: 'started'; total_bytes: number }
  | { event: 'resumed'; parts_done: number; bytes_done: number }
  | {
      event: 'progress';
      bytes_done: number;
      total_bytes: number;
      bytes_per_second: number;
      eta_ms: number | null;
    }
  | { event: 'retrying'; attempt: number; delay_ms: number; reason: string }
  /** Held by `pauseTransfer`; what moved is kept and `resumeTransfer` continues from it. */
  | { event: 'paused' }
  | { event: 'finished'; bytes: number }
  | { event: 'failed'; code: ErrorCode; message: string }
  | { event: 'cancelled' }
);

/** What the transfers channel carries, at most every 150 ms while something changes. */
export interface TransferBatch {
  /** In order; the first batch after `watchTransfers` replays every transfer the shell knows
   * (its `queued` event, then its latest state). A transfer that finished since the last batch
   * has no `started`, `progress`, `resumed` or `retrying` events before its `finished`. */
  events: TransferEvent[];
  /** The whole queue is held (`pauseAllTransfers`). */
  queue_paused: boolean;
  /** Transfers the shell forgot (`clearFinishedTransfers`): drop their rows. */
  removed: number[];
}

/** The OS drag-and-drop over the window, as Tauri reports it: `position` in physical pixels. */
export type DragDrop =
  | { type: 'enter'; paths: string[]; position: { x: number; y: number } }
  | { type: 'over'; position: { x: number; y: number } }
  | { type: 'drop'; paths: string[]; position: { x: number; y: number } }
  | { type: 'leave' };

// ---- Part 3: folder sync (the sync panel, the tray) ----
// Core's `cubby_core::sync` runs each pair the app watches; the shell streams their status.

/** Core's `Mode`, spelled as the CLI spells it. */
export type SyncMode = 'backup' | 'mirror' | 'two-way';

/** What a pair is doing now. `waiting` is the deletion guard holding a plan until the person
 * answers (`allowSyncDeletions` or `keepSyncFiles`). */
export type SyncState =
  | { state: 'idle' }
  | { state: 'scanning' }
  | { state: 'syncing'; done: number; total: number }
  | { state: 'paused' }
  | {
      state: 'waiting';
      deletions: number;
      synced: number;
      /** Of the deletions, files on this computer (they would go to the trash). */
      local: number;
      /** Of the deletions, files in the person's Cubby folder. */
      remote: number;
    }
  | { state: 'error'; error: AppError };

/** One thing a run did or tried (newest first in `SyncPairStatus.activity`). */
export interface SyncActivity {
  /** ms since the Unix epoch. */
  at_ms: number;
  /** Core's `Action` tag (`upload`, `download`, `move_remote`, `delete_local`, `conflict`, ...),
   * or `failed` / `deferred` / `note`. */
  kind: string;
  /** The path it was about ('' for a note about the whole pair). */
  path: string;
  /** For people: "Uploaded a.txt", "Could not download b.txt: ...", a rescan note. */
  text: string;
}

/** A conflict kept as a copy: both versions are in the folders, side by side. */
export interface SyncConflict {
  /** The path both sides changed (the winning version is there). */
  path: string;
  /** Where the losing version went. */
  copy: string;
  /** Whose version lost. */
  loser: 'local' | 'remote';
  at_ms: number;
}

/** Core's `Issue`: a path that cannot be synced, and what to do. */
export interface SyncIssue {
  path: string;
  side: 'local' | 'remote';
  problem: string;
}

/** One pair as the panel shows it. */
export interface SyncPairStatus {
  id: number;
  /** The local folder (absolute). */
  local: string;
  /** The folder in the person's folder ('' is the top). */
  remote_dir: string;
  mode: SyncMode;
  status: SyncState;
  /** When the last run ended well (ms since the Unix epoch), null before the first. */
  last_sync_ms: number | null;
  /** Files in the merge base. */
  synced_files: number;
  /** Newest first, at most 50. */
  activity: SyncActivity[];
  /** Since the app started (or since the pair was added), newest first. */
  conflicts: SyncConflict[];
  /** From the latest run. */
  issues: SyncIssue[];
}

/** The sync status of all pairs: what the tray icon shows. */
export type SyncOverall = 'idle' | 'syncing' | 'paused' | 'error';

/** What the sync channel carries on every change (at most every 250 ms): every pair, whole. */
export interface SyncSnapshot {
  pairs: SyncPairStatus[];
  overall: SyncOverall;
}
