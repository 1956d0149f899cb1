// The sync panel's state: the shell's snapshots of every pair, and the pair actions. A failed action
// shows on the pair it was about (or over the panel); the deletion guard's two answers hold their
// buttons while one is on its way, so a plan is never answered twice.

import { SvelteSet } from 'svelte/reactivity';
import * as ipc from '../ipc';
import type { AppError, SyncMode, SyncOverall, SyncPairStatus, SyncSnapshot } from '../ipc';

/** A failed action, and the pair it was about (null: the panel as a whole). */
export interface SyncProblem {
  id: number | null;
  error: AppError;
}

export class SyncStore {
  /** Null until the shell's first snapshot. */
  snapshot: SyncSnapshot | null = $state.raw(null);
  readonly pairs: SyncPairStatus[] = $derived(this.snapshot?.pairs ?? []);
  readonly overall: SyncOverall = $derived(this.snapshot?.overall ?? 'idle');
  problem: SyncProblem | null = $state(null);
  /** Pairs whose deletion-guard answer is on its way. */
  readonly answering = new SvelteSet<number>();

  #watching = false;

  /** Subscribes to the shell's snapshots, once per window (the channel lives as long). */
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    ipc
      .watchSync((snapshot) => {
        this.snapshot = snapshot;
      })
      .catch((reason: unknown) => {
        this.#watching = false;
        this.problem = { id: null, error: ipc.toAppError(reason) };
      });
  }

  /** The pair's failure to show, if the last failed action was about it. */
  problemOf(id: number): AppError | null {
    return this.problem?.id === id ? this.problem.error : null;
  }

  /** Adds a pair; returns why not (for the add form to show), or null once it is added. */
  async add(local: string, remoteDir: string, mode: SyncMode): Promise<AppError | null> {
    try {
      const pair = await ipc.addSyncPair(local, remoteDir, mode);
      // Shown at once, even if the next snapshot is a moment away.
      const pairs = this.snapshot?.pairs ?? [];
      if (!pairs.some((known) => known.id === pair.id)) {
        this.snapshot = { pairs: [...pairs, pair], overall: this.snapshot?.overall ?? 'idle' };
      }
      return null;
    } catch (reason) {
      return ipc.toAppError(reason);
    }
  }

  pause = (id: number): Promise<void> => this.#act(id, () => ipc.pauseSyncPair(id));
  resume = (id: number): Promise<void> => this.#act(id, () => ipc.resumeSyncPair(id));
  syncNow = (id: number): Promise<void> => this.#act(id, () => ipc.syncPairNow(id));
  openFolder = (id: number): Promise<void> => this.#act(id, () => ipc.openSyncFolder(id));
  showConflict = (id: number, path: string): Promise<void> =>
    this.#act(id, () => ipc.showConflict(id, path));
  remove = (id: number): Promise<void> => this.#act(id, () => ipc.removeSyncPair(id));

  /** The guard's "delete them". */
  allowDeletions = (id: number): Promise<void> =>
    this.#answer(id, () => ipc.allowSyncDeletions(id));
  /** The guard's "keep them". */
  keepFiles = (id: number): Promise<void> => this.#answer(id, () => ipc.keepSyncFiles(id));

  async #answer(id: number, answer: () => Promise<unknown>): Promise<void> {
    if (this.answering.has(id)) return;
    this.answering.add(id);
    try {
      await this.#act(id, answer);
    } finally {
      this.answering.delete(id);
    }
  }

  async #act(id: number, action: () => Promise<unknown>): Promise<void> {
    if (this.problem?.id === id) this.problem = null;
    try {
      await action();
    } catch (reason) {
      this.problem = { id, error: ipc.toAppError(reason) };
    }
  }

  /** Forgets the pairs on sign-out, so the next person does not see them. */
  clear(): void {
    this.snapshot = null;
    this.problem = null;
    this.answering.clear();
  }
}
