// The app's settings, and the theme they pick applied to the document as `data-theme="light|dark"`
// on <html> (style.css holds the two palettes). "System" follows the OS setting live.

import * as ipc from '../ipc';
import type { AppError, Settings, Theme } from '../ipc';

export type ResolvedTheme = 'light' | 'dark';

export const MIN_CONCURRENCY = 1;
export const MAX_CONCURRENCY = 64;

export function resolveTheme(theme: Theme, systemPrefersDark: boolean): ResolvedTheme {
  if (theme === 'system') return systemPrefersDark ? 'dark' : 'light';
  return theme;
}

/** Why a concurrency cannot be saved, or null when it can. */
export function concurrencyProblem(value: number): string | null {
  return Number.isInteger(value) && value >= MIN_CONCURRENCY && value <= MAX_CONCURRENCY
    ? null
    : `Enter a whole number from ${String(MIN_CONCURRENCY)} to ${String(MAX_CONCURRENCY)}.`;
}

/** The part of `MediaQueryList` the store listens to. */
export interface ColorSchemeQuery {
  matches: boolean;
  addEventListener(type: 'change', listener: (event: { matches: boolean }) => void): void;
  removeEventListener(type: 'change', listener: (event: { matches: boolean }) => void): void;
}

export class SettingsStore {
  /** Null until the shell answered. */
  settings: Settings | null = $state(null);
  systemPrefersDark = $state(false);
  readonly theme: Theme = $derived(this.settings?.theme ?? 'system');
  readonly resolvedTheme: ResolvedTheme = $derived(
    resolveTheme(this.theme, this.systemPrefersDark),
  );
  error: AppError | null = $state(null);

  readonly #query: ColorSchemeQuery;

  constructor(query: ColorSchemeQuery) {
    this.#query = query;
    this.systemPrefersDark = query.matches;
  }

  async load(): Promise<void> {
    try {
      this.settings = await ipc.getSettings();
      this.error = null;
    } catch (reason) {
      this.error = ipc.toAppError(reason);
    }
  }

  /** Shows the theme at once; goes back to the previous one if the shell refuses it. */
  async setTheme(theme: Theme): Promise<void> {
    if (!this.settings) return;
    await this.#save({ ...this.settings, theme });
  }

  /** Saves a concurrency in range; returns why not otherwise. */
  async setConcurrency(value: number): Promise<string | null> {
    const problem = concurrencyProblem(value);
    if (problem || !this.settings) return problem;
    await this.#save({ ...this.settings, concurrency: value });
    return null;
  }

  /** Starts Cubby at login, or stops doing so; the switch goes back if the shell refuses. */
  async setStartAtLogin(on: boolean): Promise<void> {
    if (!this.settings) return;
    await this.#save({ ...this.settings, start_at_login: on });
  }

  /**
   * Keeps `data-theme` on `root` in step with the resolved theme and the OS setting until the returned
   * function is called.
   */
  applyTo(root: HTMLElement): () => void {
    const follow = (event: { matches: boolean }): void => {
      this.systemPrefersDark = event.matches;
    };
    this.#query.addEventListener('change', follow);
    const stopEffect = $effect.root(() => {
      $effect(() => {
        root.dataset.theme = this.resolvedTheme;
      });
    });
    return () => {
      this.#query.removeEventListener('change', follow);
      stopEffect();
    };
  }

  async #save(next: Settings): Promise<void> {
    const previous = this.settings;
    this.settings = next;
    try {
      this.settings = await ipc.setSettings(next);
      this.error = null;
    } catch (reason) {
      this.settings = previous;
      this.error = ipc.toAppError(reason);
    }
  }
}
