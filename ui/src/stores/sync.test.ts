import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { SyncPairStatus, SyncSnapshot } from '../ipc';
import { deferred, fail } from './ipc-mock';
import { SyncAddForm } from './sync-add.svelte';
import { SyncStore } from './sync.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

const pair = (id: number, status: SyncPairStatus['status']): SyncPairStatus => ({
  id,
  local: `/home/ada/Folder${String(id)}`,
  remote_dir: `Folder${String(id)}`,
  mode: 'two-way',
  status,
  last_sync_ms: null,
  synced_files: 50,
  activity: [],
  conflicts: [],
  issues: [],
});

let send: (snapshot: SyncSnapshot) => void;
let store: SyncStore;
beforeEach(() => {
  vi.resetAllMocks();
  vi.mocked(ipc.watchSync).mockImplementation((onSnapshot) => {
    send = onSnapshot;
    return new Promise(() => undefined);
  });
  store = new SyncStore();
});

describe('SyncStore', () => {
  it('watches once and shows each snapshot whole', () => {
    store.watch();
    store.watch();
    expect(ipc.watchSync).toHaveBeenCalledTimes(1);
    expect(store.pairs).toEqual([]);
    send({ pairs: [pair(1, { state: 'syncing', done: 2, total: 9 })], overall: 'syncing' });
    expect(store.pairs.map((p) => p.status.state)).toEqual(['syncing']);
    expect(store.overall).toBe('syncing');
    send({ pairs: [], overall: 'idle' });
    expect(store.pairs).toEqual([]);
  });

  it('shows a failed action on its pair until the next action on it', async () => {
    vi.mocked(ipc.syncPairNow).mockRejectedValue(fail('sync.locked', 'cubby sync holds it'));
    await store.syncNow(3);
    expect(ipc.syncPairNow).toHaveBeenCalledWith(3);
    expect(store.problemOf(3)?.code).toBe('sync.locked');
    expect(store.problemOf(4)).toBeNull();
    vi.mocked(ipc.pauseSyncPair).mockResolvedValue(null);
    await store.pause(3);
    expect(store.problemOf(3)).toBeNull();
  });

  it('adds a pair and shows it before the next snapshot; a refusal goes back to the form', async () => {
    store.watch();
    send({ pairs: [pair(1, { state: 'idle' })], overall: 'idle' });
    vi.mocked(ipc.addSyncPair).mockResolvedValue(pair(2, { state: 'scanning' }));
    expect(await store.add('/home/ada/Folder2', 'Folder2', 'backup')).toBeNull();
    expect(ipc.addSyncPair).toHaveBeenCalledWith('/home/ada/Folder2', 'Folder2', 'backup');
    expect(store.pairs.map((p) => p.id)).toEqual([1, 2]);

    vi.mocked(ipc.addSyncPair).mockRejectedValue(fail('sync.invalid_pair', 'inside another pair'));
    expect((await store.add('/home/ada/Folder2/x', 'x', 'mirror'))?.code).toBe('sync.invalid_pair');
  });

  it('forgets everything on clear', () => {
    store.watch();
    send({ pairs: [pair(1, { state: 'idle' })], overall: 'idle' });
    store.clear();
    expect(store.pairs).toEqual([]);
    expect(store.snapshot).toBeNull();
  });
});

