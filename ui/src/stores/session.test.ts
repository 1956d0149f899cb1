import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { AppError, ProfileSummary, SessionInfo, SignInProgress } from '../ipc';
import { deferred, fail, SESSION } from './ipc-mock';
import { ProfilesStore } from './profiles.svelte';
import { SessionStore } from './session.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

const SANDBOX: ProfileSummary = {
  name: 'sandbox',
  kind: 'sandbox',
  region: 'us-east-1',
  bucket: 'cubby',
  active: true,
};
const WORK: ProfileSummary = {
  name: 'work',
  kind: 'aws',
  region: 'eu-west-1',
  bucket: 'cubby-files-example',
  active: false,
};

let profiles: ProfilesStore;
let session: SessionStore;

beforeEach(() => {
  vi.resetAllMocks();
  profiles = new ProfilesStore();
  session = new SessionStore(profiles);
});

/** Starts signed out, with `sign_in` held open until the test settles it. */
async function signingIn(): Promise<ReturnType<typeof deferred<SessionInfo>>> {
  vi.mocked(ipc.startup).mockResolvedValue({
    app: { name: 'Cubby', version: '0.1.0' },
    profiles: [SANDBOX],
    session: null,
    notice: null,
  });
  await session.start();
  const pending = deferred<SessionInfo>();
  vi.mocked(ipc.signIn).mockReturnValueOnce(pending.promise);
  return pending;
}

describe('start', () => {
  it('lands signed in when the shell restored a session', async () => {
    vi.mocked(ipc.startup).mockResolvedValue({
      app: { name: 'Cubby', version: '0.1.0' },
      profiles: [WORK, SANDBOX],
      session: SESSION,
      notice: null,
    });
    expect(session.state.kind).toBe('starting');
    await session.start();
    expect(session.state).toEqual({ kind: 'signed_in', info: SESSION });
    expect(session.app).toEqual({ name: 'Cubby', version: '0.1.0' });
    expect(profiles.ordered.map((p) => p.name)).toEqual(['sandbox', 'work']);
  });

  it('shows why a restore failed on the sign-in screen', async () => {
    const expired = fail('auth.session_expired', 'Your session expired; sign in again.');
    vi.mocked(ipc.startup).mockResolvedValue({
      app: { name: 'Cubby', version: '0.1.0' },
      profiles: [SANDBOX],
      session: null,
      notice: expired,
    });
    await session.start();
    expect(session.state).toEqual({ kind: 'signed_out', notice: expired, failure: null });
  });

  it('offers a retry when startup itself fails, and the retry starts again', async () => {
    vi.mocked(ipc.startup).mockRejectedValueOnce(fail('secrets.unavailable'));
    await session.start();
    expect(session.state.kind).toBe('signed_out');
    const failure = session.state.kind === 'signed_out' ? session.state.failure : null;
    expect(failure?.error.code).toBe('secrets.unavailable');

    vi.mocked(ipc.startup).mockResolvedValue({
      app: { name: 'Cubby', version: '0.1.0' },
      profiles: [SANDBOX],
      session: SESSION,
      notice: null,
    });
    await failure?.retry();
    expect(session.state).toEqual({ kind: 'signed_in', info: SESSION });
  });
});

