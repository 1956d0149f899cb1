// The ipc module with every command and event replaced by a Vitest mock, for the stores' tests:
// `vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original))` (the
// factory is hoisted above imports), then drive `vi.mocked(ipc.x)`.

import { vi } from 'vitest';
import type * as Ipc from '../ipc';
import type { AppError, Entry, SessionInfo } from '../ipc';

export async function ipcMock(importOriginal: () => Promise<typeof Ipc>): Promise<typeof Ipc> {
  const real = await importOriginal();
  const mocked = Object.fromEntries(
    Object.entries(real).map(([name, value]) => [
      name,
      typeof value === 'function' && name !== 'toAppError' ? vi.fn() : value,
    ]),
  );
  return mocked as unknown as typeof Ipc;
}

export const SESSION: SessionInfo = {
  email: 'ada@example.com',
  identity_id: 'eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc',
  folder: 'eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc/',
  bucket: 'cubby-files-example',
  credentials_expiry: '2030-01-01T00:00:00Z',
};

export const fail = (code: AppError['code'], message = `${code} happened`): AppError => ({
  code,
  message,
});

/** A promise with its settle functions outside, to hold a command open. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An implementation of `listFolder` that sends these pages through its channel, then resolves. */
export function pagesOf(
  ...pages: Entry[][]
): (path: string, onPage: (entries: Entry[]) => void) => Promise<null> {
  return (_path, onPage) => {
    for (const page of pages) onPage(page);
    return Promise.resolve(null);
  };
}
