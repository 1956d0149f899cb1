// The folder on show: its listing (kept in the shell, which sorts and filters it; the page knows
// how many rows show and reads those in view), a recursive search, the whole folder's
// usage, and the operations on entries, each followed by a fresh listing. A listing refused because
// the session is gone hands the error to the session, which brings the sign-in screen back.

import * as ipc from '../ipc';
import type { AppError, Entry, ListingUpdate, SortOrder, Usage } from '../ipc';
import { BY_NAME, entryKey, entryKind } from '../lib/entries';
import type { KeySpan } from '../lib/selection';
import { isWithin, joinPath, parentPath } from '../lib/paths';

export type ListingStatus = 'idle' | 'loading' | 'loaded' | 'failed';

/** A search's query, or null for the folder's own listing. */
export type Mode = { kind: 'folder' } | { kind: 'search'; query: string };

const SESSION_GONE = new Set(['auth.session_expired', 'auth.not_signed_in']);

/** The listing's error is the network: the view says so and the auto-refresh keeps trying. */
export function isOffline(error: AppError | null): boolean {
  return error?.code.startsWith('net.') ?? false;
}

/** How often the open folder refreshes by itself, at least; a folder that takes long to list waits
 * several times its listing time, so huge folders do not list back to back. */
const REFRESH_EVERY_MS = 5000;
const REFRESH_LISTING_FACTOR = 4;
/** Rows read from the shell around those in view, so a scroll of a few rows asks for nothing. */
const ROWS_AROUND = 100;

/** Rows of the list read from the shell: those of state `generation` from `start`. */
interface RowWindow {
  generation: number;
  start: number;
  entries: readonly Entry[];
}

const NO_ROWS: RowWindow = { generation: 0, start: 0, entries: [] };
const NOT_ASKED = { generation: 0, start: 0, end: 0 };

/** Resolves once a whole frame has been drawn. A frame callback asked for while a scroll event
 * is handled runs in that same frame, before the scroll has moved on, so it waits for two. */
function aFrameLater(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      requestAnimationFrame(() => {
        resolve();
      });
    });
  });
}

export class FolderStore {
  path = $state('');
  mode: Mode = $state({ kind: 'folder' });
  /** The state of the list on show, by the shell's number (which only grows); 0 before any. */
  generation = $state(0);
  /** How many rows show; the shell keeps their entries. */
  shown = $state(0);
  /** Entries listed, shown or not, and their bytes. */
  listed = $state(0);
  bytes = $state(0);
  sort: SortOrder = $state(BY_NAME);
  /** Shows only names containing it (case and accents ignored); not applied to a search. */
  filter = $state('');
  /** The rows read so far around those in view. */
  rows: RowWindow = $state.raw(NO_ROWS);
  status: ListingStatus = $state('idle');
  /** The listing shown is whole (its count and size are exact). */
  complete = $state(false);
  error: AppError | null = $state(null);
  usage: Usage | null = $state(null);
  /** The last operation that failed, for the view to show until dismissed. */
  actionError: AppError | null = $state(null);

