import { describe, expect, it } from 'vitest';
import { fileIcon } from './file-kind';

describe('fileIcon', () => {
  it('tells pictures and text from other files, by extension in any case', () => {
    expect(fileIcon('beach.JPG')).toBe('image');
    expect(fileIcon('notes.md')).toBe('fileText');
    expect(fileIcon('movie.mp4')).toBe('file');
    expect(fileIcon('.png')).toBe('file');
    expect(fileIcon('README')).toBe('file');
  });
});
