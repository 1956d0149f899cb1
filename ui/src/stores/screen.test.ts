import { describe, expect, it } from 'vitest';
import { SESSION } from './ipc-mock';
import { screenOf } from './screen';

describe('screenOf', () => {
  it('names the screen for each session state', () => {
    expect(screenOf({ kind: 'starting' }, false)).toBe('starting');
    expect(screenOf({ kind: 'signed_out', notice: null, failure: null }, true)).toBe('sign-in');
    expect(screenOf({ kind: 'signing_in', stage: 'browser_opened' }, false)).toBe('waiting');
    expect(screenOf({ kind: 'signed_in', info: SESSION }, false)).toBe('folder');
    expect(screenOf({ kind: 'signed_in', info: SESSION }, true)).toBe('settings');
  });
});
