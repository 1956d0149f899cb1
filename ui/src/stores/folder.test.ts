import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { AppError, Entry, ListingUpdate } from '../ipc';
import { BY_NAME } from '../lib/entries';
import { deferred, fail, shellList } from './ipc-mock';
import { FolderStore, isOffline } from './folder.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

const file = (path: string, size = 1): Entry => ({ path, type: 'file', size, modified: null });
const folder = (path: string): Entry => ({ path, type: 'folder' });
const FRESH = { order: BY_NAME, filter: '' };

function listing(...pages: Entry[][]): void {
  shellList(ipc, ...pages);
}

/** A listing held open: its updates are sent by hand, and it resolves when told. */
function heldListing(): { send: (update: ListingUpdate) => void; end: () => void } {
  const rest = deferred<null>();
  let onUpdate: (update: ListingUpdate) => void = () => undefined;
  vi.mocked(ipc.listFolder).mockImplementationOnce((_path, _view, _refresh, send) => {
    onUpdate = send;
    return rest.promise;
  });
  return {
    send: (update) => {
      onUpdate(update);
    },
    end: () => {
      rest.resolve(null);
    },
  };
}

const update = (generation: number, shown: number): ListingUpdate => ({
  generation,
  shown,
  listed: shown,
  bytes: shown,
});

