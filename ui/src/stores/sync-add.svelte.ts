// The add-a-pair form: the local folder from the shell's picker, the remote folder (the local
// folder's name until the person types their own), and the mode; checked before the shell is asked.

import * as ipc from '../ipc';
import type { AppError, SyncMode } from '../ipc';
import { defaultRemoteName, remoteDirProblem } from '../lib/sync-status';

export type AddPair = (local: string, remoteDir: string, mode: SyncMode) => Promise<AppError | null>;

export class SyncAddForm {
  local: string | null = $state(null);
  remote = $state('');
  mode: SyncMode = $state('backup');
  picking = $state(false);
  adding = $state(false);
  /** Why the local folder or the remote name cannot be used yet. */
  localProblem: string | null = $state(null);
  remoteProblem: string | null = $state(null);
  /** The shell's refusal (picker or add). */
  error: AppError | null = $state(null);

  readonly #add: AddPair;
  /** The person typed a remote name of their own: a new pick leaves it alone. */
  #remoteTyped = false;

  constructor(add: AddPair) {
    this.#add = add;
  }

  async pick(): Promise<void> {
    if (this.picking) return;
    this.picking = true;
    this.error = null;
    try {
      const chosen = await ipc.pickSyncFolder();
      if (chosen === null) return;
      this.local = chosen;
      this.localProblem = null;
      if (!this.#remoteTyped) {
        this.remote = defaultRemoteName(chosen);
        this.remoteProblem = null;
      }
    } catch (reason) {
      this.error = ipc.toAppError(reason);
    } finally {
      this.picking = false;
    }
  }

  editRemote(value: string): void {
    this.remote = value;
    this.#remoteTyped = value !== '';
    this.remoteProblem = null;
  }

  /** Adds the pair; true once the shell took it (the form can close). */
  async submit(): Promise<boolean> {
    if (this.adding) return false;
    const remote = this.remote.trim();
    this.localProblem = this.local === null ? 'Choose a folder on this computer.' : null;
    this.remoteProblem = remoteDirProblem(remote);
    if (this.local === null || this.remoteProblem) return false;
    this.adding = true;
    this.error = null;
    try {
      this.error = await this.#add(this.local, remote, this.mode);
      return this.error === null;
    } finally {
      this.adding = false;
    }
  }
}
