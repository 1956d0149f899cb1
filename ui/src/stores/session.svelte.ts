// Who is signed in, and the way there: starting → signed out → signing in → signed in, and back when
// the person signs out or the shell says the session ended. Views read `state`; only this store calls
// the session commands.

import * as ipc from '../ipc';
import type { AppError, AppInfo, SessionInfo, SignInStage, Unsubscribe } from '../ipc';
import type { ProfilesStore } from './profiles.svelte';

/** Before the shell reports its first progress, the browser is being opened. */
export type WaitingStage = 'opening_browser' | SignInStage;

/** A failed action and how to try it again. */
export interface Failure {
  error: AppError;
  retry: () => Promise<void>;
}

export type SessionState =
  | { kind: 'starting' }
  | { kind: 'signed_out'; notice: AppError | null; failure: Failure | null }
  | { kind: 'signing_in'; stage: WaitingStage }
  | { kind: 'signed_in'; info: SessionInfo };

const signedOut = (
  notice: AppError | null = null,
  failure: Failure | null = null,
): SessionState => ({
  kind: 'signed_out',
  notice,
  failure,
});

export class SessionStore {
  state: SessionState = $state({ kind: 'starting' });
  app: AppInfo | null = $state(null);
  /** A profile switch is under way (the picker waits for it). */
  selecting = $state(false);
  signingOut = $state(false);
  /** Why the last sign-out failed; the person is still signed in. */
  signOutError: AppError | null = $state(null);
  /** A notice from the shell while signed in (signed out, it shows on the sign-in screen). */
  notice: AppError | null = $state(null);

  readonly #profiles: ProfilesStore;
  /** Bumped by every sign-in, so the outcome of an abandoned one is ignored. */
  #attempt = 0;
  #pendingSignIn: Promise<void> | null = null;

  constructor(profiles: ProfilesStore) {
    this.#profiles = profiles;
  }

  /** Listens to the shell's session events until the returned function is called. */
  async connect(): Promise<Unsubscribe> {
    const unsubscribe = await Promise.all([
      ipc.onSessionEnded((error) => {
        this.sessionEnded(error);
      }),
      ipc.onSignInProgress(({ stage }) => {
        this.progress(stage);
      }),
      ipc.onNotice((error) => {
        this.noticed(error);
      }),
    ]);
    return () => {
      for (const stop of unsubscribe) stop();
    };
  }

  async start(): Promise<void> {
    this.state = { kind: 'starting' };
    try {
      const startup = await ipc.startup();
      this.app = startup.app;
      this.#profiles.replace(startup.profiles);
      this.state = startup.session
        ? { kind: 'signed_in', info: startup.session }
        : signedOut(startup.notice);
    } catch (error) {
      this.state = signedOut(null, { error: ipc.toAppError(error), retry: () => this.start() });
    }
  }

  /** Opens the hosted page; settles when the person is signed in, gave up, or it failed. */
  signIn(): Promise<void> {
    if (this.state.kind === 'signing_in' && this.#pendingSignIn) {
      return this.#pendingSignIn;
    }
    const attempt = ++this.#attempt;
    this.state = { kind: 'signing_in', stage: 'opening_browser' };
    const pending = ipc.signIn().then(
      (info) => {
        if (attempt === this.#attempt) this.state = { kind: 'signed_in', info };
      },
      (reason: unknown) => {
        if (attempt !== this.#attempt) return;
        const error = ipc.toAppError(reason);
        this.state =
          error.code === 'auth.cancelled'
            ? signedOut()
            : signedOut(null, { error, retry: () => this.signIn() });
      },
    );
    this.#pendingSignIn = pending.finally(() => {
      if (attempt === this.#attempt) this.#pendingSignIn = null;
    });
    return this.#pendingSignIn;
  }

  /** Ends a pending sign-in; the sign-in's own rejection brings the sign-in screen back. */
  async cancelSignIn(): Promise<void> {
    if (this.state.kind !== 'signing_in') return;
    try {
      await ipc.cancelSignIn();
    } catch (reason) {
      const error = ipc.toAppError(reason);
      // The sign-in finished on its own in the meantime: its outcome stands.
      if (error.code === 'auth.no_pending_sign_in') return;
      this.#attempt++;
      this.#pendingSignIn = null;
      this.state = signedOut(null, { error, retry: () => this.signIn() });
    }
  }

  /** "Didn't open? Try again": cancels the pending sign-in, waits for it to end, starts anew. */
  async restartSignIn(): Promise<void> {
    const pending = this.#pendingSignIn;
    if (this.state.kind === 'signing_in' && pending) {
      await this.cancelSignIn();
      await pending;
    }
    if (this.state.kind === 'signed_in') return;
    await this.signIn();
  }

  progress(stage: SignInStage): void {
    if (this.state.kind === 'signing_in') this.state = { kind: 'signing_in', stage };
  }

  /** The shell says the session is gone: back to sign-in, saying why. */
  sessionEnded(error: AppError): void {
    // A sign-in under way brings its own new session.
    if (this.state.kind === 'signing_in') return;
    this.signOutError = null;
    this.state = signedOut(error);
  }

  async signOut(): Promise<void> {
    if (this.state.kind !== 'signed_in' || this.signingOut) return;
    this.signingOut = true;
    this.signOutError = null;
    try {
      await ipc.signOut();
      this.state = signedOut();
    } catch (reason) {
      const error = ipc.toAppError(reason);
      if (error.code === 'auth.not_signed_in' || error.code === 'auth.session_expired') {
        // Already signed out, which is what the person asked for.
        this.state = signedOut();
      } else {
        this.signOutError = error;
      }
    } finally {
      this.signingOut = false;
    }
  }

  /** Makes a profile active; lands signed in when that profile has a saved session. */
  async selectProfile(name: string): Promise<void> {
    if (this.state.kind === 'signing_in' || this.selecting) return;
    this.selecting = true;
    try {
      const info = await ipc.selectProfile(name);
      this.#profiles.markActive(name);
      this.state = info ? { kind: 'signed_in', info } : signedOut();
    } catch (reason) {
      const error = ipc.toAppError(reason);
      this.state = signedOut(null, { error, retry: () => this.selectProfile(name) });
    } finally {
      this.selecting = false;
    }
  }

  /** The shell has something to say that no command asked about. */
  noticed(error: AppError): void {
    if (this.state.kind === 'signed_out') this.state = { ...this.state, notice: error };
    else this.notice = error;
  }

  /** Hides the notice once the person has read it. */
  dismissNotice(): void {
    if (this.state.kind === 'signed_out') this.state = { ...this.state, notice: null };
    this.notice = null;
  }
}
