import { describe, expect, it } from 'vitest';
import {
  clickRow,
  contextRow,
  keepListed,
  moveFocus,
  NOTHING,
  selectAll,
  type Selection,
} from './selection';

const keys = ['a', 'b', 'c', 'd', 'e'];
const plain = { shift: false, toggle: false };
const shift = { shift: true, toggle: false };
const toggle = { shift: false, toggle: true };
const chosen = (selection: Selection): string[] => [...selection.selected].sort();

describe('selection', () => {
  it('selects one row on a plain click', () => {
    const one = clickRow(NOTHING, keys, 'b', plain);
    expect(chosen(one)).toEqual(['b']);
    expect(chosen(clickRow(one, keys, 'd', plain))).toEqual(['d']);
  });

  it('extends from the anchor with shift, either way', () => {
    const anchored = clickRow(NOTHING, keys, 'b', plain);
    expect(chosen(clickRow(anchored, keys, 'd', shift))).toEqual(['b', 'c', 'd']);
    const back = clickRow(clickRow(anchored, keys, 'd', shift), keys, 'a', shift);
    expect(chosen(back)).toEqual(['a', 'b']);
    expect(back.anchor).toBe('b');
  });

  it('toggles single rows with ctrl/cmd, moving the anchor', () => {
    let selection = clickRow(NOTHING, keys, 'a', plain);
    selection = clickRow(selection, keys, 'c', toggle);
    expect(chosen(selection)).toEqual(['a', 'c']);
    selection = clickRow(selection, keys, 'a', toggle);
    expect(chosen(selection)).toEqual(['c']);
    expect(selection.anchor).toBe('a');
    selection = clickRow(selection, keys, 'c', shift);
    expect(chosen(selection)).toEqual(['a', 'b', 'c']);
  });

  it('adds a range to the selection with ctrl+shift', () => {
    let selection = clickRow(NOTHING, keys, 'a', plain);
    selection = clickRow(selection, keys, 'c', toggle);
    selection = clickRow(selection, keys, 'e', { shift: true, toggle: true });
    expect(chosen(selection)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('keeps the selection for a right-click inside it, else selects the row', () => {
    const two = clickRow(clickRow(NOTHING, keys, 'a', plain), keys, 'b', shift);
    expect(chosen(contextRow(two, 'b'))).toEqual(['a', 'b']);
    expect(chosen(contextRow(two, 'd'))).toEqual(['d']);
  });

  it('moves with the arrows, clamped, extending with shift', () => {
    let selection = moveFocus(NOTHING, keys, 1, plain);
    expect(selection.focus).toBe('a');
    selection = moveFocus(selection, keys, 1, plain);
    expect(chosen(selection)).toEqual(['b']);
    selection = moveFocus(selection, keys, 2, shift);
    expect(chosen(selection)).toEqual(['b', 'c', 'd']);
    selection = moveFocus(selection, keys, 99, plain);
    expect(chosen(selection)).toEqual(['e']);
    expect(moveFocus(NOTHING, keys, -1, plain).focus).toBe('e');
    expect(moveFocus(NOTHING, [], 1, plain)).toBe(NOTHING);
  });

  it('moves only the focus with ctrl', () => {
    const selection = moveFocus(clickRow(NOTHING, keys, 'a', plain), keys, 2, toggle);
    expect(selection.focus).toBe('c');
    expect(chosen(selection)).toEqual(['a']);
  });

  it('selects everything with ctrl/cmd+A', () => {
    expect(chosen(selectAll(keys, NOTHING))).toEqual(keys);
  });

  it('forgets rows that are no longer listed', () => {
    const selection = clickRow(clickRow(NOTHING, keys, 'b', plain), keys, 'd', shift);
    const kept = keepListed(selection, ['a', 'c', 'e']);
    expect(chosen(kept)).toEqual(['c']);
    expect(kept.focus).toBeNull();
    expect(keepListed(selection, keys)).toBe(selection);
  });
});
