import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { Settings } from '../ipc';
import { fail } from './ipc-mock';
import {
  type ColorSchemeQuery,
  concurrencyProblem,
  resolveTheme,
  SettingsStore,
} from './settings.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

/** A stand-in for `matchMedia('(prefers-color-scheme: dark)')` the test can flip. */
function fakeColorScheme(dark: boolean): ColorSchemeQuery & { flip(dark: boolean): void } {
  const listeners = new Set<(event: { matches: boolean }) => void>();
  return {
    matches: dark,
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
    flip(next) {
      this.matches = next;
      for (const listener of listeners) listener({ matches: next });
    },
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  vi.mocked(ipc.setSettings).mockImplementation((settings: Settings) => Promise.resolve(settings));
});

describe('resolveTheme', () => {
  it('keeps an explicit choice and follows the OS for system', () => {
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
  });
});

describe('concurrencyProblem', () => {
  it('accepts whole numbers from 1 to 64 only', () => {
    expect(concurrencyProblem(1)).toBeNull();
    expect(concurrencyProblem(64)).toBeNull();
    for (const bad of [0, 65, 2.5, Number.NaN]) {
      expect(concurrencyProblem(bad)).toBe('Enter a whole number from 1 to 64.');
    }
  });
});

describe('SettingsStore', () => {
  it('applies the theme to the document and follows the OS live on system', async () => {
    const scheme = fakeColorScheme(false);
    const store = new SettingsStore(scheme);
    vi.mocked(ipc.getSettings).mockResolvedValue({ concurrency: 8, theme: 'system', start_at_login: false });
    await store.load();
    const root = document.createElement('html');
    const stop = store.applyTo(root);
    flushSync();
    expect(root.dataset.theme).toBe('light');

    scheme.flip(true);
    flushSync();
    expect(root.dataset.theme).toBe('dark');

    await store.setTheme('light');
    flushSync();
    expect(root.dataset.theme).toBe('light');
    expect(ipc.setSettings).toHaveBeenCalledWith({ concurrency: 8, theme: 'light', start_at_login: false });

    stop();
    scheme.flip(false);
    await store.setTheme('dark');
    flushSync();
    expect(root.dataset.theme).toBe('light');
  });

  it('goes back to the previous theme when the shell refuses the new one', async () => {
    const store = new SettingsStore(fakeColorScheme(false));
    vi.mocked(ipc.getSettings).mockResolvedValue({ concurrency: 8, theme: 'dark', start_at_login: false });
    await store.load();
    vi.mocked(ipc.setSettings).mockRejectedValue(fail('io.error', 'disk full'));
    await store.setTheme('light');
    expect(store.theme).toBe('dark');
    expect(store.error?.message).toBe('disk full');
  });

  it('saves a concurrency in range and refuses one out of range without calling the shell', async () => {
    const store = new SettingsStore(fakeColorScheme(false));
    vi.mocked(ipc.getSettings).mockResolvedValue({ concurrency: 8, theme: 'system', start_at_login: false });
    await store.load();
    expect(await store.setConcurrency(0)).toBe('Enter a whole number from 1 to 64.');
    expect(ipc.setSettings).not.toHaveBeenCalled();
    expect(await store.setConcurrency(16)).toBeNull();
    expect(store.settings?.concurrency).toBe(16);
  });
});

describe('start at login', () => {
  it('is saved with the other settings, and the switch goes back when the shell refuses', async () => {
    const store = new SettingsStore(fakeColorScheme(false));
    vi.mocked(ipc.getSettings).mockResolvedValue({ concurrency: 8, theme: 'dark', start_at_login: false });
    await store.load();
    await store.setStartAtLogin(true);
    expect(ipc.setSettings).toHaveBeenCalledWith({ concurrency: 8, theme: 'dark', start_at_login: true });
    expect(store.settings?.start_at_login).toBe(true);

    vi.mocked(ipc.setSettings).mockRejectedValue(fail('io.error', 'no autostart entry'));
    await store.setStartAtLogin(false);
    expect(store.settings?.start_at_login).toBe(true);
    expect(store.error?.message).toBe('no autostart entry');
  });
});