/** The keys of every row the store shows, as the file list would read them. */
async function shownKeys(): Promise<readonly string[] | undefined> {
  return (await store.keysBetween(0, store.shown))?.keys;
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
  it('lists a folder into the shell, showing its rows in order, complete once the listing resolves', async () => {
    listing([file('Photos/b', 5)], [folder('Photos/a')]);
    const loading = store.open('Photos');
    expect(store.status).toBe('loading');
    expect(store.complete).toBe(false);
    await loading;
    expect(ipc.listFolder).toHaveBeenCalledWith('Photos', FRESH, false, expect.any(Function));
    expect(store.status).toBe('loaded');
    expect(store.complete).toBe(true);
    expect(await store.keysBetween(0, 2)).toEqual({ start: 0, keys: ['Photos/a', 'Photos/b'], kinds: 'df' });
    expect([store.shown, store.listed, store.bytes]).toEqual([2, 2, 5]);
  });

  it('shows the first update while the rest is still coming, and drops an older one', async () => {
    const held = heldListing();
    const loading = store.open('');
    held.send(update(4, 1));
    expect([store.generation, store.shown]).toEqual([4, 1]);
    expect(store.complete).toBe(false);
    held.send(update(3, 7));
    held.send(update(5, 2));
    held.end();
    await loading;
    expect([store.generation, store.shown]).toEqual([5, 2]);
  });

  it('asks the shell for a refresh, keeping the rows on show until it sends new ones', async () => {
    listing([file('old')]);
    await store.open('');
    const held = heldListing();
    const refreshing = store.refresh();
    expect(ipc.listFolder).toHaveBeenLastCalledWith('', FRESH, true, expect.any(Function));
    expect(await shownKeys()).toEqual(['old']);
    expect(store.complete).toBe(true);
    held.send(update(99, 3));
    held.end();
    await refreshing;
    expect([store.generation, store.shown]).toEqual([99, 3]);
  });

  it('keeps the rows when a refresh finds the network down, and says so', async () => {
    listing([file('kept')]);
    await store.open('');
    vi.mocked(ipc.listFolder).mockRejectedValue(fail('net.offline'));
    await store.refresh();
    expect(await shownKeys()).toEqual(['kept']);
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

  it('drops the updates and answer of an older listing', async () => {
    const old = heldListing();
    const first = store.open('old');
    listing([file('new')]);
    await store.open('new');
    old.send(update(1000, 5));
    old.end();
    await first;
    expect(await shownKeys()).toEqual(['new']);
    expect(store.status).toBe('loaded');
  });

  it('searches below the folder, unfiltered, and goes back to the listing for an empty query', async () => {
    listing([folder('Photos/deep')]);
    await store.open('Photos');
    listing([file('Photos/deep/beach.jpg')]);
    await store.setFilter('beach');
    await store.search('  beach ');
    expect(ipc.searchFolder).toHaveBeenCalledWith('Photos', 'beach', BY_NAME, expect.any(Function));
    expect(store.mode).toEqual({ kind: 'search', query: 'beach' });
    expect(await shownKeys()).toEqual(['Photos/deep/beach.jpg']);
    const arranged = vi.mocked(ipc.arrangeListing).mock.calls.length;
    await store.setFilter('beach and more');
    expect(ipc.arrangeListing).toHaveBeenCalledTimes(arranged);
    listing([folder('Photos/deep')]);
    await store.search('');
    expect(store.mode).toEqual({ kind: 'folder' });
    expect(store.filter).toBe('');
    expect(await shownKeys()).toEqual(['Photos/deep']);
  });

  it('sorts and filters in the shell', async () => {
    listing([file('b.txt', 1), file('a.txt', 9), file('c.md', 5)]);
    await store.open('');
    await store.setSort({ column: 'size', descending: true });
    expect(await shownKeys()).toEqual(['a.txt', 'c.md', 'b.txt']);
    await store.setFilter('TXT');
    expect(ipc.arrangeListing).toHaveBeenLastCalledWith({ column: 'size', descending: true }, 'TXT');
    expect(await shownKeys()).toEqual(['a.txt', 'b.txt']);
    expect(store.listed).toBe(3);
    listing([file('d.txt', 2)]);
    await store.refresh();
    expect(ipc.listFolder).toHaveBeenLastCalledWith(
      '',
      { order: { column: 'size', descending: true }, filter: 'TXT' },
      true,
      expect.any(Function),
    );
  });

  it('reads the rows in view, and some around, once per state of the list', async () => {
    listing(Array.from({ length: 500 }, (_, index) => file(`f${String(index).padStart(3, '0')}`, index)));
    await store.open('');
    expect(store.rowAt(250)).toBeUndefined();
    await store.showRows(250, 260);
    expect(ipc.listingRows).toHaveBeenCalledTimes(1);
    expect(ipc.listingRows).toHaveBeenLastCalledWith(expect.any(Number), 150, 360);
    expect(store.rowAt(250)).toEqual(file('f250', 250));
    expect(store.rowAt(149)).toBeUndefined();
    await store.showRows(200, 300);
    expect(ipc.listingRows).toHaveBeenCalledTimes(1);
    await store.setSort({ column: 'name', descending: true });
    expect(store.rowAt(250)).toBeUndefined();
    await vi.waitFor(() => {
      expect(store.rowAt(250)).toEqual(file('f249', 249));
    });
    expect(ipc.listingRows).toHaveBeenCalledTimes(2);
  });

  it('reads one view at a time, the latest next', async () => {
    listing(Array.from({ length: 5000 }, (_, index) => file(`f${String(index).padStart(4, '0')}`, index)));
    await store.open('');
    const held = deferred<Entry[] | null>();
    const answer = vi.mocked(ipc.listingRows).getMockImplementation();
    vi.mocked(ipc.listingRows).mockReturnValueOnce(held.promise);
    const first = store.showRows(0, 20);
    void store.showRows(100, 120);
    void store.showRows(130, 150);
    expect(ipc.listingRows).toHaveBeenCalledTimes(1);
    held.resolve(answer ? await answer(store.generation, 0, 120) : null);
    await first;
    expect(ipc.listingRows).toHaveBeenCalledTimes(2);
    expect(ipc.listingRows).toHaveBeenLastCalledWith(store.generation, 30, 250);
    expect(store.rowAt(140)).toEqual(file('f0140', 140));
  });

  it('reads a view far from the rows read only once it stays for a whole frame', async () => {
    listing(Array.from({ length: 5000 }, (_, index) => file(`f${String(index).padStart(4, '0')}`, index)));
    await store.open('');
    await store.showRows(0, 20);
    expect(ipc.listingRows).toHaveBeenCalledTimes(1);
    const asked: FrameRequestCallback[] = [];
    const frames = vi.spyOn(window, 'requestAnimationFrame').mockImplementation((callback) => {
      asked.push(callback);
      return asked.length;
    });
    /** One frame as the page draws it: its scroll event (the view moves to `start`), then the
     * frame callbacks asked for until then; those asked for meanwhile wait for the next. */
    const frame = async (start?: number): Promise<void> => {
      if (start !== undefined) void store.showRows(start, start + 20);
      for (const callback of asked.splice(0)) callback(0);
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    // A fast scroll: a new view every frame, each far from the last.
    for (const start of [1000, 2000, 3000, 4000]) await frame(start);
    expect(ipc.listingRows).toHaveBeenCalledTimes(1);
    // It stops: the view stays for a whole frame and is read.
    await frame();
    await frame();
    await vi.waitFor(() => {
      expect(ipc.listingRows).toHaveBeenCalledTimes(2);
    });
    expect(ipc.listingRows).toHaveBeenLastCalledWith(store.generation, 3900, 4120);
    expect(store.rowAt(4000)).toEqual(file('f4000', 4000));
    frames.mockRestore();
  });

  it('tells keys from the rows read, else from the shell, and where keys show after a change', async () => {
    listing(Array.from({ length: 500 }, (_, index) => file(`f${String(index).padStart(3, '0')}`, index)));
    await store.open('');
    await store.showRows(0, 10);
    expect(await store.keysBetween(5, 7)).toEqual({ start: 5, keys: ['f005', 'f006'], kinds: 'ff' });
    expect(ipc.listingKeys).not.toHaveBeenCalled();
    expect((await store.keysBetween(498, 500))?.keys).toEqual(['f498', 'f499']);
    expect(ipc.listingKeys).toHaveBeenCalledTimes(1);
    await store.setSort({ column: 'name', descending: true });
    expect(await store.positions(['f000', 'gone', 'f499'])).toEqual([499, null, 0]);
    vi.mocked(ipc.listingKeys).mockRejectedValueOnce(fail('auth.session_expired'));
    expect(await store.keysBetween(300, 301)).toBeNull();
    expect(lost.map((error) => error.code)).toEqual(['auth.session_expired']);
  });

  it('leaves rows blank when the shell answers for a state no longer shown', async () => {
    listing([file('a')]);
    await store.open('');
    vi.mocked(ipc.listingRows).mockResolvedValueOnce(null);
    await store.showRows(0, 1);
    expect(store.rowAt(0)).toBeUndefined();
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
    expect(ipc.listFolder).toHaveBeenLastCalledWith('Photos', FRESH, true, expect.any(Function));
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
    expect(store.shown).toBe(0);
    expect([store.listed, store.bytes]).toEqual([0, 0]);
    expect(store.status).toBe('idle');
  });
});
