// The ipc module with every command and event replaced by a Vitest mock, for the stores' tests:
// `vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original))` (the
// factory is hoisted above imports), then drive `vi.mocked(ipc.x)`.

import { vi } from 'vitest';
import type * as Ipc from '../ipc';
import type { AppError, Entry, ListingUpdate, SessionInfo, SortOrder } from '../ipc';
import { MockListing } from '../ipc/dev-mock-listing';

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

/** The shell's window list for the stores' tests: `listFolder` and `searchFolder` send these
 * pages into it (one update per page, as the shell does for a fresh listing; a refresh sends
 * one at the end), and `arrangeListing`, `listingRows`, `listingKeys` and `listingPositions`
 * answer from it. Takes the mocked
 * module (this file is loaded while it is made). */
export function shellList(ipc: typeof Ipc, ...pages: Entry[][]): MockListing {
  const shown = new MockListing();
  const fill = (
    view: { order: SortOrder; filter: string },
    refresh: boolean,
    onUpdate: (update: ListingUpdate) => void,
  ): Promise<null> => {
    if (refresh) onUpdate(shown.replace(pages.flat(), view.order, view.filter));
    else pages.forEach((page, index) => {
      onUpdate(index === 0 ? shown.replace(page, view.order, view.filter) : shown.extend(page));
    });
    return Promise.resolve(null);
  };
  vi.mocked(ipc.listFolder).mockImplementation((_path, view, refresh, onUpdate) =>
    fill(view, refresh, onUpdate),
  );
  vi.mocked(ipc.searchFolder).mockImplementation((_path, _query, order, onUpdate) =>
    fill({ order, filter: '' }, false, onUpdate),
  );
  vi.mocked(ipc.arrangeListing).mockImplementation((order, filter) =>
    Promise.resolve(shown.arrange(order, filter)),
  );
  vi.mocked(ipc.listingRows).mockImplementation((generation, start, end) =>
    Promise.resolve(shown.rows(generation, start, end)),
  );
  vi.mocked(ipc.listingKeys).mockImplementation((generation, start, end) =>
    Promise.resolve(shown.keys(generation, start, end)),
  );
  vi.mocked(ipc.listingPositions).mockImplementation((generation, keys) =>
    Promise.resolve(shown.positions(generation, keys)),
  );
  return shown;
}
