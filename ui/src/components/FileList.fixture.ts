// FileList's props for its tests: entries shown as the shell shows them (a count, every row
// already read, keys told by place) and callbacks that do nothing.

import type { ComponentProps } from 'svelte';
import type { Entry } from '../ipc';
import { BY_NAME, entryKey, entryKind } from '../lib/entries';
import { type KeySpan, NOTHING } from '../lib/selection';
import type FileList from './FileList.svelte';

/** What the list draws for `entries`, each row read. */
export function shownAs(entries: readonly Entry[]): {
  count: number;
  rowAt: (index: number) => Entry | undefined;
  keysBetween: (start: number, end: number) => Promise<KeySpan | null>;
} {
  return {
    count: entries.length,
    rowAt: (index) => entries[index],
    keysBetween: (start, end) => {
      const rows = entries.slice(start, end);
      return Promise.resolve({ start, keys: rows.map(entryKey), kinds: rows.map(entryKind).join('') });
    },
  };
}

const ignore = (): void => undefined;

/** Every prop, for `entries`, with nothing renamed, selected or dragged. */
export function fileListProps(
  entries: readonly Entry[],
  renaming: string | null = null,
): ComponentProps<typeof FileList> {
  return {
    ...shownAs(entries),
    onview: ignore,
    selection: NOTHING,
    sort: BY_NAME,
    label: 'Files',
    showFolder: false,
    renaming,
    dropTarget: null,
    onselect: ignore,
    onsort: ignore,
    onopen: ignore,
    onup: ignore,
    ondelete: ignore,
    onrename: ignore,
    onpreview: ignore,
    onrenamed: ignore,
    onrenamecancel: ignore,
    onmenu: ignore,
    ondragover: ignore,
    onmove: ignore,
  };
}
