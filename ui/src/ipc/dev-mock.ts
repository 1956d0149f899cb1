// `npm run dev` only: a pretend shell answering the contract's commands, to look at every screen
// without the Rust side. main.ts loads it behind `import.meta.env.DEV`, so builds never contain it.
//
// Scenarios (`?mock=`): `signed-out` (default), `expired` (a notice on sign-in), `empty` (signed in,
// empty folder), `files` (signed in, a few entries), `sign-in-fails`, `aws` (an AWS profile active).
// `&theme=light|dark|system` picks the saved theme; `&stay` keeps a sign-in waiting forever.

import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppError } from './app-error';
import type { Entry, ProfileForm, ProfileSummary, SessionInfo, Settings, Theme } from './types';

const SESSION: SessionInfo = {
  email: 'ada.lovelace@example.com',
  identity_id: 'us-east-1:7f3c9a2e-41d8-4b6a-9c1e-2d5f8a0b6e31',
  folder: 'us-east-1:7f3c9a2e-41d8-4b6a-9c1e-2d5f8a0b6e31/',
  bucket: 'cubby',
  credentials_expiry: '2030-01-01T00:00:00Z',
};

const WORK: ProfileForm = {
  name: 'work',
  region: 'eu-west-1',
  user_pool_id: 'eu-west-1_AbC123xyz',
  client_id: '4jd8t1m2v9q0a7b3c5e6f8g2h1',
  hosted_ui: 'https://myapp.auth.eu-west-1.amazoncognito.com',
  identity_pool_id: 'eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc',
  bucket: 'cubby-files-example',
  folder: '{identity_id}/',
  redirects: ['http://localhost:53682/callback', 'cubby://auth/callback'],
  sign_out_url: null,
};

const FILES: Entry[] = [
  { path: 'Taxes 2024.pdf', type: 'file', size: 482_113, modified: '2025-04-02T10:14:00Z' },
  { path: 'Photos/', type: 'folder' },
  { path: 'notes.md', type: 'file', size: 2_931, modified: '2025-06-18T08:41:00Z' },
  { path: 'Projects/', type: 'folder' },
  {
    path: 'holiday-video.mp4',
    type: 'file',
    size: 1_873_004_211,
    modified: '2025-01-09T19:03:00Z',
  },
  {
    path: 'bad\u0001name.txt',
    type: 'unusable',
    readable: 'bad\\u{1}name.txt',
    problem: 'has a control character',
    size: 12,
    modified: null,
  },
  { path: 'Budget (final) v10.xlsx', type: 'file', size: 38_400, modified: '2025-05-30T16:22:00Z' },
  { path: 'Budget (final) v2.xlsx', type: 'file', size: 37_100, modified: '2025-05-21T11:05:00Z' },
];

const wait = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

function reject(code: AppError['code'], message: string): never {
  const error: AppError = { code, message };
  // The real shell rejects with a plain { code, message } object too.
  throw error;
}

export function installDevMock(scenario: string, query: URLSearchParams): void {
  const signedIn = scenario === 'empty' || scenario === 'files';
  let session: SessionInfo | null = signedIn ? SESSION : null;
  const forms = new Map<string, ProfileForm>([['work', WORK]]);
  let active = scenario === 'aws' ? 'work' : 'sandbox';
  let settings: Settings = { concurrency: 8, theme: (query.get('theme') ?? 'system') as Theme };
  let cancelPending: (() => void) | null = null;

  const summaries = (): ProfileSummary[] => [
    {
      name: 'sandbox',
      kind: 'sandbox',
      region: 'us-east-1',
      bucket: 'cubby',
      active: active === 'sandbox',
    },
    ...[...forms.values()].map((form) => ({
      name: form.name,
      kind: 'aws' as const,
      region: form.region,
      bucket: form.bucket,
      active: active === form.name,
    })),
  ];

  async function signIn(): Promise<SessionInfo> {
    const cancelled = new Promise<never>((_resolve, fail) => {
      cancelPending = () => {
        const error: AppError = { code: 'auth.cancelled', message: 'Sign-in was cancelled.' };
        fail(error);
      };
    });
    const flow = (async () => {
      await wait(700);
      await emit('sign-in-progress', { stage: 'browser_opened' });
      if (scenario === 'sign-in-fails') {
        await wait(1200);
        reject('auth.port_busy', 'Ports 53682 and 53683 are both in use by another program.');
      }
      if (query.has('stay')) await new Promise(() => undefined);
      await wait(4000);
      await emit('sign-in-progress', { stage: 'exchanging' });
      await wait(900);
      session = SESSION;
      return SESSION;
    })();
    try {
      return await Promise.race([flow, cancelled]);
    } finally {
      cancelPending = null;
    }
  }

  function saveProfile(form: ProfileForm, previous: string | null): ProfileSummary[] {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(form.bucket)) {
      reject(
        'config.invalid',
        `profile "${form.name}": field \`bucket\` is not a valid S3 bucket name ("${form.bucket}"); ` +
          'use 3 to 63 lowercase letters, digits, dots and hyphens, e.g. "cubby-files-example"',
      );
    }
    if (previous) forms.delete(previous);
    forms.set(form.name, form);
    return summaries();
  }

  mockIPC(
    async (command, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      await wait(120);
      switch (command) {
        case 'startup':
          return {
            app: { name: 'Cubby', version: '0.1.0' },
            profiles: summaries(),
            session,
            notice:
              scenario === 'expired'
                ? {
                    code: 'auth.session_expired',
                    message: 'Your session expired; sign in again to keep using your folder.',
                  }
                : null,
          };
        case 'app_info':
          return { name: 'Cubby', version: '0.1.0' };
        case 'sign_in':
          return signIn();
        case 'cancel_sign_in':
          if (!cancelPending) reject('auth.no_pending_sign_in', 'No sign-in is under way.');
          cancelPending();
          return null;
        case 'sign_out':
          session = null;
          return null;
        case 'select_profile':
          active = args.name as string;
          return null;
        case 'list_profiles':
          return summaries();
        case 'get_profile': {
          const form = forms.get(args.name as string);
          return (
            form ?? reject('config.profile_not_found', `No profile named "${String(args.name)}".`)
          );
        }
        case 'save_profile':
          return saveProfile(args.form as ProfileForm, args.previous as string | null);
        case 'import_profile':
          forms.set('imported', { ...WORK, name: 'imported', bucket: 'imported-bucket' });
          return summaries();
        case 'remove_profile':
          forms.delete(args.name as string);
          return summaries();
        case 'get_settings':
          return settings;
        case 'set_settings':
          settings = args.settings as Settings;
          return settings;
        case 'list_folder':
          if (!session) reject('auth.not_signed_in', 'Nobody is signed in.');
          await wait(300);
          return scenario === 'files' ? FILES : [];
        default:
          return reject('internal', `The pretend shell has no command "${command}".`);
      }
    },
    { shouldMockEvents: true },
  );
}
