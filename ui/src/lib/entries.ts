// What the file list does with listing entries and row keys: names, stable keys, what a key
// stands for without its entry, and key problems in words.

import type { Entry, KeyProblem, RowKind, SortOrder } from '../ipc';
import { baseName } from './paths';

/** The last segment of an entry's path (an unusable key's readable form): what the list shows. */
export function entryName(entry: Entry): string {
  return baseName(entry.type === 'unusable' ? entry.readable : entry.path);
}

const UNUSABLE = 'unusable:';

/** Unique per entry: an unusable key shares `path` (its clean folder) with others. */
export function entryKey(entry: Entry): string {
  return entry.type === 'unusable' ? `${UNUSABLE}${entry.exact}` : entry.path;
}

/** What an entry's row is, in one letter. */
export function entryKind(entry: Entry): RowKind {
  if (entry.type === 'unusable') return 'u';
  return entry.type === 'folder' ? 'd' : 'f';
}

/** A shown row as its key and kind tell it, without its entry (a selected row out of view). */
export type KeyedRow =
  | { key: string; type: 'file' | 'folder'; path: string }
  | { key: string; type: 'unusable'; exact: string };

/** What the row `key` of kind `kind` stands for: a path, or an unusable key's exact form. */
export function keyedRow(key: string, kind: string | undefined): KeyedRow {
  const letter: RowKind | undefined = kind === 'u' || kind === 'd' || kind === 'f' ? kind : undefined;
  if (letter === 'u') return { key, type: 'unusable', exact: key.slice(UNUSABLE.length) };
  return { key, type: letter === 'd' ? 'folder' : 'file', path: key };
}

/** An entry's row as its key and kind tell it. */
export function entryRow(entry: Entry): KeyedRow {
  return keyedRow(entryKey(entry), entryKind(entry));
}

/** The name of a row told by its key: the key's last segment. */
export function keyName(row: KeyedRow): string {
  return baseName(row.type === 'unusable' ? row.exact : row.path);
}

/** Sorted by name, the list's first order. */
export const BY_NAME: SortOrder = { column: 'name', descending: false };

const KEY_PROBLEMS: Record<KeyProblem, string> = {
  decomposed: 'Its name is spelled with decomposed accents, so it clashes with another spelling',
  empty_segment: 'Its key has an empty folder name (“//”)',
  dot_segment: 'Its key has a “.” or “..” folder name',
  backslash: 'Its name contains a backslash',
  control_character: 'Its name contains a control character',
};

/** A key problem in words, for the row and its tooltip. */
export function keyProblemWords(problem: KeyProblem): string {
  return KEY_PROBLEMS[problem];
}