describe('sign-in', () => {
  it('waits for the browser, follows the progress events, and lands signed in', async () => {
    const pending = await signingIn();
    const done = session.signIn();
    expect(session.state).toEqual({ kind: 'signing_in', stage: 'opening_browser' });
    session.progress('browser_opened');
    expect(session.state).toEqual({ kind: 'signing_in', stage: 'browser_opened' });
    session.progress('exchanging');
    expect(session.state).toEqual({ kind: 'signing_in', stage: 'exchanging' });
    pending.resolve(SESSION);
    await done;
    expect(session.state).toEqual({ kind: 'signed_in', info: SESSION });
  });

  it('goes back to the sign-in screen without an error when cancelled', async () => {
    const pending = await signingIn();
    vi.mocked(ipc.cancelSignIn).mockImplementation(() => {
      pending.reject(fail('auth.cancelled'));
      return Promise.resolve(null);
    });
    const done = session.signIn();
    await session.cancelSignIn();
    await done;
    expect(ipc.cancelSignIn).toHaveBeenCalledOnce();
    expect(session.state).toEqual({ kind: 'signed_out', notice: null, failure: null });
  });

  it('shows a failed sign-in with a retry that signs in again', async () => {
    const pending = await signingIn();
    const done = session.signIn();
    pending.reject(fail('auth.timeout', 'No answer from the browser within 5 minutes.'));
    await done;
    const failure = session.state.kind === 'signed_out' ? session.state.failure : null;
    expect(failure?.error).toEqual(
      fail('auth.timeout', 'No answer from the browser within 5 minutes.'),
    );

    vi.mocked(ipc.signIn).mockResolvedValueOnce(SESSION);
    await failure?.retry();
    expect(session.state).toEqual({ kind: 'signed_in', info: SESSION });
  });

  it('maps a rejection that is not an AppError to internal', async () => {
    const pending = await signingIn();
    const done = session.signIn();
    pending.reject(new Error('IPC channel closed'));
    await done;
    const failure = session.state.kind === 'signed_out' ? session.state.failure : null;
    expect(failure?.error).toEqual({ code: 'internal', message: 'IPC channel closed' });
  });

  it('"try again" cancels the pending sign-in and starts a new one', async () => {
    const first = await signingIn();
    vi.mocked(ipc.cancelSignIn).mockImplementation(() => {
      first.reject(fail('auth.cancelled'));
      return Promise.resolve(null);
    });
    const second = deferred<SessionInfo>();
    vi.mocked(ipc.signIn).mockReturnValueOnce(second.promise);
    void session.signIn();
    const restarted = session.restartSignIn();
    await vi.waitFor(() => {
      expect(ipc.signIn).toHaveBeenCalledTimes(2);
    });
    expect(session.state).toEqual({ kind: 'signing_in', stage: 'opening_browser' });
    second.resolve(SESSION);
    await restarted;
    expect(session.state).toEqual({ kind: 'signed_in', info: SESSION });
  });

  it('keeps the outcome of a sign-in that finished before the cancel arrived', async () => {
    const pending = await signingIn();
    vi.mocked(ipc.cancelSignIn).mockImplementation(() => {
      pending.resolve(SESSION);
      return Promise.reject(fail('auth.no_pending_sign_in'));
    });
    const done = session.signIn();
    await session.cancelSignIn();
    await done;
    expect(session.state).toEqual({ kind: 'signed_in', info: SESSION });
  });

  it('ignores progress when no sign-in is under way', async () => {
    await signingIn();
    session.progress('exchanging');
    expect(session.state.kind).toBe('signed_out');
  });
});

describe('session ended', () => {
  it('brings the sign-in screen back with the message', async () => {
    vi.mocked(ipc.startup).mockResolvedValue({
      app: { name: 'Cubby', version: '0.1.0' },
      profiles: [SANDBOX],
      session: SESSION,
      notice: null,
    });
    let ended: ((error: AppError) => void) | undefined;
    vi.mocked(ipc.onSessionEnded).mockImplementation((handle) => {
      ended = handle;
      return Promise.resolve(() => undefined);
    });
    vi.mocked(ipc.onSignInProgress).mockResolvedValue(() => undefined);
    await session.connect();
    await session.start();

    const expired = fail('auth.session_expired', 'Your session expired; sign in again.');
    ended?.(expired);
    expect(session.state).toEqual({ kind: 'signed_out', notice: expired, failure: null });
  });

  it('feeds progress events into the waiting screen', async () => {
    let progress: ((event: SignInProgress) => void) | undefined;
    vi.mocked(ipc.onSessionEnded).mockResolvedValue(() => undefined);
    vi.mocked(ipc.onSignInProgress).mockImplementation((handle) => {
      progress = handle;
      return Promise.resolve(() => undefined);
    });
    await session.connect();
    await signingIn();
    void session.signIn();
    progress?.({ stage: 'exchanging' });
    expect(session.state).toEqual({ kind: 'signing_in', stage: 'exchanging' });
  });

  it('does not interrupt a sign-in under way', async () => {
    await signingIn();
    void session.signIn();
    session.sessionEnded(fail('auth.session_expired'));
    expect(session.state.kind).toBe('signing_in');
  });
});

