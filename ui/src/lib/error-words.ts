// A short headline for each kind of failure, so the person reads what happened before the details
// (core's message, shown under it verbatim).

import type { ErrorCode } from '../ipc';

const BY_CODE: Partial<Record<ErrorCode, string>> = {
  'auth.cancelled': 'Sign-in was cancelled',
  'auth.timeout': 'Signing in took too long',
  'auth.port_busy': 'Cubby could not listen for the browser',
  'auth.provider_error': 'The sign-in page reported a problem',
  'auth.state_mismatch': 'That sign-in did not come from this window',
  'auth.callback_invalid': 'The browser came back with something unexpected',
  'auth.code_rejected': 'The sign-in was not accepted',
  'auth.id_token_invalid': 'The sign-in was not accepted',
  'auth.session_expired': 'Your session ended',
  'auth.not_signed_in': 'You are signed out',
  'identity.refused': 'Your account could not get access to storage',
  'secrets.unavailable': 'The system keyring is not available',
  'secrets.corrupt': 'The saved sign-in could not be read',
  'net.offline': 'You seem to be offline',
  'net.interrupted': 'The connection was interrupted',
  'net.timeout': 'The server took too long to answer',
  'config.invalid': 'This profile needs fixing',
  'config.not_found': 'No profile is set up',
  'config.profile_not_found': 'That profile no longer exists',
  'storage.access_denied': 'Access to your folder was refused',
  'storage.credentials_rejected': 'Access to your folder was refused',
  'storage.unavailable': 'Your storage is not reachable right now',
  'sync.invalid_pair': 'This folder cannot be synced',
  'sync.locked': 'Another Cubby is syncing this folder',
  'sync.state_db': 'Sync could not read its records',
  'sync.deletion_guard': 'Sync is waiting for your answer',
  'sync.incomplete': 'Some files did not sync',
};

const BY_AREA: Record<string, string> = {
  auth: 'Signing in did not work',
  storage: 'Your folder could not be read',
  net: 'A network problem got in the way',
  config: 'A profile problem got in the way',
  sync: 'Sync did not work',
};

/** The headline for an error code: specific when known, else by area, else a plain fallback. */
export function errorHeadline(code: ErrorCode): string {
  const area = code.split('.')[0] ?? '';
  return BY_CODE[code] ?? BY_AREA[area] ?? 'Something went wrong';
}
