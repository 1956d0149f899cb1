import { describe, expect, it } from 'vitest';
import { formatDate, formatSize } from './format';

describe('formatSize', () => {
  it('counts bytes below a kilobyte', () => {
    expect(formatSize(0)).toBe('0 bytes');
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(999)).toBe('999 bytes');
  });

  it('uses decimal units with one decimal below ten', () => {
    expect(formatSize(1000)).toBe('1.0 KB');
    expect(formatSize(1_234_567)).toBe('1.2 MB');
    expect(formatSize(14_000_000_000)).toBe('14 GB');
    expect(formatSize(999_999)).toBe('1.0 MB');
  });
});

describe('formatDate', () => {
  it('is empty for missing or unreadable dates', () => {
    expect(formatDate(null)).toBe('');
    expect(formatDate(undefined)).toBe('');
    expect(formatDate('not a date')).toBe('');
  });

  it('shows a readable date', () => {
    expect(formatDate('2025-03-14T09:26:53Z')).toMatch(/2025/);
  });
});