describe('notices from the shell', () => {
  it('show on the sign-in screen when signed out, and above the folder when signed in', async () => {
    vi.mocked(ipc.startup).mockResolvedValue({
      app: { name: 'Cubby', version: '0.1.0' },
      profiles: [SANDBOX],
      session: null,
      notice: null,
    });
    await session.start();
    const stale = fail('auth.no_pending_sign_in');
    session.noticed(stale);
    expect(session.state).toMatchObject({ kind: 'signed_out', notice: stale });
    expect(session.notice).toBeNull();

    vi.mocked(ipc.signIn).mockResolvedValue(SESSION);
    await session.signIn();
    session.noticed(stale);
    expect(session.state.kind).toBe('signed_in');
    expect(session.notice).toEqual(stale);
    session.dismissNotice();
    expect(session.notice).toBeNull();
  });
});

describe('sign-out', () => {
  beforeEach(async () => {
    vi.mocked(ipc.startup).mockResolvedValue({
      app: { name: 'Cubby', version: '0.1.0' },
      profiles: [SANDBOX],
      session: SESSION,
      notice: null,
    });
    await session.start();
  });

  it('returns to the sign-in screen', async () => {
    vi.mocked(ipc.signOut).mockResolvedValue(null);
    await session.signOut();
    expect(session.state).toEqual({ kind: 'signed_out', notice: null, failure: null });
  });

  it('stays signed in and says why when the sign-out fails', async () => {
    vi.mocked(ipc.signOut).mockRejectedValue(fail('secrets.unavailable'));
    await session.signOut();
    expect(session.state.kind).toBe('signed_in');
    expect(session.signOutError?.code).toBe('secrets.unavailable');
  });

  it('treats an already ended session as signed out', async () => {
    vi.mocked(ipc.signOut).mockRejectedValue(fail('auth.not_signed_in'));
    await session.signOut();
    expect(session.state.kind).toBe('signed_out');
  });
});

describe('selectProfile', () => {
  beforeEach(async () => {
    vi.mocked(ipc.startup).mockResolvedValue({
      app: { name: 'Cubby', version: '0.1.0' },
      profiles: [SANDBOX, WORK],
      session: null,
      notice: fail('auth.session_expired'),
    });
    await session.start();
  });

  it('lands signed in when the profile has a saved session', async () => {
    vi.mocked(ipc.selectProfile).mockResolvedValue(SESSION);
    await session.selectProfile('work');
    expect(ipc.selectProfile).toHaveBeenCalledWith('work');
    expect(session.state).toEqual({ kind: 'signed_in', info: SESSION });
    expect(profiles.active?.name).toBe('work');
  });

  it('stays on sign-in, without the old notice, when it has none', async () => {
    vi.mocked(ipc.selectProfile).mockResolvedValue(null);
    await session.selectProfile('work');
    expect(session.state).toEqual({ kind: 'signed_out', notice: null, failure: null });
    expect(profiles.active?.name).toBe('work');
  });

  it('shows a refusal with a retry of the same choice', async () => {
    vi.mocked(ipc.selectProfile).mockRejectedValueOnce(fail('config.invalid', 'bucket is empty'));
    await session.selectProfile('work');
    const failure = session.state.kind === 'signed_out' ? session.state.failure : null;
    expect(failure?.error.message).toBe('bucket is empty');
    expect(profiles.active?.name).toBe('sandbox');

    vi.mocked(ipc.selectProfile).mockResolvedValueOnce(null);
    await failure?.retry();
    expect(ipc.selectProfile).toHaveBeenLastCalledWith('work');
    expect(profiles.active?.name).toBe('work');
  });
});
