// `npm run dev` only: a pretend shell answering the contract's commands, to look at every screen
// without the Rust side. main.ts loads it behind `import.meta.env.DEV`, so builds never contain it.
//
// Scenarios (`?mock=`): `signed-out` (default), `expired` (a notice on sign-in), `empty` (signed in,
// empty folder), `files` (signed in, a folder tree with unusable keys and transfers in every state),
// `big` (100,000 files), `offline` (listings fail with `net.offline`), `sign-in-fails`, `aws` (an AWS
// profile active), `sync` (signed in, on the sync panel, a pair in every state), `sync-empty` (the
// sync panel with no pairs). `&theme=light|dark|system` picks the saved theme; `&stay` keeps a sign-in waiting
// forever. For screenshots: `&overlay` holds files dragged over the Photos row, `&drop` drops two
// files whose names clash, `&preview=notes.md` opens that file's preview.

import { emit } from '@tauri-apps/api/event';
import { mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import type { AppError } from './app-error';
import { filesMock } from './dev-mock-files';
import { syncMock } from './dev-mock-sync';
import type { ProfileForm, ProfileSummary, SessionInfo, Settings, Theme } from './types';

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
  const signedIn = ['empty', 'files', 'big', 'offline', 'sync', 'sync-empty'].includes(scenario);
  const files = filesMock(scenario);
  const sync = syncMock(scenario);
  let session: SessionInfo | null = signedIn ? SESSION : null;
  const forms = new Map<string, ProfileForm>([['work', WORK]]);
  let active = scenario === 'aws' ? 'work' : 'sandbox';
  let settings: Settings = {
    concurrency: 8,
    theme: (query.get('theme') ?? 'system') as Theme,
    start_at_login: false,
  };
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
        case 'plugin:window|scale_factor':
          return window.devicePixelRatio;
        default: {
          const answer = sync.handle(command, args) ?? (await files.handle(command, args));
          return answer === undefined
            ? reject('internal', `The pretend shell has no command "${command}".`)
            : answer;
        }
      }
    },
    { shouldMockEvents: true },
  );
  // `getCurrentWebview()` (the drop events) needs to know which window it is in.
  mockWindows('main');
  void showcase(scenario, query);
}

/** Waits for an element the app renders. */
async function appear(selector: string): Promise<HTMLElement> {
  for (;;) {
    const found = document.querySelector<HTMLElement>(selector);
    if (found) return found;
    await wait(100);
  }
}

/** Drives the app into a state worth a screenshot, as a person would get there. */
async function showcase(scenario: string, query: URLSearchParams): Promise<void> {
  if (scenario.startsWith('sync')) (await appear('[data-testid="sync-tab"]')).click();
  const preview = query.get('preview');
  if (preview) {
    const row = await appear(`[data-testid="entry-row"][data-path="${CSS.escape(preview)}"]`);
    const box = row.getBoundingClientRect();
    row.dispatchEvent(
      new MouseEvent('contextmenu', { bubbles: true, clientX: box.left + 60, clientY: box.top + 18 }),
    );
    (await appear('[data-testid="menu-preview"]')).click();
  }
  if (query.has('overlay') || query.has('drop')) {
    const row = await appear('[data-testid="entry-row"][data-path="Photos"]');
    const box = row.getBoundingClientRect();
    const scale = window.devicePixelRatio;
    const position = { x: (box.left + 80) * scale, y: (box.top + 18) * scale };
    const paths = ['/home/ada/Pictures/notes.md', '/home/ada/Pictures/Photos', '/home/ada/Pictures/link-to-nas'];
    await emit('tauri://drag-enter', { paths, position });
    await emit('tauri://drag-over', { position });
    if (query.has('drop')) {
      await wait(600);
      await emit('tauri://drag-drop', { paths, position: { x: 4, y: 4 } });
    }
  }
}
