import { describe, expect, it } from 'vitest';
import {
  clickRow,
  contextRow,
  focusTarget,
  keepListed,
  type KeySpan,
  moveFocus,
  NOTHING,
  selectAll,
  type Selection,
  spanFor,
  spanOf,
  trackedKeys,
} from './selection';

const all: KeySpan = { start: 0, keys: ['a', 'b', 'c', 'd', 'e'], kinds: 'dffuf' };
const plain = { shift: false, toggle: false };
const shift = { shift: true, toggle: false };
const toggle = { shift: false, toggle: true };
const chosen = (selection: Selection): string[] => [...selection.selected.keys()].sort();

describe('selection', () => {
  it('selects one row on a plain click, with what it is', () => {
    const one = clickRow(NOTHING, all, 1, plain);
    expect(chosen(one)).toEqual(['b']);
    expect(one.focus).toEqual({ key: 'b', kind: 'f', index: 1 });
    expect(clickRow(one, all, 3, plain).selected).toEqual(new Map([['d', 'u']]));
  });

  it('extends from the anchor with shift, either way', () => {
    const anchored = clickRow(NOTHING, all, 1, plain);
    expect(chosen(clickRow(anchored, all, 3, shift))).toEqual(['b', 'c', 'd']);
    const back = clickRow(clickRow(anchored, all, 3, shift), all, 0, shift);
    expect(chosen(back)).toEqual(['a', 'b']);
    expect(back.anchor?.key).toBe('b');
  });

  it('works from a span of only the rows a step needs', () => {
    const anchored = clickRow(NOTHING, all, 4, plain);
    expect(spanFor(anchored, 2, true)).toEqual({ start: 2, end: 5 });
    expect(spanFor(anchored, 2, false)).toEqual({ start: 2, end: 3 });
    const part: KeySpan = { start: 2, keys: ['c', 'd', 'e'], kinds: 'fuf' };
    expect(chosen(clickRow(anchored, part, 2, shift))).toEqual(['c', 'd', 'e']);
    expect(clickRow(anchored, part, 0, plain)).toBe(anchored);
  });

  it('toggles single rows with ctrl/cmd, moving the anchor', () => {
    let selection = clickRow(NOTHING, all, 0, plain);
    selection = clickRow(selection, all, 2, toggle);
    expect(chosen(selection)).toEqual(['a', 'c']);
    selection = clickRow(selection, all, 0, toggle);
    expect(chosen(selection)).toEqual(['c']);
    expect(selection.anchor?.key).toBe('a');
    selection = clickRow(selection, all, 2, shift);
    expect(chosen(selection)).toEqual(['a', 'b', 'c']);
    const focus = selection.focus;
    expect(focus && chosen(clickRow(selection, spanOf(focus), focus.index, toggle))).toEqual(['a', 'b']);
  });

  it('adds a range to the selection with ctrl+shift', () => {
    let selection = clickRow(NOTHING, all, 0, plain);
    selection = clickRow(selection, all, 2, toggle);
    selection = clickRow(selection, all, 4, { shift: true, toggle: true });
    expect(chosen(selection)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('keeps the selection for a right-click inside it, else selects the row', () => {
    const two = clickRow(clickRow(NOTHING, all, 0, plain), all, 1, shift);
    expect(chosen(contextRow(two, { key: 'b', kind: 'f', index: 1 }))).toEqual(['a', 'b']);
    expect(chosen(contextRow(two, { key: 'd', kind: 'u', index: 3 }))).toEqual(['d']);
  });

  it('moves with the arrows, clamped, extending with shift', () => {
    const move = (selection: Selection, delta: number, mods = plain): Selection =>
      moveFocus(selection, all, focusTarget(selection, 5, delta) ?? -1, mods);
    let selection = move(NOTHING, 1);
    expect(selection.focus?.key).toBe('a');
    selection = move(selection, 1);
    expect(chosen(selection)).toEqual(['b']);
    selection = move(selection, 2, shift);
    expect(chosen(selection)).toEqual(['b', 'c', 'd']);
    selection = move(selection, 99);
    expect(chosen(selection)).toEqual(['e']);
    expect(move(NOTHING, -1).focus?.key).toBe('e');
    expect(focusTarget(NOTHING, 0, 1)).toBeNull();
  });

  it('moves only the focus with ctrl', () => {
    const selection = moveFocus(clickRow(NOTHING, all, 0, plain), all, 2, toggle);
    expect(selection.focus?.key).toBe('c');
    expect(chosen(selection)).toEqual(['a']);
  });

  it('selects everything with ctrl/cmd+A', () => {
    const everything = selectAll(all, NOTHING);
    expect(chosen(everything)).toEqual(all.keys);
    expect(everything.focus?.key).toBe('a');
  });

  it('follows its rows to their new places and forgets those no longer listed', () => {
    const selection = clickRow(clickRow(NOTHING, all, 1, plain), all, 3, shift);
    expect(trackedKeys(selection).sort()).toEqual(['b', 'c', 'd']);
    const kept = keepListed(selection, ['c', 'd', 'b'], [0, null, 7]);
    expect(chosen(kept)).toEqual(['b', 'c']);
    expect(kept.anchor).toEqual({ key: 'b', kind: 'f', index: 7 });
    expect(kept.focus).toBeNull();
    expect(trackedKeys(NOTHING)).toEqual([]);
  });
});
