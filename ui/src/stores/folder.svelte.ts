// One folder's listing (the root for now). A listing refused because the session is gone hands the
// error to the session, which brings the sign-in screen back instead of a broken view.

import * as ipc from '../ipc';
import type { AppError, Entry } from '../ipc';

export type ListingStatus = 'idle' | 'loading' | 'loaded' | 'failed';

/** The last segment of an entry's path: what the list shows. */
export function entryName(entry: Entry): string {
  const path = entry.type === 'unusable' ? entry.readable : entry.path;
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Folders first, then everything else, each by name as a person sorts (2 before 10). */
export function sortEntries(entries: readonly Entry[]): Entry[] {
  const rank = (entry: Entry): number => (entry.type === 'folder' ? 0 : 1);
  return [...entries].sort(
    (a, b) => rank(a) - rank(b) || byName.compare(entryName(a), entryName(b)),
  );
}

const SESSION_GONE = new Set(['auth.session_expired', 'auth.not_signed_in']);

export class FolderStore {
  path = $state('');
  entries: Entry[] = $state([]);
  readonly sorted: Entry[] = $derived(sortEntries(this.entries));
  status: ListingStatus = $state('idle');
  error: AppError | null = $state(null);

  readonly #onSessionLost: (error: AppError) => void;
  /** Bumped per load, so a slow answer for an older request is dropped. */
  #request = 0;

  constructor(onSessionLost: (error: AppError) => void) {
    this.#onSessionLost = onSessionLost;
  }

  async load(path = ''): Promise<void> {
    const request = ++this.#request;
    this.path = path;
    this.status = 'loading';
    this.error = null;
    try {
      const entries = await ipc.listFolder(path);
      if (request !== this.#request) return;
      this.entries = entries;
      this.status = 'loaded';
    } catch (reason) {
      if (request !== this.#request) return;
      const error = ipc.toAppError(reason);
      this.entries = [];
      this.status = 'failed';
      this.error = error;
      if (SESSION_GONE.has(error.code)) this.#onSessionLost(error);
    }
  }

  /** Forgets the listing (after sign-out, so the next person never sees it). */
  clear(): void {
    this.#request++;
    this.path = '';
    this.entries = [];
    this.status = 'idle';
    this.error = null;
  }
}
