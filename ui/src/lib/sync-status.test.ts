import { describe, expect, it } from 'vitest';
import type { SyncState } from '../ipc';
import {
  canSyncNow,
  conflictWords,
  defaultRemoteName,
  guardQuestion,
  relativeTime,
  remoteDirProblem,
  statusWords,
} from './sync-status';

describe('statusWords', () => {
  it('names every engine state with its tone', () => {
    const shown = (status: SyncState, everSynced = true) => {
      const words = statusWords(status, everSynced);
      return [words.text, words.tone];
    };
    expect(shown({ state: 'idle' })).toEqual(['Up to date', 'ok']);
    expect(shown({ state: 'idle' }, false)).toEqual(['Not synced yet', 'muted']);
    expect(shown({ state: 'scanning' })).toEqual(['Looking for changes…', 'busy']);
    expect(shown({ state: 'syncing', done: 3, total: 12 })).toEqual(['Syncing 3 of 12', 'busy']);
    expect(shown({ state: 'paused' })).toEqual(['Paused', 'muted']);
    expect(shown({ state: 'waiting', deletions: 40, synced: 50, local: 0, remote: 40 })).toEqual([
      'Waiting for your answer',
      'warning',
    ]);
    expect(
      shown({ state: 'error', error: { code: 'net.offline', message: 'The network is unreachable.' } }),
    ).toEqual(['Stopped', 'danger']);
  });

  it('gives the progress while syncing only', () => {
    expect(statusWords({ state: 'syncing', done: 3, total: 12 }, true).fraction).toBe(0.25);
    expect(statusWords({ state: 'syncing', done: 0, total: 0 }, true).fraction).toBe(0);
    expect(statusWords({ state: 'idle' }, true).fraction).toBeNull();
    const error = statusWords({ state: 'error', error: { code: 'sync.locked', message: 'held' } }, true);
    expect(error.fraction).toBeNull();
  });
});

describe('guardQuestion', () => {
  it('asks only while the guard waits, with the counts', () => {
    expect(guardQuestion({ state: 'idle' })).toBeNull();
    expect(guardQuestion({ state: 'waiting', deletions: 40, synced: 50, local: 0, remote: 40 })?.question).toBe(
      'This sync would delete 40 of 50 synced files in your Cubby folder',
    );
    expect(guardQuestion({ state: 'waiting', deletions: 1, synced: 1, local: 1, remote: 0 })?.question).toBe(
      'This sync would delete 1 of 1 synced file on this computer',
    );
    const both = guardQuestion({ state: 'waiting', deletions: 5, synced: 9, local: 2, remote: 3 });
    expect(both?.question).toBe(
      'This sync would delete 5 of 9 synced files (2 on this computer, 3 in your Cubby folder)',
    );
    expect(both?.deleteAnswer).toContain('trash');
  });
});

describe('canSyncNow', () => {
  it('offers "Sync now" only to a pair at rest or stopped', () => {
    expect(canSyncNow({ state: 'idle' })).toBe(true);
    expect(canSyncNow({ state: 'error', error: { code: 'internal', message: 'x' } })).toBe(true);
    expect(canSyncNow({ state: 'syncing', done: 1, total: 2 })).toBe(false);
    expect(canSyncNow({ state: 'paused' })).toBe(false);
    expect(canSyncNow({ state: 'waiting', deletions: 1, synced: 2, local: 1, remote: 0 })).toBe(false);
  });
});

describe('relativeTime', () => {
  const now = Date.UTC(2026, 10, 27, 12, 0, 0);
  it('reads as people say it', () => {
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime(now - 10_000, now)).toBe('just now');
    expect(relativeTime(now - 60_000, now)).toBe('1 minute ago');
    expect(relativeTime(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(relativeTime(now - 26 * 3_600_000, now)).toBe('yesterday');
    expect(relativeTime(now - 4 * 86_400_000, now)).toBe('4 days ago');
    expect(relativeTime(now - 90 * 86_400_000, now)).not.toMatch(/ago/);
  });
});

describe('conflictWords', () => {
  it('says whose version moved aside and where', () => {
    expect(
      conflictWords({ path: 'a/notes.md', copy: 'a/notes (conflict).md', loser: 'remote', at_ms: 0 }),
    ).toBe('Both sides changed it: the Cubby version was kept as notes (conflict).md.');
  });
});

describe('the add form’s names', () => {
  it('offers the local folder’s name, and nothing for a root', () => {
    expect(defaultRemoteName('/home/ada/Documents')).toBe('Documents');
    expect(defaultRemoteName('/home/ada/Documents/')).toBe('Documents');
    expect(defaultRemoteName('C:\\Users\\ada\\Photos')).toBe('Photos');
    expect(defaultRemoteName('/')).toBe('');
    expect(defaultRemoteName('C:\\')).toBe('');
  });

  it('accepts folder paths of good names and says what is wrong otherwise', () => {
    expect(remoteDirProblem('Documents')).toBeNull();
    expect(remoteDirProblem('Backups/Laptop')).toBeNull();
    expect(remoteDirProblem('  ')).toBe('Type the name of a folder in Cubby.');
    expect(remoteDirProblem('/Documents')).toBe(
      'Separate folders with a single “/”, with none at the start or end.',
    );
    expect(remoteDirProblem('a//b')).not.toBeNull();
    expect(remoteDirProblem('..')).toBe('“.” and “..” are not names.');
    expect(remoteDirProblem('Backups/..')).toBe('“..”: “.” and “..” are not names.');
    expect(remoteDirProblem('a\\b')).toBe('A name cannot contain “\\”.');
  });
});
