import { describe, expect, it } from 'vitest';
import { errorHeadline } from './error-words';

describe('errorHeadline', () => {
  it('names well-known failures specifically', () => {
    expect(errorHeadline('net.offline')).toBe('You seem to be offline');
    expect(errorHeadline('auth.session_expired')).toBe('Your session ended');
  });

  it('falls back to the area, then to a plain sentence', () => {
    expect(errorHeadline('auth.unexpected_response')).toBe('Signing in did not work');
    expect(errorHeadline('storage.partial_failure')).toBe('Your folder could not be read');
    expect(errorHeadline('internal')).toBe('Something went wrong');
  });
});
