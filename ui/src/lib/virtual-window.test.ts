import { describe, expect, it } from 'vitest';
import { revealRow, rowWindow, rowsPerPage, windowSlots } from './virtual-window';

describe('rowWindow', () => {
  it('renders nothing for an empty list', () => {
    expect(
      rowWindow({ count: 0, rowHeight: 32, scrollTop: 0, viewportHeight: 600 }),
    ).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
  });

  it('renders the visible rows plus the overscan at the top', () => {
    expect(
      rowWindow({ count: 100_000, rowHeight: 32, scrollTop: 0, viewportHeight: 320, overscan: 5 }),
    ).toEqual({ start: 0, end: 15, offset: 0, height: 3_200_000 });
  });

  it('keeps the window small deep in a huge list', () => {
    const window = rowWindow({
      count: 100_000,
      rowHeight: 32,
      scrollTop: 1_600_016,
      viewportHeight: 640,
      overscan: 4,
    });
    // Row 50,000 is half hidden at the top; rows up to 50,020 show.
    expect(window).toEqual({ start: 49_996, end: 50_025, offset: 49_996 * 32, height: 3_200_000 });
    expect(window.end - window.start).toBeLessThan(40);
  });

  it('clamps a scroll past the end (a list that shrank) to the last rows', () => {
    const window = rowWindow({
      count: 50,
      rowHeight: 20,
      scrollTop: 99_999,
      viewportHeight: 200,
      overscan: 2,
    });
    expect(window).toMatchObject({ start: 38, end: 50, offset: 760 });
  });

  it('renders every row of a list shorter than the viewport', () => {
    expect(
      rowWindow({ count: 3, rowHeight: 32, scrollTop: 0, viewportHeight: 600 }),
    ).toMatchObject({ start: 0, end: 3 });
  });
});

describe('revealRow', () => {
  it('leaves a visible row alone', () => {
    expect(revealRow(5, 32, 0, 320)).toBeNull();
  });

  it('scrolls up to a row above the viewport', () => {
    expect(revealRow(2, 32, 320, 320)).toBe(64);
  });

  it('scrolls down just enough for a row below the viewport', () => {
    expect(revealRow(10, 32, 0, 320)).toBe(32);
  });
});

describe('rowsPerPage', () => {
  it('moves one row less than a screenful, at least one', () => {
    expect(rowsPerPage(32, 640)).toBe(19);
    expect(rowsPerPage(32, 10)).toBe(1);
  });
});

describe('windowSlots', () => {
  it('gives every row of any window its own slot', () => {
    for (const viewportHeight of [0, 35, 36, 500, 721]) {
      const slots = windowSlots(36, viewportHeight);
      for (let scrollTop = 0; scrollTop < 5000; scrollTop += 7) {
        const { start, end } = rowWindow({ count: 1000, rowHeight: 36, scrollTop, viewportHeight });
        const used = new Set(Array.from({ length: end - start }, (_, i) => (start + i) % slots));
        expect(used.size).toBe(end - start);
      }
    }
  });
});
