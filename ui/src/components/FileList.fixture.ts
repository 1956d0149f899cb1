// FileList's props for its tests: entries shown as the shell shows them (keys in order, one kind
// letter per key, every row already read) and callbacks that do nothing.

import type { ComponentProps } from 'svelte';
import type { Entry } from '../ipc';
import { BY_NAME, entryKey } from '../lib/entries';
import { NOTHING } from '../lib/selection';
import type FileList from './FileList.svelte';

const KIND = { folder: 'd', file: 'f', unusable: 'u' } as const;

/** What the list draws for `entries`, each row read. */
export function shownAs(entries: readonly Entry[]): {
  keys: string[];
  kinds: string;
  rowAt: (index: number) => Entry | undefined;
} {
  return {
    keys: entries.map(entryKey),
    kinds: entries.map((entry) => KIND[entry.type]).join(''),
    rowAt: (index) => entries[index],
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
