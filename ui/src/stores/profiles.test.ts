import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as ipc from '../ipc';
import type { ProfileForm, ProfileSummary } from '../ipc';
import { fail } from './ipc-mock';
import {
  blankForm,
  cleanForm,
  missingFields,
  orderProfiles,
  profileLabel,
  ProfilesStore,
} from './profiles.svelte';

vi.mock('../ipc', async (original) => (await import('./ipc-mock')).ipcMock(original));

const WORK_FORM: ProfileForm = {
  name: 'work',
  region: 'eu-west-1',
  user_pool_id: 'eu-west-1_AbC123xyz',
  client_id: '4jd8t1m2v9q0a7b3c5e6f8g2h1',
  hosted_ui: 'https://myapp.auth.eu-west-1.amazoncognito.com',
  identity_pool_id: 'eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc',
  bucket: 'cubby-files-example',
  folder: '{identity_id}/',
  redirects: ['http://localhost:53682/callback'],
  sign_out_url: null,
};
const summary = (
  name: string,
  kind: 'aws' | 'sandbox' = 'aws',
  active = false,
): ProfileSummary => ({
  name,
  kind,
  region: 'eu-west-1',
  bucket: 'b',
  active,
});

let profiles: ProfilesStore;
beforeEach(() => {
  vi.resetAllMocks();
  profiles = new ProfilesStore();
});

describe('ordering and labels', () => {
  it('puts the sandbox first and calls it Local sandbox', () => {
    const ordered = orderProfiles([
      summary('work'),
      summary('sandbox', 'sandbox'),
      summary('home'),
    ]);
    expect(ordered.map(profileLabel)).toEqual(['Local sandbox', 'work', 'home']);
  });
});

describe('form checks', () => {
  it('finds every required field left empty or blank', () => {
    const form = { ...blankForm(), name: '  ', redirects: ['  '] };
    expect(missingFields(form)).toEqual([
      'name',
      'region',
      'user_pool_id',
      'client_id',
      'hosted_ui',
      'identity_pool_id',
      'bucket',
      'redirects',
    ]);
    expect(missingFields(WORK_FORM)).toEqual([]);
  });

  it('sends trimmed values, no empty redirects, and no empty sign-out URL', () => {
    expect(
      cleanForm({ ...WORK_FORM, name: ' work ', redirects: ['a', ' ', ' b '], sign_out_url: ' ' }),
    ).toEqual({ ...WORK_FORM, redirects: ['a', 'b'], sign_out_url: null });
  });
});

describe('editor', () => {
  it('does not send a form with empty fields, and points them out', async () => {
    profiles.startAdd();
    expect(profiles.editor?.showHints).toBe(false);
    expect(await profiles.save()).toBe(false);
    expect(ipc.saveProfile).not.toHaveBeenCalled();
    expect(profiles.editor?.showHints).toBe(true);
    expect(profiles.missing).toContain('bucket');
  });

  it('adds a profile and closes the editor', async () => {
    const list = [summary('sandbox', 'sandbox', true), summary('work')];
    vi.mocked(ipc.saveProfile).mockResolvedValue(list);
    profiles.startAdd();
    if (profiles.editor) profiles.editor.form = { ...WORK_FORM };
    expect(await profiles.save()).toBe(true);
    expect(ipc.saveProfile).toHaveBeenCalledWith(WORK_FORM, null);
    expect(profiles.editor).toBeNull();
    expect(profiles.list).toEqual(list);
  });

  it("keeps the editor open with the shell's message verbatim when refused", async () => {
    const refusal = fail(
      'config.invalid',
      'profile "work": field `bucket` must be 3 to 63 characters, e.g. "cubby-files"',
    );
    vi.mocked(ipc.saveProfile).mockRejectedValue(refusal);
    profiles.startAdd();
    if (profiles.editor) profiles.editor.form = { ...WORK_FORM, bucket: 'x' };
    expect(await profiles.save()).toBe(false);
    expect(profiles.editor?.error).toEqual(refusal);
    expect(profiles.editor?.saving).toBe(false);
  });

  it('edits under the previous name, so a rename is one save', async () => {
    vi.mocked(ipc.getProfile).mockResolvedValue(WORK_FORM);
    vi.mocked(ipc.saveProfile).mockResolvedValue([summary('office')]);
    await profiles.startEdit('work');
    expect(profiles.editor?.previous).toBe('work');
    if (profiles.editor) profiles.editor.form.name = 'office';
    await profiles.save();
    expect(ipc.saveProfile).toHaveBeenCalledWith({ ...WORK_FORM, name: 'office' }, 'work');
  });
});

describe('import and remove', () => {
  it('takes the new list from an import, and nothing when the picker was cancelled', async () => {
    profiles.replace([summary('sandbox', 'sandbox', true)]);
    vi.mocked(ipc.importProfile).mockResolvedValueOnce(null);
    await profiles.importFile();
    expect(profiles.list).toHaveLength(1);
    vi.mocked(ipc.importProfile).mockResolvedValueOnce([
      summary('sandbox', 'sandbox', true),
      summary('imported'),
    ]);
    await profiles.importFile();
    expect(profiles.list.map((p) => p.name)).toEqual(['sandbox', 'imported']);
  });

  it('shows why an import failed', async () => {
    vi.mocked(ipc.importProfile).mockRejectedValue(fail('config.invalid', 'no [profiles] table'));
    await profiles.importFile();
    expect(profiles.error?.message).toBe('no [profiles] table');
  });

  it('removes after a confirmation and closes that confirmation', async () => {
    profiles.replace([summary('sandbox', 'sandbox', true), summary('work')]);
    vi.mocked(ipc.removeProfile).mockResolvedValue([summary('sandbox', 'sandbox', true)]);
    profiles.requestRemoval('work');
    expect(profiles.confirmingRemoval).toBe('work');
    await profiles.remove('work');
    expect(ipc.removeProfile).toHaveBeenCalledWith('work');
    expect(profiles.list.map((p) => p.name)).toEqual(['sandbox']);
    expect(profiles.confirmingRemoval).toBeNull();
  });
});