  readonly #onSessionLost: (error: AppError) => void;
  /** Bumped per listing, so the answer of an older one is dropped. */
  #request = 0;
  /** The rows last asked for, so a scroll within them asks again for nothing. */
  #asked = NOT_ASKED;
  /** A read of rows is under way. */
  #reading = false;
  /** The rows last in view, asked for again when the list changes. */
  #inView = { start: 0, end: 0 };
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
    this.filter = '';
    this.error = null;
    return this.#list(false);
  }

  /** Lists the folder again; the rows on show (or the error) stay until the new listing ends. */
  refresh(): Promise<void> {
    return this.#list(this.status === 'loaded' || this.listed > 0);
  }

  /** Sorts the rows by `sort`. */
  setSort(sort: SortOrder): Promise<void> {
    this.sort = sort;
    return this.#arrange();
  }

  /** Shows only the rows whose name contains `filter`. */
  setFilter(filter: string): Promise<void> {
    this.filter = filter;
    // A search's results are not filtered: the text is its query until the search ends.
    return this.mode.kind === 'search' ? Promise.resolve() : this.#arrange();
  }

  /** The entry of the shown row `index`, once read from the shell. */
  rowAt(index: number): Entry | undefined {
    const { generation, start, entries } = this.rows;
    return generation === this.generation ? entries[index - start] : undefined;
  }

  /** The rows from `start` up to `end` are in view: reads them (and some around) from the shell
   * unless already read or asked for. One read runs at a time; meanwhile only the latest view is
   * kept, and read next. A view far from the rows read is read only once it stays for a frame:
   * a fast scroll shows each view for one frame, so its rows would arrive after it moved on, and
   * each read and its rows' drawing make garbage the page's memory holds until collected. */
  async showRows(start: number, end: number): Promise<void> {
    this.#inView = { start, end };
    if (this.#reading) return;
    this.#reading = true;
    try {
      for (;;) {
        const view = this.#inView;
        const generation = this.generation;
        const asked = this.#asked;
        if (view.end <= view.start || generation === 0) return;
        const same = asked.generation === generation;
        if (same && asked.start <= view.start && view.end <= asked.end) return;
        const far = same && (view.start >= asked.end + ROWS_AROUND || view.end <= asked.start - ROWS_AROUND);
        if (far) {
          await aFrameLater();
          const now = this.#inView;
          if (now.start !== view.start || now.end !== view.end) continue;
        }
        const from = Math.max(0, view.start - ROWS_AROUND);
        const to = Math.min(this.shown, view.end + ROWS_AROUND);
        this.#asked = { generation, start: from, end: to };
        const entries = await this.#ask(() => ipc.listingRows(generation, from, to));
        if (entries !== null && generation === this.generation) {
          this.rows = { generation, start: from, entries };
        } else if (generation === this.generation) {
          // The rows stay blank; the next scroll or listing asks again.
          this.#asked = NOT_ASKED;
          return;
        }
      }
    } finally {
      this.#reading = false;
    }
  }

  /** The keys of the rows from `start` up to `end`: from the rows read when they hold them, else
   * from the shell; null once the list changed. */
  async keysBetween(start: number, end: number): Promise<KeySpan | null> {
    const { generation, rows } = this;
    const from = start - rows.start;
    if (rows.generation === generation && from >= 0 && end - rows.start <= rows.entries.length) {
      const entries = rows.entries.slice(from, end - rows.start);
      return { start, keys: entries.map(entryKey), kinds: entries.map(entryKind).join('') };
    }
    const found = await this.#ask(() => ipc.listingKeys(generation, start, end));
    return found && generation === this.generation ? { start, ...found } : null;
  }

  /** Where each of `keys` shows now (null for one that does not); null once the list changed
   * again. */
  async positions(keys: string[]): Promise<(number | null)[] | null> {
    const generation = this.generation;
    const places = await this.#ask(() => ipc.listingPositions(generation, keys));
    return places && generation === this.generation ? places : null;
  }

  /** Asks the shell; a failure reads as the list having changed (the next step asks again), and
   * a session gone goes to the session. */
  async #ask<T>(question: () => Promise<T | null>): Promise<T | null> {
    try {
      return await question();
    } catch (reason) {
      const error = ipc.toAppError(reason);
      if (SESSION_GONE.has(error.code)) this.#onSessionLost(error);
      return null;
    }
  }

  /** The view the shell applies: a search's results are not filtered by the filter box. */
  #view(): { order: SortOrder; filter: string } {
    return { order: this.sort, filter: this.mode.kind === 'search' ? '' : this.filter };
  }

  async #arrange(): Promise<void> {
    const { order, filter } = this.#view();
    try {
      const update = await ipc.arrangeListing(order, filter);
      if (update) this.#show(update);
    } catch (reason) {
      this.actionError = ipc.toAppError(reason);
    }
  }

  /** Shows a new state of the list: its count at once, its rows as they are read. */
  #show(update: ListingUpdate): void {
    if (update.generation <= this.generation) return;
    this.generation = update.generation;
    this.shown = update.shown;
    this.listed = update.listed;
    this.bytes = update.bytes;
    void this.showRows(this.#inView.start, this.#inView.end);
  }

  /** Searches below the open folder; an empty query goes back to the folder's listing. */
  search(query: string): Promise<void> {
    const trimmed = query.trim();
    this.mode = trimmed === '' ? { kind: 'folder' } : { kind: 'search', query: trimmed };
    if (trimmed === '') this.filter = '';
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
      this.#empty();
    }
    const onUpdate = (update: ListingUpdate): void => {
      if (request === this.#request) this.#show(update);
    };
    const listing = (async () => {
      try {
        await (mode.kind === 'search'
          ? ipc.searchFolder(path, mode.query, this.sort, onUpdate)
          : ipc.listFolder(path, this.#view(), keepRows, onUpdate));
        if (request !== this.#request) return;
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
        if (SESSION_GONE.has(error.code)) this.#onSessionLost(error);
      } finally {
        if (request === this.#request) this.#listing = null;
      }
    })();
    this.#listing = listing;
    await listing;
  }

  /** No rows on show (the shell's list is replaced by the next listing). */
  #empty(): void {
    this.shown = 0;
    this.listed = 0;
    this.bytes = 0;
    this.rows = NO_ROWS;
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
    this.#empty();
    this.status = 'idle';
    this.complete = false;
    this.error = null;
    this.usage = null;
    this.actionError = null;
  }
}
