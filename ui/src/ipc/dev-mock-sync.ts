// `npm run dev` only: the pretend shell's sync pairs (dev-mock.ts answers the rest). `?mock=sync`
// holds a pair in every state (syncing with progress, waiting on the deletion guard, stopped by an
// error, paused with conflicts and issues, up to date); any other scenario starts with none. The
// syncing pair moves on a timer, and every change reaches `watchSync` as a whole snapshot.

import type { AppError } from './app-error';
import type { SyncMode, SyncOverall, SyncPairStatus, SyncSnapshot } from './types';

interface MockChannel<T> {
  onmessage: (message: T) => void;
}

export interface SyncMock {
  /** The answer to a sync command, or undefined for a command that is not about sync. */
  handle: (command: string, args: Record<string, unknown>) => unknown;
}

function fail(code: AppError['code'], message: string): never {
  const error: AppError = { code, message };
  throw error;
}

const MINUTE = 60_000;

function samplePairs(now: number): SyncPairStatus[] {
  const base = {
    activity: [],
    conflicts: [],
    issues: [],
  };
  const [documents, pictures, ...rest]: SyncPairStatus[] = [
    {
      ...base,
      id: 1,
      local: '/home/ada/Documents',
      remote_dir: 'Documents',
      mode: 'two-way',
      status: { state: 'syncing', done: 14, total: 38 },
      last_sync_ms: now - 12 * MINUTE,
      synced_files: 1_204,
      activity: [
        { at_ms: now - 4_000, kind: 'upload', path: 'Taxes/2025 return.pdf', text: 'Uploaded Taxes/2025 return.pdf' },
        { at_ms: now - 9_000, kind: 'download', path: 'Lease 2025.pdf', text: 'Downloaded Lease 2025.pdf' },
        { at_ms: now - 20_000, kind: 'move_remote', path: 'Old/plan.md', text: 'Moved plan.md to Old/plan.md in Cubby' },
        { at_ms: now - 70_000, kind: 'delete_local', path: 'draft (1).txt', text: 'Deleted draft (1).txt here (deleted in Cubby)' },
        { at_ms: now - 3 * MINUTE, kind: 'failed', path: 'budget.xlsx', text: 'Could not upload budget.xlsx: the file is open in another program; trying again on the next sync' },
        { at_ms: now - 5 * MINUTE, kind: 'upload', path: 'notes.md', text: 'Uploaded notes.md' },
        { at_ms: now - 6 * MINUTE, kind: 'upload', path: 'todo.txt', text: 'Uploaded todo.txt' },
      ],
    },
    {
      ...base,
      id: 2,
      local: '/home/ada/Pictures',
      remote_dir: 'Backups/Pictures',
      mode: 'mirror',
      status: { state: 'waiting', deletions: 412, synced: 530, local: 0, remote: 412 },
      last_sync_ms: now - 2 * 60 * MINUTE,
      synced_files: 530,
      activity: [
        { at_ms: now - 30_000, kind: 'note', path: '', text: 'Held: this sync would delete 412 of 530 synced files' },
      ],
    },
    {
      ...base,
      id: 3,
      local: '/home/ada/Projects/Analytical Engine',
      remote_dir: 'Projects/Analytical Engine',
      mode: 'two-way',
      status: { state: 'paused' },
      last_sync_ms: now - 26 * 60 * MINUTE,
      synced_files: 87,
      conflicts: [
        { path: 'plans.txt', copy: 'plans (conflict from Cubby 2026-11-26).txt', loser: 'remote', at_ms: now - 26 * 60 * MINUTE },
      ],
      issues: [
        { path: 'aux.c', side: 'remote', problem: '“aux” is a reserved name on Windows; rename it in Cubby to sync it.' },
        { path: 'build/latest', side: 'local', problem: 'A symbolic link: links are skipped.' },
      ],
      activity: [
        { at_ms: now - 26 * 60 * MINUTE, kind: 'conflict', path: 'plans.txt', text: 'Both sides changed plans.txt: kept both' },
      ],
    },
    {
      ...base,
      id: 4,
      local: '/media/ada/NAS/Music',
      remote_dir: 'Music',
      mode: 'backup',
      status: {
        state: 'error',
        error: { code: 'sync.invalid_pair', message: 'The folder /media/ada/NAS/Music is missing: connect the drive it is on, then press Sync now.' },
      },
      last_sync_ms: now - 4 * 24 * 60 * MINUTE,
      synced_files: 2_310,
    },
    {
      ...base,
      id: 5,
      local: '/home/ada/Desktop',
      remote_dir: 'Desktop',
      mode: 'backup',
      status: { state: 'idle' },
      last_sync_ms: now - 40_000,
      synced_files: 16,
      activity: [{ at_ms: now - 40_000, kind: 'upload', path: 'screenshot.png', text: 'Uploaded screenshot.png' }],
    },
  ];
  // The one asking a question first, as in a screenshot's first view.
  return pictures && documents ? [pictures, documents, ...rest] : [];
}

