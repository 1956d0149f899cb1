import { describe, expect, it } from 'vitest';
import { baseName, crumbs, isWithin, joinPath, nameProblem, parentPath } from './paths';

describe('paths', () => {
  it('split into folder and name', () => {
    expect(baseName('Photos/2024/beach.jpg')).toBe('beach.jpg');
    expect(baseName('notes.md')).toBe('notes.md');
    expect(parentPath('Photos/2024/beach.jpg')).toBe('Photos/2024');
    expect(parentPath('notes.md')).toBe('');
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('Photos', 'a')).toBe('Photos/a');
  });

  it('know what lies within a folder, by whole segments', () => {
    expect(isWithin('Photos/a.jpg', 'Photos')).toBe(true);
    expect(isWithin('Photos', 'Photos')).toBe(true);
    expect(isWithin('Photos 2/a.jpg', 'Photos')).toBe(false);
    expect(isWithin('anything', '')).toBe(true);
  });

  it('make a breadcrumb from the root down', () => {
    expect(crumbs('', 'My folder')).toEqual([{ name: 'My folder', path: '' }]);
    expect(crumbs('Photos/2024', 'My folder')).toEqual([
      { name: 'My folder', path: '' },
      { name: 'Photos', path: 'Photos' },
      { name: '2024', path: 'Photos/2024' },
    ]);
  });

  it('say why a typed name cannot be used', () => {
    expect(nameProblem('Holiday 2025')).toBeNull();
    expect(nameProblem('  ')).toMatch(/Type a name/);
    expect(nameProblem('a/b')).toMatch(/“\/”/);
    expect(nameProblem('..')).toMatch(/not names/);
    expect(nameProblem('a\u0001b')).toMatch(/control/);
  });
});
