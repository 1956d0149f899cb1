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
