// The shell's events, each turned into a typed callback. Subscribing returns the function that
// unsubscribes.

import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { type AppError, toAppError } from './app-error';
import { insideShell } from './shell';
import type { DragDrop, SignInProgress } from './types';

export type Unsubscribe = () => void;

async function subscribe(event: string, handle: (payload: unknown) => void): Promise<Unsubscribe> {
  if (!insideShell()) {
    return () => undefined;
  }
  return listen(event, ({ payload }) => {
    handle(payload);
  });
}

/** The session expired or was revoked while the app ran. */
export const onSessionEnded = (handle: (error: AppError) => void): Promise<Unsubscribe> =>
  subscribe('session-ended', (payload) => {
    handle(toAppError(payload));
  });

/** Something to know that no command asked about: a `cubby://` link no sign-in waited for, a
 * settings file that could not be read. */
export const onNotice = (handle: (error: AppError) => void): Promise<Unsubscribe> =>
  subscribe('notice', (payload) => {
    handle(toAppError(payload));
  });

/** The browser was opened, or the callback arrived and tokens are being exchanged. */
export const onSignInProgress = (
  handle: (progress: SignInProgress) => void,
): Promise<Unsubscribe> =>
  subscribe('sign-in-progress', (payload) => {
    // The shell's `{ stage }`, typed by the contract.
    handle(payload as SignInProgress);
  });

/** The OS dragging files over the window and dropping them (positions in physical pixels:
 * divide by `scaleFactor()` before hit-testing). */
export const onDragDrop = async (handle: (event: DragDrop) => void): Promise<Unsubscribe> => {
  if (!insideShell()) {
    return () => undefined;
  }
  return getCurrentWebview().onDragDropEvent(({ payload }) => {
    handle(payload);
  });
};

/** The window's device pixels per CSS pixel. */
export const scaleFactor = async (): Promise<number> =>
  insideShell() ? getCurrentWindow().scaleFactor() : window.devicePixelRatio;
