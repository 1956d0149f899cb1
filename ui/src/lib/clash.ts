// Settling an upload's name clashes one dialog at a time: each answer settles its clash, and "apply
// to all" settles every clash still open the same way.

import type { Clash, ClashDecision } from '../ipc';

export interface ClashProgress {
  clashes: readonly Clash[];
  decisions: Readonly<Record<string, ClashDecision>>;
}

export function startClashes(clashes: readonly Clash[]): ClashProgress {
  return { clashes, decisions: {} };
}

/** The clash to ask about next, or null when every one is settled. */
export function nextClash(progress: ClashProgress): Clash | null {
  return progress.clashes.find((clash) => !(clash.name in progress.decisions)) ?? null;
}

/** How many clashes are still open, the one asked about included. */
export function clashesLeft(progress: ClashProgress): number {
  return progress.clashes.filter((clash) => !(clash.name in progress.decisions)).length;
}

/** Settles the open clash (and with `toAll`, every open one). A folder replacing a file or a file
 * replacing a folder cannot merge, so "replace" is only offered when the kinds match. */
export function decide(
  progress: ClashProgress,
  decision: ClashDecision,
  toAll: boolean,
): ClashProgress {
  const open = toAll ? progress.clashes.filter((c) => !(c.name in progress.decisions)) : [];
  const current = nextClash(progress);
  const settled = toAll ? open : current ? [current] : [];
  const decisions = { ...progress.decisions };
  for (const clash of settled) {
    decisions[clash.name] = decision === 'replace' && !canReplace(clash) ? 'keep_both' : decision;
  }
  return { clashes: progress.clashes, decisions };
}

/** Replacing swaps like for like; a file and a folder under one name can only be kept both. */
export function canReplace(clash: Clash): boolean {
  return clash.incoming === clash.existing;
}
