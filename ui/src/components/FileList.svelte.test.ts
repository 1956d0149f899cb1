// FileList with props that change after mounting ($state, hence a .svelte.test.ts file).
import { type ComponentProps, flushSync, mount, unmount } from 'svelte';
import { afterEach, expect, it, vi } from 'vitest';
import type { Entry } from '../ipc';
import { NOTHING, type Selection } from '../lib/selection';
import FileList from './FileList.svelte';
import { fileListProps, shownAs } from './FileList.fixture';

const file = (name: string): Entry => ({ path: name, type: 'file', size: 1, modified: null });

let list: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (list) void unmount(list);
  list = null;
});

it('keeps the name being typed when a listing moves the row being renamed', () => {
  const props = $state(fileListProps([file('b.txt'), file('c.txt')], 'c.txt'));
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  list = mount(FileList, { target, props });
  flushSync();
  const field = (): HTMLInputElement | null => target.querySelector('[data-path="c.txt"] input');
  const typing = field();
  if (!typing) throw new Error('no rename field');
  typing.value = 'typed so far';

  Object.assign(props, shownAs([file('a.txt'), file('b.txt'), file('c.txt')]));
  flushSync();

  expect(field()).toBe(typing);
  expect(field()?.value).toBe('typed so far');
});

it('asks for the keys of rows it has not read when a shift-click spans them', async () => {
  const entries = Array.from({ length: 8 }, (_, index) => file(`f${String(index)}`));
  const props: ComponentProps<typeof FileList> = $state({
    ...fileListProps(entries),
    // Only the first two rows and the last are read.
    rowAt: (index: number) => (index < 2 || index === 7 ? entries[index] : undefined),
  });
  const asked = vi.spyOn(props, 'keysBetween');
  let chosen: Selection = NOTHING;
  props.onselect = (next: Selection) => {
    chosen = next;
    props.selection = next;
  };
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  list = mount(FileList, { target, props });
  flushSync();
  const row = (path: string): HTMLElement | null => target.querySelector(`[data-path="${path}"]`);
  row('f1')?.click();
  await vi.waitFor(() => {
    expect([...chosen.selected.keys()]).toEqual(['f1']);
  });
  row('f7')?.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true }));
  await vi.waitFor(() => {
    expect([...chosen.selected.keys()]).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']);
  });
  expect(asked).toHaveBeenLastCalledWith(1, 8);
  flushSync();
  expect(row('f7')?.getAttribute('aria-selected')).toBe('true');
  expect(chosen.focus).toEqual({ key: 'f7', kind: 'f', index: 7 });
});
