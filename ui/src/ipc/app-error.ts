// The one error shape every command rejects with: `{ code, message }`, as cubby-core serializes it.
// The UI branches on `code` (stable, dotted, e.g. `auth.cancelled`), never on `message` text.

import { ERROR_CODES, type ErrorCode } from './error-codes';

export interface AppError {
  code: ErrorCode;
  message: string;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

function isKnownCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

function hasErrorShape(value: unknown): value is { code: string; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  );
}

/**
 * Anything a rejected `invoke` (or an event payload) gave back, as an `AppError`. IPC failures and
 * codes this build does not know become `internal`, keeping the message so nothing is hidden.
 */
export function toAppError(error: unknown): AppError {
  if (hasErrorShape(error)) {
    return { code: isKnownCode(error.code) ? error.code : 'internal', message: error.message };
  }
  return { code: 'internal', message: describe(error) };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (typeof error === 'object' && error !== null) {
    try {
      return JSON.stringify(error);
    } catch {
      // Circular, or holding a BigInt: nothing readable to show.
      return 'an error the app could not read';
    }
  }
  return String(error);
}
