// The app's one set of stores, wired together. Tests build their own instances of the classes.

import { FolderStore } from './folder.svelte';
import { ProfilesStore } from './profiles.svelte';
import { SessionStore } from './session.svelte';
import { SettingsStore } from './settings.svelte';
import { SyncStore } from './sync.svelte';
import { TransfersStore } from './transfers.svelte';
import { UploadsStore } from './uploads.svelte';

export const profiles = new ProfilesStore();
export const session = new SessionStore(profiles);
export const settings = new SettingsStore(window.matchMedia('(prefers-color-scheme: dark)'));
export const folder = new FolderStore((error) => {
  session.sessionEnded(error);
});
export const transfers = new TransfersStore((remote) => {
  folder.landed(remote);
});
export const uploads = new UploadsStore();
export const sync = new SyncStore();
