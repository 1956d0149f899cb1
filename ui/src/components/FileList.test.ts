import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entry } from '../ipc';
import FileList from './FileList.svelte';
import { fileListProps } from './FileList.fixture';

const ROW_HEIGHT = 36;
const entries: Entry[] = Array.from({ length: 1000 }, (_, i) => ({
  path: `huge/file-${String(i).padStart(4, '0')}.txt`,
  type: 'file',
  size: i,
  modified: null,
}));

let list: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (list) void unmount(list);
  list = null;
});

function show(props: ReturnType<typeof fileListProps> = fileListProps(entries)): HTMLElement {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  list = mount(FileList, { target, props });
  flushSync();
  return target;
}

function scrollTo(target: HTMLElement, top: number): void {
  const grid = target.querySelector<HTMLElement>('[data-testid="file-grid"]');
  if (!grid) throw new Error('no grid');
  grid.scrollTop = top;
  grid.dispatchEvent(new Event('scroll'));
  flushSync();
}

const rows = (target: HTMLElement): HTMLElement[] => [
  ...target.querySelectorAll<HTMLElement>('[data-testid="entry-row"]'),
];

function rowOf(target: HTMLElement, path: string): HTMLElement {
  const row = rows(target).find((element) => element.dataset.path === path);
  if (!row) throw new Error(`no row for ${path}`);
  return row;
}

describe('FileList', () => {
  it('draws each row in view with its own entry wherever the list is scrolled', () => {
    const target = show();
    for (const top of [0, 36 * 3, 36 * 500, 36 * 17, 36 * 990, 0]) {
      scrollTo(target, top);
      const drawn = rows(target);
      expect(drawn.length).toBeGreaterThan(0);
      for (const row of drawn) {
        const index = Number(row.getAttribute('aria-rowindex')) - 2;
        expect(row.dataset.path).toBe(entries[index]?.path);
        expect(row.style.top).toBe(`${String(index * ROW_HEIGHT)}px`);
        expect(row.querySelector('.text')?.textContent).toBe(entries[index]?.path.slice(5));
        expect(row.querySelector('.size')?.textContent.trim()).toMatch(
          index === 1 ? /^1 byte$/ : new RegExp(`^${String(index)} bytes$`),
        );
      }
    }
  });

  it('keeps a row that stays in view, and the name being typed in it, through a scroll', () => {
    const target = show(fileListProps(entries, 'huge/file-0010.txt'));
    scrollTo(target, 36 * 5);
    const row = rowOf(target, 'huge/file-0010.txt');
    const input = row.querySelector('input');
    if (!input) throw new Error('no rename field');
    input.value = 'typed so far';
    scrollTo(target, 36 * 8);
    expect(rowOf(target, 'huge/file-0010.txt')).toBe(row);
    expect(row.querySelector('input')?.value).toBe('typed so far');
    expect(rows(target).filter((element) => element.querySelector('input'))).toHaveLength(1);
  });

  it('names the focused row as the active one only once it has an element', () => {
    const focusOn = (index: number): HTMLElement | null => {
      const entry = entries[index];
      if (!entry) throw new Error('no entry');
      const target = show({
        ...fileListProps(entries),
        rowAt: (at: number) => (at < 3 ? entries[at] : undefined),
        selection: { selected: new Map(), anchor: null, focus: { key: entry.path, kind: 'f', index } },
      });
      return target.querySelector('[data-testid="file-grid"]');
    };
    expect(focusOn(1)?.getAttribute('aria-activedescendant')).toBe('entry-row-1');
    // Row 5 is in view but not read: it has no element to name yet.
    expect(focusOn(5)?.hasAttribute('aria-activedescendant')).toBe(false);
  });

  it('has elements only for rows read, and says which rows came into view', () => {
    const seen: [number, number][] = [];
    const props = {
      ...fileListProps(entries),
      rowAt: (index: number) => (index < 3 ? entries[index] : undefined),
      onview: (start: number, end: number) => {
        seen.push([start, end]);
      },
    };
    const target = show(props);
    // The rows not read are drawn by the list's background.
    expect(rows(target).map((row) => row.getAttribute('aria-rowindex'))).toEqual(['2', '3', '4']);
    expect(rowOf(target, 'huge/file-0001.txt').dataset.type).toBe('file');
    scrollTo(target, 36 * 500);
    const [start, end] = seen.at(-1) ?? [0, 0];
    expect(start).toBeLessThanOrEqual(500);
    expect(end).toBeGreaterThan(500);
  });
});
