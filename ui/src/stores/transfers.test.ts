import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { TransferBatch } from '../ipc';
import { fail } from './ipc-mock';
import { TransfersStore } from './transfers.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

let send: (batch: TransferBatch) => void;
let uploaded: string[];
let store: TransfersStore;
beforeEach(() => {
  vi.resetAllMocks();
  uploaded = [];
  vi.mocked(ipc.watchTransfers).mockImplementation((onBatch) => {
    send = onBatch;
    return new Promise(() => undefined);
  });
  store = new TransfersStore((remote) => uploaded.push(remote));
});

describe('TransfersStore', () => {
  it('watches once, opens when transfers are queued, and reports uploads that landed', () => {
    store.watch();
    store.watch();
    expect(ipc.watchTransfers).toHaveBeenCalledTimes(1);
    expect(store.open).toBe(false);
    send({
      events: [
        { id: 1, event: 'queued', direction: 'upload', local: '/tmp/a', remote: 'Docs/a' },
        { id: 1, event: 'finished', bytes: 3 },
      ],
      queue_paused: false,
      removed: [],
    });
    expect(store.open).toBe(true);
    expect(store.rows.map((row) => row.state)).toEqual(['finished']);
    expect(store.totals.finished).toBe(1);
    expect(uploaded).toEqual(['Docs/a']);
  });

  it('keeps a failed action to show', async () => {
    vi.mocked(ipc.retryTransfer).mockRejectedValue(fail('transfer.state_db', 'locked'));
    await store.retry(4);
    expect(ipc.retryTransfer).toHaveBeenCalledWith(4);
    expect(store.actionError?.code).toBe('transfer.state_db');
    vi.mocked(ipc.pauseAllTransfers).mockResolvedValue(null);
    await store.pauseAll();
    expect(store.actionError).toBeNull();
  });

  it('forgets the rows on clear', () => {
    store.watch();
    send({
      events: [{ id: 1, event: 'queued', direction: 'download', local: '/a', remote: 'a' }],
      queue_paused: true,
      removed: [],
    });
    store.clear();
    expect(store.rows).toEqual([]);
    expect(store.open).toBe(false);
  });
});
