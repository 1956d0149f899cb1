import { describe, expect, it } from 'vitest';
import type { Entry } from '../ipc';
import { entryKey, entryName, entryRow, keyedRow, keyName, keyProblemWords } from './entries';

const file = (path: string): Entry => ({ path, type: 'file', size: 1, modified: null });
const folder = (path: string): Entry => ({ path, type: 'folder' });
const unusable: Entry = {
  path: 'docs',
  type: 'unusable',
  readable: 'docs/bad\\u{1}name',
  exact: 'docs/bad\u0001name',
  problem: 'control_character',
  folder: false,
  size: 3,
  modified: null,
  twin: null,
};

describe('entries', () => {
  it('are named by their last segment, unusable ones by their readable form', () => {
    expect(entryName(file('photos/2024/beach.jpg'))).toBe('beach.jpg');
    expect(entryName(folder('photos/2024'))).toBe('2024');
    expect(entryName(unusable)).toBe('bad\\u{1}name');
  });

  it('have keys that tell an unusable key from its folder', () => {
    expect(entryKey(folder('docs'))).toBe('docs');
    expect(entryKey(unusable)).toBe('unusable:docs/bad\u0001name');
  });

  it('tell their row by key and kind, as a selection keeps it', () => {
    expect(entryRow(folder('docs'))).toEqual(keyedRow('docs', 'd'));
    expect(entryRow(file('docs/a.txt'))).toEqual(keyedRow('docs/a.txt', 'f'));
    expect(entryRow(unusable)).toEqual(keyedRow(entryKey(unusable), 'u'));
  });

  it('tell what a row key stands for without its entry', () => {
    expect(keyedRow('docs/a.txt', 'f')).toEqual({ key: 'docs/a.txt', type: 'file', path: 'docs/a.txt' });
    expect(keyedRow('docs', 'd')).toEqual({ key: 'docs', type: 'folder', path: 'docs' });
    const bad = keyedRow(entryKey(unusable), 'u');
    expect(bad).toEqual({ key: 'unusable:docs/bad\u0001name', type: 'unusable', exact: 'docs/bad\u0001name' });
    expect(keyName(keyedRow('photos/2024/beach.jpg', 'f'))).toBe('beach.jpg');
    expect(keyName(bad)).toBe('bad\u0001name');
  });

  it('put every key problem in words', () => {
    expect(keyProblemWords('backslash')).toMatch(/backslash/);
    expect(keyProblemWords('decomposed')).toMatch(/accents/);
  });
});
