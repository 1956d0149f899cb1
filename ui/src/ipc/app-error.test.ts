import { describe, expect, it } from 'vitest';
import { toAppError } from './app-error';

describe('toAppError', () => {
  it("passes the shell's { code, message } through unchanged", () => {
    expect(toAppError({ code: 'auth.cancelled', message: 'Sign-in was cancelled.' })).toEqual({
      code: 'auth.cancelled',
      message: 'Sign-in was cancelled.',
    });
  });

  it('maps a code this build does not know to internal, keeping the message', () => {
    expect(toAppError({ code: 'sync.new_thing', message: 'Something new went wrong.' })).toEqual({
      code: 'internal',
      message: 'Something new went wrong.',
    });
  });

  it('turns anything else into an internal error with a readable message', () => {
    expect(toAppError(new Error('IPC channel closed'))).toEqual({
      code: 'internal',
      message: 'IPC channel closed',
    });
    expect(toAppError('command app_info not found')).toEqual({
      code: 'internal',
      message: 'command app_info not found',
    });
    expect(toAppError({ code: 42, message: 'not the shape' })).toEqual({
      code: 'internal',
      message: '{"code":42,"message":"not the shape"}',
    });
  });
});
