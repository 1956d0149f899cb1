import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { SyncPairStatus, SyncSnapshot } from '../ipc';
import { sync } from '../stores';
import SyncView from './SyncView.svelte';

vi.mock('../ipc', async (original) => (await import('../stores/ipc-mock')).ipcMock(original));

const PAIR: SyncPairStatus = {
  id: 3,
  local: '/home/ada/Documents',
  remote_dir: 'Documents',
  mode: 'mirror',
  status: { state: 'idle' },
  last_sync_ms: null,
  synced_files: 0,
  activity: [],
  conflicts: [],
  issues: [],
};

let view: ReturnType<typeof mount> | null = null;
let send: (snapshot: SyncSnapshot) => void;
const byId = (testid: string): HTMLElement | null =>
  document.querySelector(`[data-testid="${testid}"]`);

beforeEach(() => {
  vi.resetAllMocks();
  sync.clear();
  vi.mocked(ipc.watchSync).mockImplementation((onSnapshot) => {
    send = onSnapshot;
    return new Promise(() => undefined);
  });
  sync.watch();
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  view = mount(SyncView, { target });
  flushSync();
});
afterEach(() => {
  if (view) void unmount(view);
  view = null;
});

describe('SyncView', () => {
  it('explains sync with one add button when there is no pair', () => {
    send({ pairs: [], overall: 'idle' });
    flushSync();
    expect(byId('sync-empty')?.textContent).toContain('No folders are synced yet');
    expect(document.querySelectorAll('[data-testid="sync-add"]')).toHaveLength(1);
  });

  it('removes a pair only after the dialog that says no file is deleted', async () => {
    vi.mocked(ipc.removeSyncPair).mockResolvedValue(null);
    send({ pairs: [PAIR], overall: 'idle' });
    flushSync();
    byId('sync-remove')?.click();
    flushSync();
    expect(byId('confirm-dialog')?.textContent).toContain('No file is deleted on either side');
    expect(ipc.removeSyncPair).not.toHaveBeenCalled();

    byId('cancel')?.click();
    flushSync();
    expect(byId('confirm-dialog')).toBeNull();
    expect(ipc.removeSyncPair).not.toHaveBeenCalled();

    byId('sync-remove')?.click();
    flushSync();
    byId('confirm')?.click();
    await vi.waitFor(() => {
      expect(ipc.removeSyncPair).toHaveBeenCalledWith(3);
    });
  });
});
