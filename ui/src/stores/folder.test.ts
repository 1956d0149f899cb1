import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { AppError, Entry } from '../ipc';
import { deferred, fail } from './ipc-mock';
import { entryName, FolderStore, sortEntries } from './folder.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

const file = (path: string): Entry => ({ path, type: 'file', size: 1, modified: null });
const folder = (path: string): Entry => ({ path, type: 'folder' });

let lost: AppError[];
let store: FolderStore;
beforeEach(() => {
  vi.resetAllMocks();
  lost = [];
  store = new FolderStore((error) => lost.push(error));
});

describe('entries', () => {
  it('are named by their last segment, unusable ones by their readable form', () => {
    expect(entryName(file('photos/2024/beach.jpg'))).toBe('beach.jpg');
    expect(entryName(folder('photos/2024/'))).toBe('2024');
    expect(
      entryName({ path: 'x', type: 'unusable', readable: 'bad\\u0000name', problem: 'NUL' }),
    ).toBe('bad\\u0000name');
  });

  it('sort folders first, then by name as a person would', () => {
    const sorted = sortEntries([
      file('b.txt'),
      folder('zeta/'),
      file('File 10.txt'),
      folder('Alpha/'),
      file('file 2.txt'),
      file('a.txt'),
    ]);
    expect(sorted.map(entryName)).toEqual([
      'Alpha',
      'zeta',
      'a.txt',
      'b.txt',
      'file 2.txt',
      'File 10.txt',
    ]);
  });
});

describe('FolderStore', () => {
  it('lists the root', async () => {
    vi.mocked(ipc.listFolder).mockResolvedValue([file('b'), folder('a/')]);
    const loading = store.load();
    expect(store.status).toBe('loading');
    await loading;
    expect(ipc.listFolder).toHaveBeenCalledWith('');
    expect(store.status).toBe('loaded');
    expect(store.sorted.map(entryName)).toEqual(['a', 'b']);
  });

  it('keeps an ordinary failure to show, without ending the session', async () => {
    vi.mocked(ipc.listFolder).mockRejectedValue(fail('net.offline'));
    await store.load();
    expect(store.status).toBe('failed');
    expect(store.error?.code).toBe('net.offline');
    expect(lost).toEqual([]);
  });

  it('hands an ended session to the session store', async () => {
    vi.mocked(ipc.listFolder).mockRejectedValue(fail('auth.session_expired', 'expired'));
    await store.load();
    expect(lost).toEqual([fail('auth.session_expired', 'expired')]);
  });

  it('drops the answer of an older request', async () => {
    const slow = deferred<Entry[]>();
    vi.mocked(ipc.listFolder).mockReturnValueOnce(slow.promise);
    vi.mocked(ipc.listFolder).mockResolvedValueOnce([file('new')]);
    const first = store.load();
    await store.load();
    slow.resolve([file('old')]);
    await first;
    expect(store.sorted.map(entryName)).toEqual(['new']);
  });

  it('forgets everything on clear', async () => {
    vi.mocked(ipc.listFolder).mockResolvedValue([file('secret.txt')]);
    await store.load();
    store.clear();
    expect(store.entries).toEqual([]);
    expect(store.status).toBe('idle');
  });
});
