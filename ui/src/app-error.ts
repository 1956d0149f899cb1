// The one error shape every command rejects with: `{ code, message }`, as cubby-core serializes it.
// The UI branches on `code` (stable, dotted, e.g. `auth.cancelled`), never on `message` text.

export interface AppError {
  code: string;
  message: string;
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  );
}

/** Anything a rejected `invoke` gave back, as an `AppError` (IPC failures become `internal`). */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) {
    return error;
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
