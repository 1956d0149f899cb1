// Multi-select as Finder and Nautilus do it, over the list's keys in shown order: a click selects
// one, shift extends from the anchor, ctrl/cmd toggles one, arrows move the focus (with shift,
// extending). Pure: each step returns a new selection.

export interface Selection {
  selected: ReadonlySet<string>;
  /** Where a shift-extension starts. */
  anchor: string | null;
  /** The row the keyboard is on. */
  focus: string | null;
}

export const NOTHING: Selection = { selected: new Set(), anchor: null, focus: null };

export interface Modifiers {
  shift: boolean;
  /** Ctrl, or Cmd on macOS. */
  toggle: boolean;
}

function range(keys: readonly string[], from: string | null, to: string): string[] {
  const end = keys.indexOf(to);
  const start = from === null ? -1 : keys.indexOf(from);
  if (end < 0) return [];
  if (start < 0) return [to];
  const [low, high] = start <= end ? [start, end] : [end, start];
  return keys.slice(low, high + 1);
}

/** A click on the row `key`. */
export function clickRow(
  selection: Selection,
  keys: readonly string[],
  key: string,
  { shift, toggle }: Modifiers,
): Selection {
  if (shift) {
    const extended = range(keys, selection.anchor, key);
    const selected = toggle ? new Set([...selection.selected, ...extended]) : new Set(extended);
    return { selected, anchor: selection.anchor ?? key, focus: key };
  }
  if (toggle) {
    const selected = new Set(selection.selected);
    if (selected.has(key)) selected.delete(key);
    else selected.add(key);
    return { selected, anchor: key, focus: key };
  }
  return { selected: new Set([key]), anchor: key, focus: key };
}

/** A right-click: keeps a selection that holds the row (the menu acts on all of it), else selects
 * just the row. */
export function contextRow(selection: Selection, key: string): Selection {
  return selection.selected.has(key)
    ? { ...selection, focus: key }
    : { selected: new Set([key]), anchor: key, focus: key };
}

/** Moves the keyboard focus by `delta` rows (clamped); selects the row, or extends with shift;
 * with `toggle` only the focus moves (ctrl+arrows, then ctrl+space picks). */
export function moveFocus(
  selection: Selection,
  keys: readonly string[],
  delta: number,
  { shift, toggle }: Modifiers,
): Selection {
  if (keys.length === 0) return selection;
  const at = selection.focus === null ? -1 : keys.indexOf(selection.focus);
  const start = at < 0 ? (delta > 0 ? -1 : keys.length) : at;
  const index = Math.min(Math.max(start + delta, 0), keys.length - 1);
  const key = keys[index];
  if (key === undefined) return selection;
  if (toggle && !shift) return { ...selection, focus: key };
  if (shift) {
    const anchor = selection.anchor ?? selection.focus ?? key;
    return { selected: new Set(range(keys, anchor, key)), anchor, focus: key };
  }
  return { selected: new Set([key]), anchor: key, focus: key };
}

export function selectAll(keys: readonly string[], selection: Selection): Selection {
  return { selected: new Set(keys), anchor: selection.anchor, focus: selection.focus ?? keys[0] ?? null };
}

/** Drops keys no longer listed (after a refresh, a filter, a delete). */
export function keepListed(selection: Selection, keys: readonly string[]): Selection {
  const listed = new Set(keys);
  const selected = new Set([...selection.selected].filter((key) => listed.has(key)));
  if (
    selected.size === selection.selected.size &&
    (selection.focus === null || listed.has(selection.focus))
  ) {
    return selection;
  }
  return {
    selected,
    anchor: selection.anchor !== null && listed.has(selection.anchor) ? selection.anchor : null,
    focus: selection.focus !== null && listed.has(selection.focus) ? selection.focus : null,
  };
}
