import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { AppError, Entry } from '../ipc';
import { entryName } from '../lib/entries';
import { deferred, fail, pagesOf } from './ipc-mock';
import { FolderStore, isOffline } from './folder.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

const file = (path: string): Entry => ({ path, type: 'file', size: 1, modified: null });
const folder = (path: string): Entry => ({ path, type: 'folder' });
const names = (store: FolderStore): string[] => store.entries.map(entryName);

function listing(...pages: Entry[][]): void {
  vi.mocked(ipc.listFolder).mockImplementation(pagesOf(...pages));
}

let lost: AppError[];
let store: FolderStore;
beforeEach(() => {
  vi.resetAllMocks();
  lost = [];
  store = new FolderStore((error) => lost.push(error));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FolderStore', () => {
  it('lists a folder, page by page, complete once the listing resolves', async () => {
    listing([file('b')], [folder('a')]);
    const loading = store.open('Photos');
    expect(store.status).toBe('loading');
    expect(store.complete).toBe(false);
    await loading;
    expect(ipc.listFolder).toHaveBeenCalledWith('Photos', expect.any(Function));
    expect(store.status).toBe('loaded');
    expect(store.complete).toBe(true);
    expect(names(store)).toEqual(['b', 'a']);
  });

  it('shows the first page while the rest is still coming', async () => {
    const rest = deferred<null>();
    let send: (entries: Entry[]) => void = () => undefined;
    vi.mocked(ipc.listFolder).mockImplementation((_path, onPage) => {
      send = onPage;
      return rest.promise;
    });
    const loading = store.open('');
    send([file('first')]);
    expect(names(store)).toEqual(['first']);
    expect(store.complete).toBe(false);
    send([file('second')]);
    rest.resolve(null);
    await loading;
    expect(names(store)).toEqual(['first', 'second']);
  });

  it('keeps the old rows during a refresh and swaps when it completes', async () => {
    listing([file('old')]);
    await store.open('');
    const rest = deferred<null>();
    let send: (entries: Entry[]) => void = () => undefined;
    vi.mocked(ipc.listFolder).mockImplementation((_path, onPage) => {
      send = onPage;
      return rest.promise;
    });
    const refreshing = store.refresh();
    send([file('new')]);
    expect(names(store)).toEqual(['old']);
    expect(store.complete).toBe(true);
    rest.resolve(null);
    await refreshing;
    expect(names(store)).toEqual(['new']);
  });

  it('keeps the very rows on show when a refresh finds the folder unchanged', async () => {
    listing([folder('a'), file('b')]);
    await store.open('');
    const shown = store.entries;
    listing([folder('a')], [file('b')]);
    await store.refresh();
    expect(store.entries).toBe(shown);
    listing([folder('a'), { path: 'b', type: 'file', size: 2, modified: null }]);
    await store.refresh();
    expect(store.entries).not.toBe(shown);
    expect(store.entries[1]).toMatchObject({ size: 2 });
  });

  it('keeps the rows when a refresh finds the network down, and says so', async () => {
    listing([file('kept')]);
    await store.open('');
    vi.mocked(ipc.listFolder).mockRejectedValue(fail('net.offline'));
    await store.refresh();
    expect(names(store)).toEqual(['kept']);
    expect(store.status).toBe('failed');
    expect(isOffline(store.error)).toBe(true);
    expect(lost).toEqual([]);
  });

  it('keeps saying why a listing failed while it tries again, until one works', async () => {
    vi.mocked(ipc.listFolder).mockRejectedValue(fail('net.offline'));
    await store.open('');
    const retry = deferred<null>();
    vi.mocked(ipc.listFolder).mockReturnValue(retry.promise);
    const refreshing = store.refresh();
    expect(store.status).toBe('loading');
    expect(store.error?.code).toBe('net.offline');
    retry.resolve(null);
    await refreshing;
    expect(store.error).toBeNull();
    expect(store.status).toBe('loaded');
  });

  it('hands an ended session to the session store', async () => {
    vi.mocked(ipc.listFolder).mockRejectedValue(fail('auth.session_expired', 'expired'));
    await store.open('');
    expect(lost).toEqual([fail('auth.session_expired', 'expired')]);
  });

  it('drops the pages and answer of an older listing', async () => {
    const slow = deferred<null>();
    let sendOld: (entries: Entry[]) => void = () => undefined;
    vi.mocked(ipc.listFolder).mockImplementationOnce((_path, onPage) => {
      sendOld = onPage;
      return slow.promise;
    });
    const first = store.open('old');
    listing([file('new')]);
    await store.open('new');
    sendOld([file('old')]);
    slow.reject(fail('transfer.cancelled'));
    await first;
    expect(names(store)).toEqual(['new']);
    expect(store.status).toBe('loaded');
  });

  it('searches below the folder and goes back to the listing for an empty query', async () => {
    vi.mocked(ipc.searchFolder).mockImplementation((_path, _query, onPage) => {
      onPage([file('Photos/deep/beach.jpg')]);
      return Promise.resolve(null);
    });
    listing([folder('Photos/deep')]);
    await store.open('Photos');
    await store.search('  beach ');
    expect(ipc.searchFolder).toHaveBeenCalledWith('Photos', 'beach', expect.any(Function));
    expect(store.mode).toEqual({ kind: 'search', query: 'beach' });
    expect(names(store)).toEqual(['beach.jpg']);
    await store.search('');
    expect(store.mode).toEqual({ kind: 'folder' });
    expect(names(store)).toEqual(['deep']);
  });

  it('refreshes by itself while visible, never two listings at once', async () => {
    vi.useFakeTimers();
    listing([file('a')]);
    await store.open('');
    let visible = false;
    const stop = store.autoRefresh(() => visible);
    await vi.advanceTimersByTimeAsync(6000);
    expect(ipc.listFolder).toHaveBeenCalledTimes(1);
    visible = true;
    const held = deferred<null>();
    vi.mocked(ipc.listFolder).mockReturnValue(held.promise);
    await vi.advanceTimersByTimeAsync(6000);
    expect(ipc.listFolder).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ipc.listFolder).toHaveBeenCalledTimes(2);
    held.resolve(null);
    stop();
  });

  it('waits the refresh time from the end of the last listing, so a folder just opened is not listed again at once', async () => {
    vi.useFakeTimers();
    listing([file('a')]);
    await store.open('');
    const stop = store.autoRefresh(() => true);
    await vi.advanceTimersByTimeAsync(4000);
    await store.open('Photos');
    expect(ipc.listFolder).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(4000);
    expect(ipc.listFolder).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1500);
    expect(ipc.listFolder).toHaveBeenCalledTimes(3);
    expect(ipc.listFolder).toHaveBeenLastCalledWith('Photos', expect.any(Function));
    stop();
  });

  it('refreshes the listing and usage soon after an upload lands in the folder on show, once per burst', async () => {
    vi.useFakeTimers();
    listing([file('a')]);
    vi.mocked(ipc.folderUsage).mockResolvedValue({ files: 2, bytes: 10 });
    await store.open('Photos');
    store.landed('Photos/x.jpg');
    store.landed('Photos/sub/y.jpg');
    store.landed('Elsewhere/z.jpg');
    await vi.advanceTimersByTimeAsync(1000);
    expect(ipc.listFolder).toHaveBeenCalledTimes(2);
    expect(ipc.folderUsage).toHaveBeenCalledTimes(1);
    expect(store.usage).toEqual({ files: 2, bytes: 10 });
  });

  it('runs an operation, then lists again; a failure is kept to show', async () => {
    listing([file('a')]);
    await store.open('Docs');
    vi.mocked(ipc.createFolder).mockRejectedValue(fail('storage.already_exists', 'taken'));
    await store.createFolder('New');
    expect(ipc.createFolder).toHaveBeenCalledWith('Docs/New');
    expect(store.actionError?.code).toBe('storage.already_exists');
    expect(ipc.listFolder).toHaveBeenCalledTimes(2);
    vi.mocked(ipc.renameEntry).mockResolvedValue('Docs/b');
    await store.rename('Docs/a', 'b');
    expect(ipc.renameEntry).toHaveBeenCalledWith('Docs/a', 'Docs/b');
    expect(store.actionError).toBeNull();
  });

  it('reports a delete that left something behind', async () => {
    listing([]);
    await store.open('');
    vi.mocked(ipc.deleteEntries).mockResolvedValue({
      deleted: 1,
      failed: [{ path: 'b', error: fail('storage.access_denied', 'denied') }],
    });
    vi.mocked(ipc.deleteUnusable).mockResolvedValue({ deleted: 1, failed: [] });
    await store.remove(['a', 'b'], ['bad\u0001']);
    expect(ipc.deleteUnusable).toHaveBeenCalledWith(['bad\u0001']);
    expect(store.actionError?.message).toBe('Could not delete “b”: denied');
  });

  it('forgets everything on clear', async () => {
    listing([file('secret.txt')]);
    await store.open('');
    store.clear();
    expect(store.entries).toEqual([]);
    expect(store.status).toBe('idle');
  });
});
