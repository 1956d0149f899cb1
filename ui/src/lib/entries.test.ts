import { describe, expect, it } from 'vitest';
import type { Entry } from '../ipc';
import { entryKey, entryName, filterEntries, keyProblemWords, sortEntries } from './entries';

const file = (path: string, size = 1, modified: string | null = null): Entry => ({
  path,
  type: 'file',
  size,
  modified,
});
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

  it('sort folders first, then by name as a person would', () => {
    const sorted = sortEntries([
      file('b.txt'),
      folder('zeta'),
      file('File 10.txt'),
      folder('Alpha'),
      file('file 2.txt'),
      file('a.txt'),
    ]);
    expect(sorted.map(entryName)).toEqual([
      'Alpha',
      'zeta',
      'a.txt',
      'b.txt',
      'file 2.txt',
      'File 10.txt',
    ]);
  });

  it('sort by size or date either way, folders still first, ties by name', () => {
    const entries = [
      file('big', 900, '2025-01-01T00:00:00Z'),
      file('small', 10, '2025-03-01T00:00:00Z'),
      folder('dir'),
      file('also small', 10, null),
    ];
    expect(sortEntries(entries, { column: 'size', descending: false }).map(entryName)).toEqual([
      'dir',
      'also small',
      'small',
      'big',
    ]);
    expect(sortEntries(entries, { column: 'size', descending: true }).map(entryName)).toEqual([
      'dir',
      'big',
      'small',
      'also small',
    ]);
    expect(
      sortEntries(entries, { column: 'modified', descending: true }).map(entryName),
    ).toEqual(['dir', 'small', 'big', 'also small']);
  });

  it('sort 100,000 entries quickly', () => {
    const many = Array.from({ length: 100_000 }, (_, index) =>
      file(`file ${String((index * 7919) % 100_000)}.txt`),
    );
    const started = performance.now();
    const sorted = sortEntries(many);
    expect(performance.now() - started).toBeLessThan(3000);
    const names = sorted.map(entryName);
    expect(names[0]).toBe('file 0.txt');
    expect(names[99_999]).toBe('file 99999.txt');
  });

  it('filter by name, ignoring case and accents', () => {
    const entries = [file('Café.txt'), file('cafeteria'), file('tea'), folder('CAFE')];
    expect(filterEntries(entries, 'cafe').map(entryName)).toEqual(['Café.txt', 'cafeteria', 'CAFE']);
    expect(filterEntries(entries, '  ')).toBe(entries);
    expect(filterEntries(entries, 'xyz')).toEqual([]);
  });

  it('put every key problem in words', () => {
    expect(keyProblemWords('backslash')).toMatch(/backslash/);
    expect(keyProblemWords('decomposed')).toMatch(/accents/);
  });
});
