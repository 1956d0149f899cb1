import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { UploadPlan } from '../ipc';
import { fail } from './ipc-mock';
import { UploadsStore } from './uploads.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

const plan = (clashes: UploadPlan['clashes'] = []): UploadPlan => ({
  id: 7,
  to: 'Docs',
  files: 3,
  folders: 1,
  bytes: 100,
  clashes,
  skipped: [{ path: '/home/ada/link', reason: 'a symbolic link' }],
});

let store: UploadsStore;
beforeEach(() => {
  vi.resetAllMocks();
  store = new UploadsStore();
  vi.mocked(ipc.startUpload).mockResolvedValue(3);
});

describe('UploadsStore', () => {
  it('starts a drop without clashes at once and keeps what it left out', async () => {
    vi.mocked(ipc.uploadDrop).mockResolvedValue(plan());
    await store.drop(['/home/ada/a'], 'Docs');
    expect(ipc.uploadDrop).toHaveBeenCalledWith(['/home/ada/a'], 'Docs');
    expect(ipc.startUpload).toHaveBeenCalledWith(7, {});
    expect(store.skipped).toHaveLength(1);
  });

  it('asks about each clash, then starts with the answers', async () => {
    vi.mocked(ipc.pickUpload).mockResolvedValue(
      plan([
        { name: 'a.txt', incoming: 'file', existing: 'file' },
        { name: 'b', incoming: 'folder', existing: 'folder' },
        { name: 'c', incoming: 'file', existing: 'file' },
      ]),
    );
    await store.pick('files', 'Docs');
    expect(store.clash?.name).toBe('a.txt');
    expect(store.left).toBe(3);
    await store.decide('replace', false);
    expect(store.clash?.name).toBe('b');
    expect(ipc.startUpload).not.toHaveBeenCalled();
    await store.decide('skip', true);
    expect(ipc.startUpload).toHaveBeenCalledWith(7, { 'a.txt': 'replace', b: 'skip', c: 'skip' });
    expect(store.plan).toBeNull();
  });

  it('discards the plan when the person cancels at a clash', async () => {
    vi.mocked(ipc.uploadDrop).mockResolvedValue(
      plan([{ name: 'a', incoming: 'file', existing: 'file' }]),
    );
    await store.drop(['/a'], '');
    await store.cancel();
    expect(ipc.discardUpload).toHaveBeenCalledWith(7);
    expect(ipc.startUpload).not.toHaveBeenCalled();
  });

  it('does nothing when the picker is cancelled, and shows a refused drop', async () => {
    vi.mocked(ipc.pickUpload).mockResolvedValue(null);
    await store.pick('folder', '');
    expect(ipc.startUpload).not.toHaveBeenCalled();
    vi.mocked(ipc.uploadDrop).mockRejectedValue(fail('storage.invalid_path', 'not dropped'));
    await store.drop(['/etc/passwd'], '');
    expect(store.error?.code).toBe('storage.invalid_path');
  });
});
