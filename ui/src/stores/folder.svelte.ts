// The folder on show: its listing (streamed page by page), a recursive search, the whole folder's
// usage, and the operations on entries, each followed by a fresh listing. A listing refused because
// the session is gone hands the error to the session, which brings the sign-in screen back.

import * as ipc from '../ipc';
import type { AppError, Entry, Usage } from '../ipc';
import { isWithin, joinPath, parentPath } from '../lib/paths';

export type ListingStatus = 'idle' | 'loading' | 'loaded' | 'failed';

/** A search's query, or null for the folder's own listing. */
export type Mode = { kind: 'folder' } | { kind: 'search'; query: string };

const SESSION_GONE = new Set(['auth.session_expired', 'auth.not_signed_in']);

/** The listing's error is the network: the view says so and the auto-refresh keeps trying. */
export function isOffline(error: AppError | null): boolean {
  return error?.code.startsWith('net.') ?? false;
}

/** Whether two listings hold the same entries in the same order (a refresh that changed nothing). */
export function sameEntries(shown: readonly Entry[], listed: readonly Entry[]): boolean {
  if (shown.length !== listed.length) return false;
  return shown.every((entry, index) => {
    const other = listed[index];
    if (other?.path !== entry.path || other.type !== entry.type) return false;
    if (entry.type === 'folder' || other.type === 'folder') return true;
    if (entry.type === 'unusable' || other.type === 'unusable') return JSON.stringify(entry) === JSON.stringify(other);
    return entry.size === other.size && entry.modified === other.modified;
  });
}

/** How often the open folder refreshes by itself, at least; a folder that takes long to list waits
 * several times its listing time, so huge folders do not list back to back. */
const REFRESH_EVERY_MS = 5000;
const REFRESH_LISTING_FACTOR = 4;
/** Pages arrive every few milliseconds; the list re-sorts and redraws at most this often while they
 * do, less often as it grows (sorting 100,000 rows takes a good part of a second). */
const PUBLISH_EVERY_MS = 200;
const PUBLISH_MS_PER_ROW = 0.02;

export class FolderStore {
  path = $state('');
  mode: Mode = $state({ kind: 'folder' });
  /** What the list shows: plain objects, never proxied (100,000 rows). */
  entries: readonly Entry[] = $state.raw([]);
  status: ListingStatus = $state('idle');
  /** The listing shown is whole (its count and size are exact). */
  complete = $state(false);
  error: AppError | null = $state(null);
  usage: Usage | null = $state(null);
  /** The last operation that failed, for the view to show until dismissed. */
  actionError: AppError | null = $state(null);

