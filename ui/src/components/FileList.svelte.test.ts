// FileList with props that change after mounting ($state, hence a .svelte.test.ts file).
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, expect, it } from 'vitest';
import type { Entry } from '../ipc';
import { BY_NAME } from '../lib/entries';
import { NOTHING } from '../lib/selection';
import FileList from './FileList.svelte';

const file = (name: string): Entry => ({ path: name, type: 'file', size: 1, modified: null });

let list: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (list) void unmount(list);
  list = null;
});

it('keeps the name being typed when a listing moves the row being renamed', () => {
  const ignore = (): void => undefined;
  const props = $state({
    entries: [file('b.txt'), file('c.txt')],
    selection: NOTHING,
    sort: BY_NAME,
    label: 'Files',
    showFolder: false,
    renaming: 'c.txt',
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
  });
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  list = mount(FileList, { target, props });
  flushSync();
  const field = (): HTMLInputElement | null => target.querySelector('[data-path="c.txt"] input');
  const typing = field();
  if (!typing) throw new Error('no rename field');
  typing.value = 'typed so far';

  props.entries = [file('a.txt'), file('b.txt'), file('c.txt')];
  flushSync();

  expect(field()).toBe(typing);
  expect(field()?.value).toBe('typed so far');
});
