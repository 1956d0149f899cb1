import { describe, expect, it } from 'vitest';
import type { Clash } from '../ipc';
import { canReplace, clashesLeft, decide, nextClash, startClashes } from './clash';

const clash = (name: string, incoming: Clash['incoming'] = 'file', existing = incoming): Clash => ({
  name,
  incoming,
  existing,
});

describe('clash decisions', () => {
  it('ask about each clash in turn', () => {
    let progress = startClashes([clash('a.txt'), clash('b.txt')]);
    expect(nextClash(progress)?.name).toBe('a.txt');
    expect(clashesLeft(progress)).toBe(2);
    progress = decide(progress, 'replace', false);
    expect(nextClash(progress)?.name).toBe('b.txt');
    progress = decide(progress, 'skip', false);
    expect(nextClash(progress)).toBeNull();
    expect(progress.decisions).toEqual({ 'a.txt': 'replace', 'b.txt': 'skip' });
  });

  it('settle every open clash with "apply to all", leaving earlier answers alone', () => {
    let progress = startClashes([clash('a'), clash('b'), clash('c')]);
    progress = decide(progress, 'skip', false);
    progress = decide(progress, 'keep_both', true);
    expect(nextClash(progress)).toBeNull();
    expect(clashesLeft(progress)).toBe(0);
    expect(progress.decisions).toEqual({ a: 'skip', b: 'keep_both', c: 'keep_both' });
  });

  it('keep both where a file and a folder share a name and "replace" was asked', () => {
    expect(canReplace(clash('x', 'folder', 'file'))).toBe(false);
    expect(canReplace(clash('x', 'folder'))).toBe(true);
    const progress = decide(
      startClashes([clash('docs', 'folder', 'file'), clash('a.txt')]),
      'replace',
      true,
    );
    expect(progress.decisions).toEqual({ docs: 'keep_both', 'a.txt': 'replace' });
  });

  it('change nothing once every clash is settled', () => {
    const done = decide(startClashes([clash('a')]), 'skip', false);
    expect(decide(done, 'replace', false).decisions).toEqual({ a: 'skip' });
  });
});
