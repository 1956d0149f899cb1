// The windowing math of a virtualized list with rows of one fixed height: which rows to render for a
// scroll position, and where to scroll so a row shows. Pure, so it is tested without a DOM.

/** The rows to render, `start` inclusive and `end` exclusive, and where the first one sits. */
export interface RowWindow {
  start: number;
  end: number;
  /** The first rendered row's top, in pixels from the top of the whole list. */
  offset: number;
  /** The whole list's height, so the scrollbar matches the row count. */
  height: number;
}

export interface WindowInput {
  count: number;
  rowHeight: number;
  scrollTop: number;
  viewportHeight: number;
  /** Rows rendered beyond each edge, so a fast scroll does not show blanks. */
  overscan?: number;
}

const OVERSCAN = 8;

export function rowWindow({
  count,
  rowHeight,
  scrollTop,
  viewportHeight,
  overscan = OVERSCAN,
}: WindowInput): RowWindow {
  const height = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, height };
  const top = Math.min(Math.max(scrollTop, 0), Math.max(height - viewportHeight, 0));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(viewportHeight, 0)) / rowHeight);
  const start = Math.max(first - overscan, 0);
  const end = Math.min(last + overscan, count);
  return { start, end, offset: start * rowHeight, height };
}

/** The scroll position that shows row `index` whole, moving as little as possible; null when it
 * shows already. */
export function revealRow(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(bottom - viewportHeight, 0);
  return null;
}

/** How many whole rows a page (PageUp/PageDown) moves. */
export function rowsPerPage(rowHeight: number, viewportHeight: number): number {
  return Math.max(Math.floor(viewportHeight / rowHeight) - 1, 1);
}

/** How many distinct row slots a window of `rowWindow` (default overscan) needs at most: rows
 * keyed by their index modulo this never share a key within one window. */
export function windowSlots(rowHeight: number, viewportHeight: number): number {
  return Math.ceil(Math.max(viewportHeight, 0) / Math.max(rowHeight, 1)) + 2 * OVERSCAN + 2;
}
