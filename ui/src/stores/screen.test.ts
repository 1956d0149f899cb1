import { describe, expect, it } from 'vitest';
import { SESSION } from './ipc-mock';
import { screenOf } from './screen';

describe('screenOf', () => {
  it('names the screen for each session state', () => {
    expect(screenOf({ kind: 'starting' }, false, 'files')).toBe('starting');
    expect(screenOf({ kind: 'signed_out', notice: null, failure: null }, true, 'files')).toBe('sign-in');
    expect(screenOf({ kind: 'signing_in', stage: 'browser_opened' }, false, 'files')).toBe('waiting');
    expect(screenOf({ kind: 'signed_in', info: SESSION }, false, 'files')).toBe('folder');
    expect(screenOf({ kind: 'signed_in', info: SESSION }, true, 'files')).toBe('settings');
    expect(screenOf({ kind: 'signed_in', info: SESSION }, false, 'sync')).toBe('sync');
    expect(screenOf({ kind: 'signed_in', info: SESSION }, true, 'sync')).toBe('settings');
    expect(screenOf({ kind: 'signed_out', notice: null, failure: null }, false, 'sync')).toBe('sign-in');
  });
});
