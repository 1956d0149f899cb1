// The transfers panel's state: the shell's transfer batches folded into rows, the panel's open
// state, and the per-row and whole-queue actions. A failed action shows as the row's message.

import * as ipc from '../ipc';
import type { AppError } from '../ipc';
import {
  foldBatch,
  NO_TRANSFERS,
  transferTotals,
  type TransferList,
  type TransferRow,
  type TransferTotals,
} from '../lib/transfers';

export class TransfersStore {
  list: TransferList = $state.raw(NO_TRANSFERS);
  readonly rows: TransferRow[] = $derived([...this.list.rows.values()]);
  readonly totals: TransferTotals = $derived(transferTotals(this.list.rows.values()));
  open = $state(false);
  /** The last action that failed (pause, retry, …). */
  actionError: AppError | null = $state(null);

  readonly #onUploaded: (remote: string) => void;
  #watching = false;

  constructor(onUploaded: (remote: string) => void) {
    this.#onUploaded = onUploaded;
  }

  /** Subscribes to the shell's transfer queue, once per window (the channel lives as long). */
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    ipc
      .watchTransfers((batch) => {
        const outcome = foldBatch(this.list, batch);
        this.list = outcome.list;
        if (outcome.queued.length > 0) this.open = true;
        for (const remote of outcome.uploaded) this.#onUploaded(remote);
      })
      .catch((reason: unknown) => {
        this.#watching = false;
        this.actionError = ipc.toAppError(reason);
      });
  }

  async #act(action: () => Promise<unknown>): Promise<void> {
    this.actionError = null;
    try {
      await action();
    } catch (reason) {
      this.actionError = ipc.toAppError(reason);
    }
  }

  pause = (id: number): Promise<void> => this.#act(() => ipc.pauseTransfer(id));
  resume = (id: number): Promise<void> => this.#act(() => ipc.resumeTransfer(id));
  cancel = (id: number): Promise<void> => this.#act(() => ipc.cancelTransfer(id));
  retry = (id: number): Promise<void> => this.#act(() => ipc.retryTransfer(id));
  pauseAll = (): Promise<void> => this.#act(() => ipc.pauseAllTransfers());
  resumeAll = (): Promise<void> => this.#act(() => ipc.resumeAllTransfers());
  clearFinished = (): Promise<void> => this.#act(() => ipc.clearFinishedTransfers());

  /** Forgets the rows on sign-out, so the next person does not see them. */
  clear(): void {
    this.list = NO_TRANSFERS;
    this.open = false;
    this.actionError = null;
  }
}
