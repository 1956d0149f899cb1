// Entry point: mounts the app. In `npm run dev` only, `?mock=SCENARIO` (or VITE_MOCK_IPC=SCENARIO)
// stands a pretend shell behind the ipc module, so the UI can be looked at without Rust; the
// production build drops that branch and the mock with it.

import './style.css';
import { mount } from 'svelte';
import App from './App.svelte';

async function main(): Promise<void> {
  if (import.meta.env.DEV) {
    const scenario =
      new URLSearchParams(window.location.search).get('mock') ?? import.meta.env.VITE_MOCK_IPC;
    if (scenario) {
      const { installDevMock } = await import('./ipc/dev-mock');
      installDevMock(scenario, new URLSearchParams(window.location.search));
    }
  }
  const target = document.getElementById('app');
  if (!target) throw new Error('index.html needs <div id="app">');
  mount(App, { target });
}

void main();
