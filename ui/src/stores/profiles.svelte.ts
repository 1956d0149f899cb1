// The profiles the person can sign in with, and the editor for one of them. The shell validates a
// saved profile exactly as the CLI does; here we only point out fields left empty.

import * as ipc from '../ipc';
import type { AppError, ProfileForm, ProfileSummary } from '../ipc';

export type FormField = keyof ProfileForm;

/** Every field a profile needs; `sign_out_url` is optional. */
export const REQUIRED_FIELDS: readonly FormField[] = [
  'name',
  'region',
  'user_pool_id',
  'client_id',
  'hosted_ui',
  'identity_pool_id',
  'bucket',
  'folder',
  'redirects',
];

export const SANDBOX_LABEL = 'Local sandbox';

export function profileLabel(profile: ProfileSummary): string {
  return profile.kind === 'sandbox' ? SANDBOX_LABEL : profile.name;
}

/** The sandbox first, then the others in the order the shell gave. */
export function orderProfiles(profiles: readonly ProfileSummary[]): ProfileSummary[] {
  return [
    ...profiles.filter((p) => p.kind === 'sandbox'),
    ...profiles.filter((p) => p.kind !== 'sandbox'),
  ];
}

export function blankForm(): ProfileForm {
  return {
    name: '',
    region: '',
    user_pool_id: '',
    client_id: '',
    hosted_ui: '',
    identity_pool_id: '',
    bucket: '',
    folder: '{identity_id}/',
    redirects: ['http://localhost:53682/callback'],
    sign_out_url: null,
  };
}

/** What is sent: trimmed, empty redirect lines dropped, an empty sign-out URL as none. */
export function cleanForm(form: ProfileForm): ProfileForm {
  const signOut = form.sign_out_url?.trim() ?? '';
  return {
    name: form.name.trim(),
    region: form.region.trim(),
    user_pool_id: form.user_pool_id.trim(),
    client_id: form.client_id.trim(),
    hosted_ui: form.hosted_ui.trim(),
    identity_pool_id: form.identity_pool_id.trim(),
    bucket: form.bucket.trim(),
    folder: form.folder.trim(),
    redirects: form.redirects.map((r) => r.trim()).filter((r) => r !== ''),
    sign_out_url: signOut === '' ? null : signOut,
  };
}

/** The required fields left empty. */
export function missingFields(form: ProfileForm): FormField[] {
  const clean = cleanForm(form);
  return REQUIRED_FIELDS.filter((field) => {
    const value = clean[field];
    return Array.isArray(value) ? value.length === 0 : value === '' || value === null;
  });
}

export interface ProfileEditor {
  /** The name being edited, or null for a new profile. */
  previous: string | null;
  form: ProfileForm;
  /** The shell's refusal (`config.invalid` carries the CLI's message), shown verbatim. */
  error: AppError | null;
  /** Empty fields are pointed out once the person tried to save. */
  showHints: boolean;
  saving: boolean;
}

export class ProfilesStore {
  list: ProfileSummary[] = $state([]);
  readonly ordered: ProfileSummary[] = $derived(orderProfiles(this.list));
  readonly active: ProfileSummary | null = $derived(this.list.find((p) => p.active) ?? null);
  editor: ProfileEditor | null = $state(null);
  /** The last failure of a list, import, edit or remove. */
  error: AppError | null = $state(null);
  /** The profile whose removal waits for a confirmation. */
  confirmingRemoval: string | null = $state(null);

  readonly missing: FormField[] = $derived(this.editor ? missingFields(this.editor.form) : []);

  replace(list: ProfileSummary[]): void {
    this.list = list;
  }

  markActive(name: string): void {
    this.list = this.list.map((p) => ({ ...p, active: p.name === name }));
  }

  async refresh(): Promise<void> {
    await this.#attempt(async () => {
      this.list = await ipc.listProfiles();
    });
  }

  startAdd(): void {
    this.error = null;
    this.editor = {
      previous: null,
      form: blankForm(),
      error: null,
      showHints: false,
      saving: false,
    };
  }

  async startEdit(name: string): Promise<void> {
    await this.#attempt(async () => {
      const form = await ipc.getProfile(name);
      this.editor = { previous: name, form, error: null, showHints: false, saving: false };
    });
  }

  cancelEdit(): void {
    this.editor = null;
  }

  /** Saves the editor's profile; true when the shell accepted it and the editor closed. */
  async save(): Promise<boolean> {
    const editor = this.editor;
    if (!editor || editor.saving) return false;
    editor.showHints = true;
    editor.error = null;
    if (this.missing.length > 0) return false;
    editor.saving = true;
    try {
      this.list = await ipc.saveProfile(cleanForm(editor.form), editor.previous);
      this.editor = null;
      return true;
    } catch (reason) {
      editor.error = ipc.toAppError(reason);
      return false;
    } finally {
      editor.saving = false;
    }
  }

  async importFile(): Promise<void> {
    await this.#attempt(async () => {
      const list = await ipc.importProfile();
      if (list) this.list = list;
    });
  }

  requestRemoval(name: string): void {
    this.confirmingRemoval = name;
  }

  cancelRemoval(): void {
    this.confirmingRemoval = null;
  }

  async remove(name: string): Promise<void> {
    await this.#attempt(async () => {
      this.list = await ipc.removeProfile(name);
      if (this.editor?.previous === name) this.editor = null;
    });
    this.confirmingRemoval = null;
  }

  async #attempt(action: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await action();
    } catch (reason) {
      this.error = ipc.toAppError(reason);
    }
  }
}
