import { describe, expect, it } from 'vitest';
import type { TransferBatch, TransferEvent } from '../ipc';
import {
  foldBatch,
  NO_TRANSFERS,
  transferFraction,
  transferTotals,
  type TransferList,
} from './transfers';

const batch = (events: TransferEvent[], removed: number[] = [], paused = false): TransferBatch => ({
  events,
  queue_paused: paused,
  removed,
});
const queued = (id: number, remote: string, direction: 'upload' | 'download' = 'upload') =>
  ({ id, event: 'queued', direction, local: `/home/ada/${remote}`, remote }) as const;
const fold = (list: TransferList, ...events: TransferEvent[]): TransferList =>
  foldBatch(list, batch(events)).list;

describe('the transfer list', () => {
  it('adds a row per queued transfer, in order, named by its remote path', () => {
    const outcome = foldBatch(
      NO_TRANSFERS,
      batch([queued(2, 'Photos/b.jpg'), queued(1, 'a.txt', 'download')]),
    );
    expect([...outcome.list.rows.values()].map((row) => [row.id, row.name, row.direction])).toEqual([
      [2, 'b.jpg', 'upload'],
      [1, 'a.txt', 'download'],
    ]);
    expect(outcome.queued).toEqual([2, 1]);
    expect(outcome.list.rows.get(2)?.state).toBe('queued');
  });

  it('follows a transfer through start, progress, retry, pause, resume and finish', () => {
    let list = fold(NO_TRANSFERS, queued(1, 'a.bin'), { id: 1, event: 'started', total_bytes: 100 });
    expect(list.rows.get(1)).toMatchObject({ state: 'running', totalBytes: 100, bytesDone: 0 });
    list = fold(list, {
      id: 1,
      event: 'progress',
      bytes_done: 40,
      total_bytes: 100,
      bytes_per_second: 20,
      eta_ms: 3000,
    });
    expect(list.rows.get(1)).toMatchObject({ bytesDone: 40, bytesPerSecond: 20, etaMs: 3000 });
    const running = list.rows.get(1);
    expect(running && transferFraction(running)).toBe(0.4);
    list = fold(list, { id: 1, event: 'retrying', attempt: 2, delay_ms: 500, reason: 'timed out' });
    expect(list.rows.get(1)).toMatchObject({ state: 'retrying', attempt: 2, message: 'timed out' });
    expect(list.rows.get(1)?.bytesPerSecond).toBe(0);
    list = fold(list, { id: 1, event: 'paused' });
    expect(list.rows.get(1)?.state).toBe('paused');
    list = fold(list, { id: 1, event: 'resumed', parts_done: 2, bytes_done: 40 });
    expect(list.rows.get(1)).toMatchObject({ state: 'running', bytesDone: 40, message: null });
    const outcome = foldBatch(list, batch([{ id: 1, event: 'finished', bytes: 100 }]));
    expect(outcome.list.rows.get(1)).toMatchObject({ state: 'finished', bytesDone: 100 });
    expect(outcome.uploaded).toEqual(['a.bin']);
  });

  it('keeps why a transfer failed, and starts over when it is queued again', () => {
    let list = fold(NO_TRANSFERS, queued(1, 'a.bin', 'download'), {
      id: 1,
      event: 'failed',
      code: 'transfer.local_write_failed',
      message: 'disk full',
    });
    expect(list.rows.get(1)).toMatchObject({
      state: 'failed',
      message: 'disk full',
      code: 'transfer.local_write_failed',
    });
    const retried = foldBatch(list, batch([queued(1, 'a.bin', 'download')]));
    list = retried.list;
    expect(list.rows.get(1)).toMatchObject({ state: 'queued', message: null, code: null });
    expect(retried.queued).toEqual([1]);
  });

  it('does not report finished downloads as uploads landing', () => {
    const outcome = foldBatch(
      NO_TRANSFERS,
      batch([queued(1, 'a.bin', 'download'), { id: 1, event: 'finished', bytes: 5 }]),
    );
    expect(outcome.uploaded).toEqual([]);
  });

  it('drops events for transfers it never saw queued, and rows the shell forgot', () => {
    let list = fold(NO_TRANSFERS, { id: 9, event: 'paused' });
    expect(list.rows.size).toBe(0);
    list = fold(list, queued(1, 'a'), queued(2, 'b'), { id: 1, event: 'cancelled' });
    list = foldBatch(list, batch([], [1])).list;
    expect([...list.rows.keys()]).toEqual([2]);
  });

  it('carries whether the whole queue is paused', () => {
    expect(foldBatch(NO_TRANSFERS, batch([], [], true)).list.queuePaused).toBe(true);
  });

  it('totals what is left and how fast it moves', () => {
    const list = fold(
      NO_TRANSFERS,
      queued(1, 'a'),
      { id: 1, event: 'progress', bytes_done: 30, total_bytes: 100, bytes_per_second: 10, eta_ms: 7000 },
      queued(2, 'b'),
      { id: 2, event: 'started', total_bytes: 50 },
      { id: 2, event: 'paused' },
      queued(3, 'c'),
      queued(4, 'd'),
      { id: 4, event: 'finished', bytes: 8 },
      queued(5, 'e'),
      { id: 5, event: 'failed', code: 'net.offline', message: 'offline' },
    );
    expect(transferTotals(list.rows.values())).toEqual({
      filesLeft: 3,
      bytesLeft: 120,
      bytesPerSecond: 10,
      finished: 1,
      failed: 1,
      done: 2,
    });
  });

  it('has no fraction before the size is known', () => {
    const list = fold(NO_TRANSFERS, queued(1, 'a'));
    const waiting = list.rows.get(1);
    expect(waiting ? transferFraction(waiting) : 'no row').toBeNull();
  });
});