  readonly #onSessionLost: (error: AppError) => void;
  /** Bumped per listing, so pages and answers of an older one are dropped. */
  #request = 0;
  #listing: Promise<void> | null = null;
  #lastListingMs = 0;
  /** When the last listing ended (performance.now()), so an auto-refresh waits from then. */
  #lastListedAt = 0;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #landedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(onSessionLost: (error: AppError) => void) {
    this.#onSessionLost = onSessionLost;
  }

  /** A listing (or search) is under way. */
  get busy(): boolean {
    return this.#listing !== null;
  }

  /** Opens the folder at `path`: its rows appear as the first page arrives. */
  open(path: string): Promise<void> {
    this.path = path;
    this.mode = { kind: 'folder' };
    this.error = null;
    return this.#list(false);
  }

  /** Lists the folder again; the rows on show (or the error) stay until the new listing ends. */
  refresh(): Promise<void> {
    return this.#list(this.status === 'loaded' || this.entries.length > 0);
  }

  /** Searches below the open folder; an empty query goes back to the folder's listing. */
  search(query: string): Promise<void> {
    const trimmed = query.trim();
    this.mode = trimmed === '' ? { kind: 'folder' } : { kind: 'search', query: trimmed };
    this.error = null;
    return this.#list(false);
  }

  async #list(keepRows: boolean): Promise<void> {
    const request = ++this.#request;
    const started = performance.now();
    const mode = this.mode;
    const path = this.path;
    this.status = 'loading';
    if (!keepRows) {
      // A refresh keeps the rows on show, and with them their exact count, until it completes.
      this.complete = false;
      this.entries = [];
    }
    // Pages are appended in place (concatenating copies every row per page: quadratic for
    // 100,000 rows); the list gets a copy, since it tells a new listing by a new array.
    const pages: Entry[] = [];
    let published = 0;
    const publish = (): void => {
      this.entries = pages.slice();
      published = performance.now();
    };
    const onPage = (page: Entry[]): void => {
      if (request !== this.#request) return;
      for (const entry of page) pages.push(entry);
      // A refresh swaps only once complete; a fresh listing shows its first page at once.
      const every = PUBLISH_EVERY_MS + pages.length * PUBLISH_MS_PER_ROW;
      if (!keepRows && (published === 0 || performance.now() - published >= every)) {
        publish();
      }
    };
    const listing = (async () => {
      try {
        await (mode.kind === 'search'
          ? ipc.searchFolder(path, mode.query, onPage)
          : ipc.listFolder(path, onPage));
        if (request !== this.#request) return;
        // A refresh that found the folder as it was keeps the rows on show: re-sorting and
        // redrawing 100,000 unchanged rows every few seconds makes scrolling stutter.
        if (!keepRows || !sameEntries(this.entries, pages)) publish();
        this.status = 'loaded';
        this.complete = true;
        this.error = null;
        this.#lastListedAt = performance.now();
        this.#lastListingMs = this.#lastListedAt - started;
      } catch (reason) {
        if (request !== this.#request) return;
        const error = ipc.toAppError(reason);
        this.status = 'failed';
        this.error = error;
        // A failed refresh keeps the rows on show; a failed first listing shows what arrived.
        if (!keepRows) publish();
        if (SESSION_GONE.has(error.code)) this.#onSessionLost(error);
      } finally {
        if (request === this.#request) this.#listing = null;
      }
    })();
    this.#listing = listing;
    await listing;
  }

  async loadUsage(): Promise<void> {
    try {
      this.usage = await ipc.folderUsage();
    } catch {
      // The status bar leaves usage out; the listing's own error says what is wrong.
      this.usage = null;
    }
  }

  /** Refreshes by itself every few seconds while `visible()` says the window shows, never two
   * listings at once, and never sooner than that after any listing ended (a folder just opened is
   * fresh); returns the function that stops it. */
  autoRefresh(visible: () => boolean): () => void {
    let stopped = false;
    const wait = (): number => Math.max(REFRESH_EVERY_MS, this.#lastListingMs * REFRESH_LISTING_FACTOR);
    const schedule = (): void => {
      this.#refreshTimer = setTimeout(tick, wait());
    };
    const tick = (): void => {
      if (stopped) return;
      const fresh = this.#lastListedAt + wait() - performance.now();
      if (fresh > 0 && this.status === 'loaded') {
        this.#refreshTimer = setTimeout(tick, fresh);
      } else if (visible() && !this.busy && this.status !== 'idle' && this.mode.kind === 'folder') {
        void this.refresh().finally(() => {
          if (!stopped) schedule();
        });
      } else {
        schedule();
      }
    };
    schedule();
    return () => {
      stopped = true;
      clearTimeout(this.#refreshTimer);
    };
  }

  /** Uploads landed at `remote`: refresh the listing and usage soon (once per burst) when they
   * show in this folder. */
  landed(remote: string, delayMs = 600): void {
    if (this.status === 'idle' || !isWithin(parentPath(remote), this.path)) return;
    clearTimeout(this.#landedTimer);
    this.#landedTimer = setTimeout(() => {
      if (this.busy) {
        this.landed(remote, delayMs);
      } else {
        void this.refresh();
        void this.loadUsage();
      }
    }, delayMs);
  }

  /** Runs an operation, then refreshes the listing and usage; a failure is kept in `actionError`
   * (and the listing still refreshes: a partial failure changed something). */
  async #change<T>(operation: () => Promise<T>): Promise<T | null> {
    this.actionError = null;
    try {
      return await operation();
    } catch (reason) {
      const error = ipc.toAppError(reason);
      if (SESSION_GONE.has(error.code)) this.#onSessionLost(error);
      else this.actionError = error;
      return null;
    } finally {
      void this.refresh();
      void this.loadUsage();
    }
  }

  createFolder(name: string): Promise<null> {
    return this.#change(() => ipc.createFolder(joinPath(this.path, name)));
  }

  rename(from: string, name: string): Promise<string | null> {
    return this.#change(() => ipc.renameEntry(from, joinPath(parentPath(from), name)));
  }

  move(paths: string[], to: string): Promise<string[] | null> {
    return this.#change(() => ipc.moveEntries(paths, to));
  }

  copyHere(paths: string[]): Promise<string[] | null> {
    return this.#change(() => ipc.copyEntries(paths, this.path));
  }

  /** Deletes entries and unusable keys; a partial failure reads as one error naming the first. */
  async remove(paths: string[], unusable: string[]): Promise<void> {
    await this.#change(async () => {
      const reports = await Promise.all([
        paths.length > 0 ? ipc.deleteEntries(paths) : null,
        unusable.length > 0 ? ipc.deleteUnusable(unusable) : null,
      ]);
      const failed = reports.flatMap((report) => report?.failed ?? []);
      const first = failed[0];
      if (first) {
        const more = failed.length > 1 ? ` (and ${String(failed.length - 1)} more)` : '';
        const error: AppError = {
          code: 'storage.partial_failure',
          message: `Could not delete “${first.path}”${more}: ${first.error.message}`,
        };
        throw error;
      }
    });
  }

  /** Opens a file with the system's default app (downloaded to a cache first, in the panel). */
  async openFile(path: string): Promise<void> {
    await this.#run(() => ipc.openFile(path));
  }

  /** Asks where to, then queues the downloads; the transfers panel shows them. */
  async download(paths: string[]): Promise<void> {
    await this.#run(() => ipc.downloadEntries(paths));
  }

  async #run(action: () => Promise<unknown>): Promise<void> {
    this.actionError = null;
    try {
      await action();
    } catch (reason) {
      const error = ipc.toAppError(reason);
      if (SESSION_GONE.has(error.code)) this.#onSessionLost(error);
      else this.actionError = error;
    }
  }

  dismissActionError(): void {
    this.actionError = null;
  }

  /** Forgets the listing (after sign-out, so the next person never sees it). */
  clear(): void {
    this.#request++;
    this.#listing = null;
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#landedTimer);
    this.path = '';
    this.mode = { kind: 'folder' };
    this.entries = [];
    this.status = 'idle';
    this.complete = false;
    this.error = null;
    this.usage = null;
    this.actionError = null;
  }
}