function overallOf(pairs: SyncPairStatus[]): SyncOverall {
  const states = pairs.map((pair) => pair.status.state);
  if (states.includes('error') || states.includes('waiting')) return 'error';
  if (states.includes('syncing') || states.includes('scanning')) return 'syncing';
  if (states.length > 0 && states.every((state) => state === 'paused')) return 'paused';
  return 'idle';
}

export function syncMock(scenario: string): SyncMock {
  let pairs: SyncPairStatus[] = scenario === 'sync' ? samplePairs(Date.now()) : [];
  let watcher: MockChannel<SyncSnapshot> | null = null;
  let nextId = 10;

  const send = (): void => {
    watcher?.onmessage({ pairs, overall: overallOf(pairs) });
  };
  const update = (id: number, change: (pair: SyncPairStatus) => SyncPairStatus): null => {
    if (!pairs.some((pair) => pair.id === id)) fail('sync.invalid_pair', `No pair ${String(id)}.`);
    pairs = pairs.map((pair) => (pair.id === id ? change(pair) : pair));
    send();
    return null;
  };
  const settle = (pair: SyncPairStatus): SyncPairStatus => ({
    ...pair,
    status: { state: 'idle' },
    last_sync_ms: Date.now(),
  });

  // The syncing pair moves one file a second and starts over, so its progress bar is alive.
  setInterval(() => {
    pairs = pairs.map((pair) =>
      pair.status.state === 'syncing'
        ? {
            ...pair,
            status: { ...pair.status, done: pair.status.done >= pair.status.total ? 0 : pair.status.done + 1 },
          }
        : pair,
    );
    if (pairs.some((pair) => pair.status.state === 'syncing')) send();
  }, 1000);

  return {
    handle(command, args) {
      const id = args.id as number;
      switch (command) {
        case 'watch_sync':
          watcher = args.onSnapshot as MockChannel<SyncSnapshot>;
          send();
          return new Promise(() => undefined);
        case 'pick_sync_folder':
          return '/home/ada/Music';
        case 'add_sync_pair': {
          const local = args.local as string;
          if (pairs.some((pair) => pair.local === local)) {
            fail('sync.invalid_pair', `${local} is already synced.`);
          }
          const pair: SyncPairStatus = {
            id: nextId++,
            local,
            remote_dir: args.remoteDir as string,
            mode: args.mode as SyncMode,
            status: { state: 'scanning' },
            last_sync_ms: null,
            synced_files: 0,
            activity: [],
            conflicts: [],
            issues: [],
          };
          pairs = [...pairs, pair];
          send();
          setTimeout(() => update(pair.id, settle), 2500);
          return pair;
        }
        case 'remove_sync_pair':
          pairs = pairs.filter((pair) => pair.id !== id);
          send();
          return null;
        case 'pause_sync_pair':
          return update(id, (pair) => ({ ...pair, status: { state: 'paused' } }));
        case 'resume_sync_pair':
        case 'sync_pair_now':
        case 'allow_sync_deletions':
        case 'keep_sync_files':
          update(id, (pair) => ({ ...pair, status: { state: 'scanning' } }));
          setTimeout(() => update(id, settle), 1500);
          return null;
        case 'open_sync_folder':
        case 'show_conflict':
          return null;
        default:
          return undefined;
      }
    },
  };
}
