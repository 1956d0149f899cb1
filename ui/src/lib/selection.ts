// Multi-select as Finder and Nautilus do it, over the list's rows in shown order: a click selects
// one, shift extends from the anchor, ctrl/cmd toggles one, arrows move the focus (with shift,
// extending). The page reads only the rows in view, so a step is given the keys of the rows it
// spans (`KeySpan`, read from the shell; `spanFor` says which). Pure: each step returns a new
// selection.

import type { RowKind } from '../ipc';

/** A row by its key, what it is, and where it shows. */
export interface Place {
  key: string;
  kind: RowKind;
  index: number;
}

export interface Selection {
  /** What each selected row is, by key, in the order they were selected. */
  selected: ReadonlyMap<string, RowKind>;
  /** Where a shift-extension starts. */
  anchor: Place | null;
  /** The row the keyboard is on. */
  focus: Place | null;
}

export const NOTHING: Selection = { selected: new Map(), anchor: null, focus: null };

/** The keys of the shown rows from `start`, and one `RowKind` letter per key. */
export interface KeySpan {
  start: number;
  keys: readonly string[];
  kinds: string;
}

export interface Modifiers {
  shift: boolean;
  /** Ctrl, or Cmd on macOS. */
  toggle: boolean;
}

function kindOf(letter: string | undefined): RowKind {
  return letter === 'd' || letter === 'u' ? letter : 'f';
}

function placeAt(span: KeySpan, index: number): Place | null {
  const key = span.keys[index - span.start];
  return key === undefined ? null : { key, kind: kindOf(span.kinds[index - span.start]), index };
}

/** The rows from `from` to `to`, both included, either way round. */
function between(span: KeySpan, from: number, to: number): Map<string, RowKind> {
  const [low, high] = from <= to ? [from, to] : [to, from];
  const rows = new Map<string, RowKind>();
  for (let index = Math.max(low, span.start); index <= high; index++) {
    const place = placeAt(span, index);
    if (place) rows.set(place.key, place.kind);
  }
  return rows;
}

function only(place: Place): Selection {
  return { selected: new Map([[place.key, place.kind]]), anchor: place, focus: place };
}

/** The rows, from `start` up to `end`, a step to row `index` needs read: it, and with shift
 * every row from the anchor (or the focus) to it. */
export function spanFor(selection: Selection, index: number, shift: boolean): { start: number; end: number } {
  const from = shift ? (selection.anchor ?? selection.focus)?.index ?? index : index;
  return { start: Math.min(from, index), end: Math.max(from, index) + 1 };
}

/** A span of the one row at `place`. */
export function spanOf(place: Place): KeySpan {
  return { start: place.index, keys: [place.key], kinds: place.kind };
}

/** A click on row `index` (read in `span`, with the anchor when shift is held). */
export function clickRow(
  selection: Selection,
  span: KeySpan,
  index: number,
  { shift, toggle }: Modifiers,
): Selection {
  const place = placeAt(span, index);
  if (place === null) return selection;
  if (shift) {
    const anchor = selection.anchor ?? place;
    const extended = between(span, anchor.index, index);
    const selected = toggle ? new Map([...selection.selected, ...extended]) : extended;
    return { selected, anchor, focus: place };
  }
  if (toggle) {
    const selected = new Map(selection.selected);
    if (selected.has(place.key)) selected.delete(place.key);
    else selected.set(place.key, place.kind);
    return { selected, anchor: place, focus: place };
  }
  return only(place);
}

/** A right-click on the row at `place`: keeps a selection that holds it (the menu acts on all
 * of it), else selects just the row. */
export function contextRow(selection: Selection, place: Place): Selection {
  return selection.selected.has(place.key) ? { ...selection, focus: place } : only(place);
}

/** Where a move of the keyboard focus by `delta` rows lands, clamped to the `count` rows; null
 * with no rows. */
export function focusTarget(selection: Selection, count: number, delta: number): number | null {
  if (count === 0) return null;
  const from = selection.focus?.index ?? (delta > 0 ? -1 : count);
  return Math.min(Math.max(from + delta, 0), count - 1);
}

/** Moves the keyboard focus to row `index` (see `focusTarget`); selects the row, or extends with
 * shift; with `toggle` only the focus moves (ctrl+arrows, then ctrl+space picks). */
export function moveFocus(
  selection: Selection,
  span: KeySpan,
  index: number,
  { shift, toggle }: Modifiers,
): Selection {
  const place = placeAt(span, index);
  if (place === null) return selection;
  if (toggle && !shift) return { ...selection, focus: place };
  if (shift) {
    const anchor = selection.anchor ?? selection.focus ?? place;
    return { selected: between(span, anchor.index, index), anchor, focus: place };
  }
  return only(place);
}

/** Every row of `span` (all the list's rows) selected. */
export function selectAll(span: KeySpan, selection: Selection): Selection {
  const last = span.start + span.keys.length - 1;
  return {
    selected: between(span, span.start, last),
    anchor: selection.anchor,
    focus: selection.focus ?? placeAt(span, span.start),
  };
}

/** The keys whose places a new state of the list must tell (see `keepListed`). */
export function trackedKeys(selection: Selection): string[] {
  const keys = new Set(selection.selected.keys());
  if (selection.anchor) keys.add(selection.anchor.key);
  if (selection.focus) keys.add(selection.focus.key);
  return [...keys];
}

/** The selection in a new state of the list, where `places` says where each of the tracked
 * `keys` shows now (null: not at all): rows no longer listed (after a refresh, a filter, a
 * delete) are dropped. */
export function keepListed(
  selection: Selection,
  keys: readonly string[],
  shownAt: readonly (number | null)[],
): Selection {
  const places = new Map(keys.flatMap((key, at) => {
    const index = shownAt[at];
    return index === null || index === undefined ? [] : [[key, index] as const];
  }));
  const moved = (place: Place | null): Place | null => {
    const index = place === null ? undefined : places.get(place.key);
    return place === null || index === undefined ? null : { ...place, index };
  };
  return {
    selected: new Map([...selection.selected].filter(([key]) => places.has(key))),
    anchor: moved(selection.anchor),
    focus: moved(selection.focus),
  };
}
