// FileList with props that change after mounting ($state, hence a .svelte.test.ts file).
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, expect, it } from 'vitest';
import type { Entry } from '../ipc';
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
