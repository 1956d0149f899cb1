// The dev mock's window list, as the shell keeps it (src-tauri/src/listings.rs): entries sorted
// and filtered here, the page told how many rows show and reading rows and keys by generation. For `npm run dev`
// and the mock screenshots only; the app sorts in Rust.

import { entryKey, entryKind, entryName } from '../lib/entries';
import type { Entry, ListingUpdate, ShownKeys, SortOrder } from './types';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

const size = (entry: Entry): number => (entry.type === 'folder' ? -1 : entry.size);
const modified = (entry: Entry): string =>
  entry.type === 'folder' ? '' : (entry.modified ?? '');

/** Folders first in either direction (as Finder and Nautilus do), then by the column; ties by name
 * as a person sorts (2 before 10). */
function sortEntries(entries: readonly Entry[], order: SortOrder): Entry[] {
  const keyed = entries.map((entry) => ({ entry, name: entryName(entry) }));
  const sign = order.descending ? -1 : 1;
  const rank = (entry: Entry): number => (entry.type === 'folder' ? 0 : 1);
  keyed.sort((a, b) => {
    const folders = rank(a.entry) - rank(b.entry);
    if (folders !== 0) return folders;
    let by = 0;
    if (order.column === 'size') by = size(a.entry) - size(b.entry);
    else if (order.column === 'modified') {
      const [left, right] = [modified(a.entry), modified(b.entry)];
      by = left < right ? -1 : left > right ? 1 : 0;
    }
    return sign * (by || collator.compare(a.name, b.name));
  });
  return keyed.map(({ entry }) => entry);
}

/** Lower case without accents, so "cafe" finds "Café". */
function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase();
}

/** The entries whose name contains `query`, case and accents ignored; all for an empty query. */
function filterEntries(entries: Entry[], query: string): Entry[] {
  const wanted = foldText(query.trim());
  if (wanted === '') return entries;
  return entries.filter((entry) => foldText(entryName(entry)).includes(wanted));
}

let generations = 0;

/** One window's list. */
export class MockListing {
  #entries: Entry[] = [];
  #shown: Entry[] = [];
  #order: SortOrder = { column: 'name', descending: false };
  #filter = '';
  #generation = 0;

  /** Starts a listing of `entries` in `order`, through `filter`. */
  replace(entries: Entry[], order: SortOrder, filter: string): ListingUpdate {
    this.#entries = entries;
    return this.arrange(order, filter);
  }

  /** Sorts and filters anew. */
  arrange(order: SortOrder, filter: string): ListingUpdate {
    this.#order = order;
    this.#filter = filter;
    this.#shown = filterEntries(sortEntries(this.#entries, order), filter);
    this.#generation = ++generations;
    return {
      generation: this.#generation,
      shown: this.#shown.length,
      listed: this.#entries.length,
      bytes: this.#entries.reduce((sum, entry) => sum + (entry.type === 'folder' ? 0 : entry.size), 0),
    };
  }

  /** Adds entries listed later, in the order and filter in use. */
  extend(entries: Entry[]): ListingUpdate {
    this.#entries = [...this.#entries, ...entries];
    return this.arrange(this.#order, this.#filter);
  }

  rows(generation: number, start: number, end: number): Entry[] | null {
    return generation === this.#generation ? this.#shown.slice(start, end) : null;
  }

  keys(generation: number, start: number, end: number): ShownKeys | null {
    const rows = this.rows(generation, start, end);
    return rows && { keys: rows.map(entryKey), kinds: rows.map(entryKind).join('') };
  }

  positions(generation: number, keys: string[]): (number | null)[] | null {
    if (generation !== this.#generation) return null;
    const places = new Map(this.#shown.map((entry, index) => [entryKey(entry), index]));
    return keys.map((key) => places.get(key) ?? null);
  }
}