describe('the deletion guard’s consent', () => {
  it('sends "delete them" once, holding both answers while it is on its way', async () => {
    const answer = deferred<null>();
    vi.mocked(ipc.allowSyncDeletions).mockReturnValue(answer.promise);
    store.watch();
    send({ pairs: [pair(7, { state: 'waiting', deletions: 40, synced: 50, local: 0, remote: 40 })], overall: 'paused' });

    const first = store.allowDeletions(7);
    expect(store.answering.has(7)).toBe(true);
    await store.allowDeletions(7);
    await store.keepFiles(7);
    expect(ipc.allowSyncDeletions).toHaveBeenCalledTimes(1);
    expect(ipc.keepSyncFiles).not.toHaveBeenCalled();

    answer.resolve(null);
    await first;
    expect(store.answering.has(7)).toBe(false);
    expect(ipc.allowSyncDeletions).toHaveBeenCalledWith(7);
  });

  it('sends "keep them" and, when it fails, lets the person answer again', async () => {
    vi.mocked(ipc.keepSyncFiles).mockRejectedValueOnce(fail('sync.state_db', 'database locked'));
    await store.keepFiles(7);
    expect(store.problemOf(7)?.message).toBe('database locked');
    expect(store.answering.has(7)).toBe(false);

    vi.mocked(ipc.keepSyncFiles).mockResolvedValue(null);
    await store.keepFiles(7);
    expect(ipc.keepSyncFiles).toHaveBeenCalledTimes(2);
    expect(store.problemOf(7)).toBeNull();
    expect(ipc.allowSyncDeletions).not.toHaveBeenCalled();
  });
});

describe('SyncAddForm', () => {
  const adds = vi.fn<(local: string, remote: string, mode: string) => Promise<null | ipc.AppError>>();
  let form: SyncAddForm;
  beforeEach(() => {
    adds.mockReset();
    adds.mockResolvedValue(null);
    form = new SyncAddForm(adds);
  });

  it('offers the chosen folder’s name as the remote folder until the person types one', async () => {
    vi.mocked(ipc.pickSyncFolder).mockResolvedValueOnce('/home/ada/Documents');
    await form.pick();
    expect(form.local).toBe('/home/ada/Documents');
    expect(form.remote).toBe('Documents');

    vi.mocked(ipc.pickSyncFolder).mockResolvedValueOnce('/home/ada/Photos');
    await form.pick();
    expect(form.remote).toBe('Photos');

    form.editRemote('Pictures/Phone');
    vi.mocked(ipc.pickSyncFolder).mockResolvedValueOnce('/home/ada/Music');
    await form.pick();
    expect(form.local).toBe('/home/ada/Music');
    expect(form.remote).toBe('Pictures/Phone');
  });

  it('keeps the form as it was when the picker is cancelled', async () => {
    vi.mocked(ipc.pickSyncFolder).mockResolvedValueOnce('/home/ada/Documents');
    await form.pick();
    vi.mocked(ipc.pickSyncFolder).mockResolvedValueOnce(null);
    await form.pick();
    expect(form.local).toBe('/home/ada/Documents');
    expect(form.remote).toBe('Documents');
  });

  it('checks the folder and the name before asking the shell', async () => {
    expect(await form.submit()).toBe(false);
    expect(form.localProblem).toBe('Choose a folder on this computer.');
    expect(form.remoteProblem).toBe('Type the name of a folder in Cubby.');
    expect(adds).not.toHaveBeenCalled();

    vi.mocked(ipc.pickSyncFolder).mockResolvedValueOnce('/home/ada/Documents');
    await form.pick();
    form.editRemote('Docs/');
    expect(await form.submit()).toBe(false);
    expect(form.remoteProblem).toMatch(/single “\/”/);
    expect(adds).not.toHaveBeenCalled();

    form.editRemote(' Docs ');
    form.mode = 'mirror';
    expect(await form.submit()).toBe(true);
    expect(adds).toHaveBeenCalledWith('/home/ada/Documents', 'Docs', 'mirror');
  });

  it('shows the shell’s refusal and stays open', async () => {
    vi.mocked(ipc.pickSyncFolder).mockResolvedValueOnce('/home/ada');
    await form.pick();
    adds.mockResolvedValueOnce(fail('sync.invalid_pair', 'That folder holds the app’s own data.'));
    expect(await form.submit()).toBe(false);
    expect(form.error?.code).toBe('sync.invalid_pair');
    expect(form.adding).toBe(false);
  });
});
