// How the sync panel puts a pair into words: its state as a line and a tone, the deletion guard's
// question and answers, the three modes, relative times, and the add form's folder names.

import type { SyncConflict, SyncIssue, SyncMode, SyncPairStatus, SyncState } from '../ipc';
import { nameProblem } from './paths';

/** The colour a state is drawn in: `ok` done, `busy` working, `muted` held, `warning` needs the
 * person, `danger` stopped. */
export type SyncTone = 'ok' | 'busy' | 'muted' | 'warning' | 'danger';

export interface SyncStatusWords {
  /** The short line beside the pair's name. */
  text: string;
  tone: SyncTone;
  /** 0..1 while syncing, else null: the progress bar. */
  fraction: number | null;
}

/** The line a pair's state shows; `everSynced` tells "up to date" from "not synced yet". */
export function statusWords(status: SyncState, everSynced: boolean): SyncStatusWords {
  switch (status.state) {
    case 'idle':
      return {
        text: everSynced ? 'Up to date' : 'Not synced yet',
        tone: everSynced ? 'ok' : 'muted',
        fraction: null,
      };
    case 'scanning':
      return { text: 'Looking for changes…', tone: 'busy', fraction: null };
    case 'syncing':
      return {
        text: `Syncing ${String(status.done)} of ${String(status.total)}`,
        tone: 'busy',
        fraction: status.total > 0 ? Math.min(status.done / status.total, 1) : 0,
      };
    case 'paused':
      return { text: 'Paused', tone: 'muted', fraction: null };
    case 'waiting':
      return { text: 'Waiting for your answer', tone: 'warning', fraction: null };
    case 'error':
      return {
        text: 'Stopped',
        tone: 'danger',
        fraction: null,
      };
  }
}

/** What the deletion guard asks, and what each answer does. */
export interface GuardQuestion {
  question: string;
  deleteAnswer: string;
  keepAnswer: string;
}

/** The guard's question for a pair waiting on it, else null. */
export function guardQuestion(status: SyncState): GuardQuestion | null {
  if (status.state !== 'waiting') return null;
  const files = status.synced === 1 ? 'file' : 'files';
  const asked = `This sync would delete ${String(status.deletions)} of ${String(status.synced)} synced ${files}`;
  if (status.local === 0) {
    return {
      question: `${asked} in your Cubby folder`,
      deleteAnswer: 'The files removed from this computer are deleted from your Cubby folder too.',
      keepAnswer: 'Nothing is deleted: the missing files are copied back here on the next sync.',
    };
  }
  if (status.remote === 0) {
    return {
      question: `${asked} on this computer`,
      deleteAnswer:
        'The files removed from your Cubby folder are moved to this computer\'s trash too.',
      keepAnswer: 'Nothing is deleted: the missing files are copied back to Cubby on the next sync.',
    };
  }
  return {
    question: `${asked} (${String(status.local)} on this computer, ${String(status.remote)} in your Cubby folder)`,
    deleteAnswer:
      'The files removed on one side are deleted on the other too (on this computer, to the trash).',
    keepAnswer: 'Nothing is deleted: the missing files are copied back on the next sync.',
  };
}

/** Whether the pair's "Sync now" makes sense: it is not already running, held or asking. */
export function canSyncNow(status: SyncState): boolean {
  return status.state === 'idle' || status.state === 'error';
}

export interface ModeWords {
  mode: SyncMode;
  label: string;
  /** One sentence on what it will and will not delete. */
  deletes: string;
}

export const MODES: readonly ModeWords[] = [
  {
    mode: 'backup',
    label: 'Backup',
    deletes: 'Copies this folder to Cubby and never deletes anything in your Cubby folder.',
  },
  {
    mode: 'mirror',
    label: 'Mirror',
    deletes:
      'Deletes in your Cubby folder only what it synced from this folder and you then deleted here.',
  },
  {
    mode: 'two-way',
    label: 'Two-way',
    deletes:
      'Syncs both ways, deletions too, and keeps both versions when both sides changed a file.',
  },
];

export function modeLabel(mode: SyncMode): string {
  return MODES.find((words) => words.mode === mode)?.label ?? mode;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "just now", "5 minutes ago", "yesterday"…; "never" for null. */
export function relativeTime(atMs: number | null, nowMs: number): string {
  if (atMs === null) return 'never';
  const seconds = Math.round((atMs - nowMs) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  const days = Math.round(hours / 24);
  if (Math.abs(days) < 30) return relative.format(days, 'day');
  return new Date(atMs).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A conflict in words: which version stayed in place and where the other went. */
export function conflictWords(conflict: SyncConflict): string {
  const lost = conflict.loser === 'local' ? 'this computer’s version' : 'the Cubby version';
  return `Both sides changed it: ${lost} was kept as ${lastSegment(conflict.copy)}.`;
}

export function issueSide(issue: SyncIssue): string {
  return issue.side === 'local' ? 'On this computer' : 'In your Cubby folder';
}

/** The folder a pair is known by: the local folder's name. */
export function pairName(pair: SyncPairStatus): string {
  return lastSegment(pair.local) || pair.local;
}

/** Where in the person's folder the pair syncs to, as the file browser names it. */
export function remoteWhere(pair: SyncPairStatus): string {
  return pair.remote_dir === '' ? 'My folder' : `My folder/${pair.remote_dir}`;
}

/** The last segment of a local path (either separator; trailing ones ignored); '' for a root. */
function lastSegment(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
}

/** The remote folder the add form offers for a chosen local folder: its name ('' for a root,
 * like `/` or `C:\`, which the person must name). */
export function defaultRemoteName(local: string): string {
  const name = lastSegment(local);
  return /^[A-Za-z]:$/.test(name) ? '' : name;
}

/** Why a remote folder cannot be synced to, or null: a '/'-separated path of names the file
 * browser accepts. */
export function remoteDirProblem(remoteDir: string): string | null {
  if (remoteDir.trim() === '') return 'Type the name of a folder in Cubby.';
  const segments = remoteDir.split('/');
  if (segments.some((segment) => segment === '')) {
    return 'Separate folders with a single “/”, with none at the start or end.';
  }
  for (const segment of segments) {
    const problem = nameProblem(segment);
    if (problem) return segments.length > 1 ? `“${segment}”: ${problem}` : problem;
  }
  return null;
}
