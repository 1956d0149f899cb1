// An upload from a drop or a picker: the checked plan, its name clashes asked one by one, then the
// queue. What the plan leaves out (symlinks, unreadable files) stays on show until dismissed.

import * as ipc from '../ipc';
import type { AppError, Clash, ClashDecision, SkippedLocal, UploadPlan } from '../ipc';
import { clashesLeft, decide, nextClash, startClashes, type ClashProgress } from '../lib/clash';

export class UploadsStore {
  /** The plan whose clashes are being asked about. */
  plan: UploadPlan | null = $state(null);
  progress: ClashProgress | null = $state(null);
  readonly clash: Clash | null = $derived(this.progress ? nextClash(this.progress) : null);
  readonly left: number = $derived(this.progress ? clashesLeft(this.progress) : 0);
  /** What the last upload left out. */
  skipped: SkippedLocal[] = $state([]);
  error: AppError | null = $state(null);
  busy = $state(false);

  /** Checks a drop onto `to`. */
  drop(paths: string[], to: string): Promise<void> {
    return this.#check(() => ipc.uploadDrop(paths, to));
  }

  /** Shows the shell's picker for an upload into `to`. */
  pick(kind: 'files' | 'folder', to: string): Promise<void> {
    return this.#check(() => ipc.pickUpload(kind, to));
  }

  async #check(check: () => Promise<UploadPlan | null>): Promise<void> {
    if (this.busy || this.plan) return;
    this.busy = true;
    this.error = null;
    try {
      const plan = await check();
      if (!plan) return;
      this.skipped = plan.skipped;
      if (plan.clashes.length === 0) {
        await this.#start(plan, {});
      } else {
        this.plan = plan;
        this.progress = startClashes(plan.clashes);
      }
    } catch (reason) {
      this.error = ipc.toAppError(reason);
    } finally {
      this.busy = false;
    }
  }

  /** Settles the clash on show (and with `toAll` every open one); starts once all are settled. */
  async decide(decision: ClashDecision, toAll: boolean): Promise<void> {
    const plan = this.plan;
    if (!plan || !this.progress) return;
    this.progress = decide(this.progress, decision, toAll);
    if (nextClash(this.progress)) return;
    const decisions = this.progress.decisions;
    this.plan = null;
    this.progress = null;
    await this.#start(plan, decisions);
  }

  /** The person called the upload off at a clash. */
  async cancel(): Promise<void> {
    const plan = this.plan;
    this.plan = null;
    this.progress = null;
    if (!plan) return;
    try {
      await ipc.discardUpload(plan.id);
    } catch (reason) {
      this.error = ipc.toAppError(reason);
    }
  }

  async #start(plan: UploadPlan, decisions: Record<string, ClashDecision>): Promise<void> {
    try {
      await ipc.startUpload(plan.id, decisions);
    } catch (reason) {
      this.error = ipc.toAppError(reason);
    }
  }

  dismiss(): void {
    this.skipped = [];
    this.error = null;
  }
}
