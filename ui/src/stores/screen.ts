// Which screen the window shows; also written to `document.body.dataset.screen` for the end-to-end
// tests to wait on.

import type { SessionState } from './session.svelte';

export type Screen = 'starting' | 'sign-in' | 'waiting' | 'folder' | 'settings';

export function screenOf(session: SessionState, settingsOpen: boolean): Screen {
  switch (session.kind) {
    case 'starting':
      return 'starting';
    case 'signed_out':
      return 'sign-in';
    case 'signing_in':
      return 'waiting';
    case 'signed_in':
      return settingsOpen ? 'settings' : 'folder';
  }
}
