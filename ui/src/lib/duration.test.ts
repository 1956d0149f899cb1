import { describe, expect, it } from 'vitest';
import { formatEta } from './duration';

describe('formatEta', () => {
  it('reads in seconds, minutes, then hours and minutes', () => {
    expect(formatEta(0)).toBe('1 s');
    expect(formatEta(8_400)).toBe('8 s');
    expect(formatEta(150_000)).toBe('3 min');
    expect(formatEta(3_600_000)).toBe('1 h');
    expect(formatEta(4_800_000)).toBe('1 h 20 min');
  });
});
