import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { listFolder, listingRows, saveProfile, selectProfile, signIn, startup } from './commands';
import { onSessionEnded } from './events';
import { emit } from '@tauri-apps/api/event';

afterEach(() => {
  clearMocks();
});

describe('commands', () => {
  it('call the contract names with camelCase argument keys', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((command, args) => {
      calls.push([command, args]);
      return null;
    });
    await listFolder('', { order: { column: 'name', descending: false }, filter: 'x' }, true, () => undefined);
    await listingRows(7, 0, 50);
    await selectProfile('work');
    await saveProfile(
      {
        name: 'w',
        region: 'r',
        user_pool_id: 'u',
        client_id: 'c',
        hosted_ui: 'h',
        identity_pool_id: 'i',
        bucket: 'b',
        folder: 'f',
        redirects: [],
        sign_out_url: null,
      },
      null,
    );
    expect(calls.map(([command]) => command)).toEqual([
      'list_folder',
      'listing_rows',
      'select_profile',
      'save_profile',
    ]);
    // The list's states come back through a channel, passed as `onUpdate`.
    expect(calls[0]?.[1]).toMatchObject({
      path: '',
      view: { order: { column: 'name', descending: false }, filter: 'x' },
      refresh: true,
      onUpdate: expect.anything() as unknown,
    });
    expect(calls[1]?.[1]).toEqual({ generation: 7, start: 0, end: 50 });
    expect(calls[2]?.[1]).toEqual({ name: 'work' });
    expect(calls[3]?.[1]).toMatchObject({ previous: null, form: { name: 'w' } });
  });

  it('reject with the AppError the shell sent', async () => {
    mockIPC(() => {
      // The shell rejects with a plain { code, message } object, not an Error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: 'auth.port_busy', message: 'port 53682 is in use' };
    });
    await expect(signIn()).rejects.toEqual({
      code: 'auth.port_busy',
      message: 'port 53682 is in use',
    });
  });

  it('say in words that a plain browser has no app behind it', async () => {
    await expect(startup()).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('open it through the desktop app') as string,
    });
  });
});

describe('events', () => {
  it('turn a session-ended payload into an AppError', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: unknown[] = [];
    await onSessionEnded((error) => seen.push(error));
    await emit('session-ended', { code: 'auth.session_expired', message: 'expired' });
    await emit('session-ended', { code: 'brand.new', message: 'new' });
    expect(seen).toEqual([
      { code: 'auth.session_expired', message: 'expired' },
      { code: 'internal', message: 'new' },
    ]);
  });
});
