// The transfers panel's rows, folded from the shell's `TransferBatch`es: one row per transfer id,
// in the order they were queued, each in its latest state. Pure, so every event is tested.

import type { ErrorCode, TransferBatch, TransferDirection, TransferEvent } from '../ipc';
import { baseName } from './paths';

export type TransferState =
  | 'queued'
  | 'running'
  | 'paused'
  | 'retrying'
  | 'finished'
  | 'failed'
  | 'cancelled';

export interface TransferRow {
  id: number;
  direction: TransferDirection;
  /** The file's name, for the row's title. */
  name: string;
  local: string;
  remote: string;
  state: TransferState;
  bytesDone: number;
  /** Null until the transfer started and knows its size. */
  totalBytes: number | null;
  bytesPerSecond: number;
  etaMs: number | null;
  /** Why it failed, or what the retry is about. */
  message: string | null;
  code: ErrorCode | null;
  /** The retry attempt under way (state `retrying`). */
  attempt: number;
}

export interface TransferList {
  rows: ReadonlyMap<number, TransferRow>;
  queuePaused: boolean;
}

export const NO_TRANSFERS: TransferList = { rows: new Map(), queuePaused: false };

/** What a batch changed that someone outside the panel cares about. */
export interface BatchOutcome {
  list: TransferList;
  /** Transfers that appeared or were queued again: the panel opens. */
  queued: number[];
  /** Remote paths of uploads that finished: the folder they landed in refreshes. */
  uploaded: string[];
}

const LIVE: ReadonlySet<TransferState> = new Set(['queued', 'running', 'paused', 'retrying']);

/** Still to do (or doing): counts toward "files left". */
export function isLive(row: TransferRow): boolean {
  return LIVE.has(row.state);
}

function apply(row: TransferRow, event: TransferEvent): TransferRow {
  const base = { ...row, bytesPerSecond: 0, etaMs: null };
  switch (event.event) {
    case 'queued':
      return {
        ...base,
        direction: event.direction,
        local: event.local,
        remote: event.remote,
        name: baseName(event.remote),
        state: 'queued',
        message: null,
        code: null,
        attempt: 0,
      };
    case 'started':
      return { ...base, state: 'running', totalBytes: event.total_bytes, message: null };
    case 'resumed':
      return { ...base, state: 'running', bytesDone: event.bytes_done, message: null };
    case 'progress':
      return {
        ...base,
        state: 'running',
        bytesDone: event.bytes_done,
        totalBytes: event.total_bytes,
        bytesPerSecond: event.bytes_per_second,
        etaMs: event.eta_ms,
        message: null,
      };
    case 'retrying':
      return { ...base, state: 'retrying', attempt: event.attempt, message: event.reason };
    case 'paused':
      return { ...base, state: 'paused' };
    case 'finished':
      return {
        ...base,
        state: 'finished',
        bytesDone: event.bytes,
        totalBytes: Math.max(row.totalBytes ?? 0, event.bytes),
        message: null,
      };
    case 'failed':
      return { ...base, state: 'failed', message: event.message, code: event.code };
    case 'cancelled':
      return { ...base, state: 'cancelled' };
  }
}

function newRow(id: number): TransferRow {
  return {
    id,
    direction: 'upload',
    name: '',
    local: '',
    remote: '',
    state: 'queued',
    bytesDone: 0,
    totalBytes: null,
    bytesPerSecond: 0,
    etaMs: null,
    message: null,
    code: null,
    attempt: 0,
  };
}

/** Folds one batch into the list. Events about a transfer the list never saw queued are dropped:
 * the shell's first batch replays every transfer from its `queued` event. */
export function foldBatch(list: TransferList, batch: TransferBatch): BatchOutcome {
  const rows = new Map(list.rows);
  const queued: number[] = [];
  const uploaded: string[] = [];
  for (const event of batch.events) {
    const row = rows.get(event.id) ?? (event.event === 'queued' ? newRow(event.id) : null);
    if (!row) continue;
    const next = apply(row, event);
    rows.set(event.id, next);
    if (event.event === 'queued') queued.push(event.id);
    if (event.event === 'finished' && next.direction === 'upload') uploaded.push(next.remote);
  }
  for (const id of batch.removed) rows.delete(id);
  return { list: { rows, queuePaused: batch.queue_paused }, queued, uploaded };
}

export interface TransferTotals {
  /** Transfers queued, running, paused or retrying. */
  filesLeft: number;
  /** Bytes still to move, of the transfers that know their size. */
  bytesLeft: number;
  bytesPerSecond: number;
  finished: number;
  failed: number;
  /** Finished, failed or cancelled: what "clear finished" removes. */
  done: number;
}

export function transferTotals(rows: Iterable<TransferRow>): TransferTotals {
  const totals: TransferTotals = {
    filesLeft: 0,
    bytesLeft: 0,
    bytesPerSecond: 0,
    finished: 0,
    failed: 0,
    done: 0,
  };
  for (const row of rows) {
    if (isLive(row)) {
      totals.filesLeft++;
      totals.bytesLeft += Math.max((row.totalBytes ?? 0) - row.bytesDone, 0);
      if (row.state === 'running') totals.bytesPerSecond += row.bytesPerSecond;
    } else {
      totals.done++;
      if (row.state === 'finished') totals.finished++;
      if (row.state === 'failed') totals.failed++;
    }
  }
  return totals;
}

/** 0..1, or null while the size is unknown. */
export function transferFraction(row: TransferRow): number | null {
  if (row.state === 'finished') return 1;
  if (row.totalBytes === null) return null;
  return row.totalBytes === 0 ? 0 : Math.min(row.bytesDone / row.totalBytes, 1);
}
