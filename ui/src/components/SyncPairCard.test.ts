import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { SyncPairStatus, SyncState } from '../ipc';
import { deferred } from '../stores/ipc-mock';
import SyncPairCard from './SyncPairCard.svelte';

vi.mock('../ipc', async (original) => (await import('../stores/ipc-mock')).ipcMock(original));

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

function pairIn(status: SyncState, more: Partial<SyncPairStatus> = {}): SyncPairStatus {
  return {
    id: 7,
    local: '/home/ada/Documents',
    remote_dir: 'Documents',
    mode: 'two-way',
    status,
    last_sync_ms: NOW - 5 * 60_000,
    synced_files: 50,
    activity: [],
    conflicts: [],
    issues: [],
    ...more,
  };
}

let card: ReturnType<typeof mount> | null = null;
let removed = 0;
function show(pair: SyncPairStatus): HTMLElement {
  const target = document.createElement('ul');
  document.body.replaceChildren(target);
  card = mount(SyncPairCard, {
    target,
    props: {
      pair,
      now: NOW,
      onremove: () => {
        removed++;
      },
    },
  });
  flushSync();
  return target;
}
const byId = (root: HTMLElement, testid: string): HTMLElement | null =>
  root.querySelector(`[data-testid="${testid}"]`);

beforeEach(() => {
  vi.resetAllMocks();
  removed = 0;
});
afterEach(() => {
  if (card) void unmount(card);
  card = null;
});

describe('SyncPairCard', () => {
  it('shows each engine state with the actions that fit it', () => {
    const cases: [SyncState, string, { progress: boolean; resume: boolean; syncNow: boolean }][] = [
      [{ state: 'idle' }, 'Up to date', { progress: false, resume: false, syncNow: true }],
      [{ state: 'scanning' }, 'Looking for changes…', { progress: false, resume: false, syncNow: false }],
      [{ state: 'syncing', done: 3, total: 12 }, 'Syncing 3 of 12', { progress: true, resume: false, syncNow: false }],
      [{ state: 'paused' }, 'Paused', { progress: false, resume: true, syncNow: false }],
      [{ state: 'waiting', deletions: 40, synced: 50, local: 0, remote: 40 }, 'Waiting for your answer', { progress: false, resume: false, syncNow: false }],
      [{ state: 'error', error: { code: 'sync.locked', message: 'cubby sync holds it' } }, 'Stopped', { progress: false, resume: false, syncNow: true }],
    ];
    for (const [status, text, expected] of cases) {
      const root = show(pairIn(status));
      const pair = byId(root, 'sync-pair');
      expect(pair?.dataset.state).toBe(status.state);
      expect(pair?.dataset.id).toBe('7');
      expect(byId(root, 'sync-status')?.textContent).toBe(text);
      expect(byId(root, 'sync-last')?.textContent.trim()).toBe('Last synced 5 minutes ago');
      expect(root.querySelector('[role="progressbar"]') !== null).toBe(expected.progress);
      expect(byId(root, 'sync-resume') !== null).toBe(expected.resume);
      expect(byId(root, 'sync-pause') !== null).toBe(!expected.resume);
      expect((byId(root, 'sync-now') as HTMLButtonElement).disabled).toBe(!expected.syncNow);
      expect(byId(root, 'sync-guard') !== null).toBe(status.state === 'waiting');
      expect(byId(root, 'sync-error') !== null).toBe(status.state === 'error');
    }
  });

  it('puts the syncing progress on its bar', () => {
    const root = show(pairIn({ state: 'syncing', done: 3, total: 12 }));
    expect(root.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')).toBe('25');
  });

  it('asks the deletion guard’s question and sends one answer', async () => {
    const answer = deferred<null>();
    vi.mocked(ipc.allowSyncDeletions).mockReturnValue(answer.promise);
    const root = show(pairIn({ state: 'waiting', deletions: 40, synced: 50, local: 0, remote: 40 }));
    expect(byId(root, 'sync-guard')?.textContent).toContain('This sync would delete 40 of 50 synced files');

    byId(root, 'sync-allow-deletions')?.click();
    flushSync();
    expect(ipc.allowSyncDeletions).toHaveBeenCalledWith(7);
    expect((byId(root, 'sync-allow-deletions') as HTMLButtonElement).disabled).toBe(true);
    expect((byId(root, 'sync-keep-files') as HTMLButtonElement).disabled).toBe(true);

    answer.resolve(null);
    await vi.waitFor(() => {
      flushSync();
      expect((byId(root, 'sync-keep-files') as HTMLButtonElement).disabled).toBe(false);
    });
    expect(ipc.keepSyncFiles).not.toHaveBeenCalled();
  });

  it('lists activity, conflicts with "Show both", and issues by path', () => {
    vi.mocked(ipc.showConflict).mockResolvedValue(null);
    const root = show(
      pairIn(
        { state: 'idle' },
        {
          activity: [
            { at_ms: NOW - 1000, kind: 'upload', path: 'a.txt', text: 'Uploaded a.txt' },
            { at_ms: NOW - 2000, kind: 'download', path: 'b.txt', text: 'Downloaded b.txt' },
          ],
          conflicts: [{ path: 'plan.md', copy: 'plan (conflict).md', loser: 'local', at_ms: NOW }],
          issues: [{ path: 'aux.c', side: 'remote', problem: 'A reserved name here.' }],
        },
      ),
    );
    const items = [...root.querySelectorAll<HTMLElement>('[data-testid="sync-activity-item"]')];
    expect(items.map((item) => [item.dataset.kind, item.dataset.path])).toEqual([
      ['upload', 'a.txt'],
      ['download', 'b.txt'],
    ]);
    expect(byId(root, 'sync-conflict')?.dataset.path).toBe('plan.md');
    byId(root, 'sync-show-both')?.click();
    expect(ipc.showConflict).toHaveBeenCalledWith(7, 'plan.md');
    expect(byId(root, 'sync-issue')?.dataset.path).toBe('aux.c');
    expect(byId(root, 'sync-issue')?.textContent).toContain('In your Cubby folder: A reserved name here.');
  });

  it('asks the panel before removing', () => {
    const root = show(pairIn({ state: 'idle' }));
    byId(root, 'sync-remove')?.click();
    expect(removed).toBe(1);
    expect(ipc.removeSyncPair).not.toHaveBeenCalled();
  });
});
