// Which screen the window shows; also written to `document.body.dataset.screen` for the end-to-end
// tests to wait on.

import type { SessionState } from './session.svelte';

export type Screen = 'starting' | 'sign-in' | 'waiting' | 'folder' | 'sync' | 'settings';

/** What the signed-in window shows under its top bar: the file browser or the sync panel. */
export type ShellView = 'files' | 'sync';

export function screenOf(session: SessionState, settingsOpen: boolean, view: ShellView): Screen {
  switch (session.kind) {
    case 'starting':
      return 'starting';
    case 'signed_out':
      return 'sign-in';
    case 'signing_in':
      return 'waiting';
    case 'signed_in':
      if (settingsOpen) return 'settings';
      return view === 'sync' ? 'sync' : 'folder';
  }
}
