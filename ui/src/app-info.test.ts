import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeVersion, loadAppInfo } from './app-info';

afterEach(() => {
  clearMocks();
  vi.unstubAllGlobals();
});

/** What the Rust shell's `isTauri` marker and IPC look like to the page. */
function insideApp(answer: (command: string) => unknown): void {
  vi.stubGlobal('isTauri', true);
  mockIPC((command) => answer(command));
}

describe('loadAppInfo', () => {
  it('asks the shell for app_info and returns what it says', async () => {
    insideApp((command) => {
      expect(command).toBe('app_info');
      return { name: 'Cubby', version: '1.2.3' };
    });
    await expect(loadAppInfo()).resolves.toEqual({
      kind: 'loaded',
      info: { name: 'Cubby', version: '1.2.3' },
    });
  });

  it('keeps the code and message of a command that fails', async () => {
    insideApp(() => {
      // The shell rejects with a plain { code, message } object, not an Error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: 'config.invalid', message: 'profile "work": field `bucket` is empty' };
    });
    await expect(loadAppInfo()).resolves.toEqual({
      kind: 'failed',
      error: { code: 'config.invalid', message: 'profile "work": field `bucket` is empty' },
    });
  });

  it('does not call the shell in a plain browser', async () => {
    const calls: string[] = [];
    mockIPC((command) => calls.push(command));
    await expect(loadAppInfo()).resolves.toEqual({ kind: 'outside-app' });
    expect(calls).toEqual([]);
  });
});

describe('describeVersion', () => {
  it('shows name and version', () => {
    expect(describeVersion({ kind: 'loaded', info: { name: 'Cubby', version: '0.1.0' } })).toBe(
      'Cubby 0.1.0',
    );
  });

  it('says why the version is missing', () => {
    expect(
      describeVersion({ kind: 'failed', error: { code: 'internal', message: 'IPC is down' } }),
    ).toBe('Cubby (version unavailable: IPC is down)');
    expect(describeVersion({ kind: 'outside-app' })).toContain('browser preview');
  });
});
