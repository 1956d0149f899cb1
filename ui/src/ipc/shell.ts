// Whether this page runs inside the Tauri shell (or a mock of it), checked before every call so a
// plain browser gets a sentence instead of a TypeError.

/** What Tauri injects into the window it hosts; absent in a plain browser. */
interface TauriWindow {
  __TAURI_INTERNALS__?: { invoke?: unknown };
}

export function insideShell(): boolean {
  return typeof (window as TauriWindow).__TAURI_INTERNALS__?.invoke === 'function';
}
