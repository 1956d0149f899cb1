// `npm run dev` only: the pretend shell's folder and transfer queue (dev-mock.ts answers the rest).
// A folder tree in memory answers the part-2 commands; listings and searches fill the window's
// list (dev-mock-listing.ts) a page at a time; transfers move on a timer and reach `watchTransfers` in batches, as the shell's do.

import type { AppError } from './app-error';
import { MockListing } from './dev-mock-listing';
import type {
  Clash,
  ClashDecision,
  DeleteReport,
  Entry,
  ListingUpdate,
  Preview,
  SortOrder,
  TransferBatch,
  TransferDirection,
  TransferEvent,
  UploadPlan,
} from './types';

type FileEntry = Extract<Entry, { type: 'file' }>;
type Unusable = Extract<Entry, { type: 'unusable' }>;

/** How a channel argument reaches the mock: the `Channel` object itself. */
interface MockChannel<T> {
  onmessage: (message: T) => void;
}

const PAGE = 1000;

const wait = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

function fail(code: AppError['code'], message: string): never {
  const error: AppError = { code, message };
  throw error;
}

const file = (path: string, size: number, modified: string | null): FileEntry => ({
  path,
  type: 'file',
  size,
  modified,
});

const NOTES = `# Notes

- Book the train to Lyon (before Friday)
- Renew the passport: the form is in Documents/Forms
- Ask Grace about the spreadsheet for the Analytical Engine budget

Ideas for the garden: tomatoes along the south wall, herbs by the kitchen door.
`;

/** A small drawing for image previews. */
const PICTURE = `data:image/svg+xml;base64,${btoa(
  '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="420"><defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7db9e8"/><stop offset="1" stop-color="#e8f4fd"/></linearGradient></defs><rect width="640" height="420" fill="url(#s)"/><rect y="300" width="640" height="120" fill="#e9d8a6"/><path d="M0 300 Q160 260 320 300 T640 300 V320 H0Z" fill="#2a9d8f"/><circle cx="500" cy="90" r="42" fill="#ffd166"/></svg>',
)}`;

function sampleTree(): Entry[] {
  const unusable = (readable: string, exact: string, problem: Unusable['problem']): Unusable => ({
    path: '',
    type: 'unusable',
    readable,
    exact,
    problem,
    folder: false,
    size: 12,
    modified: '2025-02-11T09:00:00Z',
    twin: null,
  });
  return [
    { path: 'Photos', type: 'folder' },
    { path: 'Photos/2024', type: 'folder' },
    file('Photos/2024/beach.jpg', 3_204_112, '2024-08-14T17:22:00Z'),
    file('Photos/2024/sunset.png', 5_811_003, '2024-08-15T20:41:00Z'),
    file('Photos/IMG_2041.jpg', 2_950_221, '2025-03-02T12:00:00Z'),
    { path: 'Projects', type: 'folder' },
    { path: 'Projects/site', type: 'folder' },
    file('Projects/site/index.html', 4_211, '2025-05-01T08:00:00Z'),
    file('Projects/plan.md', 1_877, '2025-05-02T09:30:00Z'),
    { path: 'Documents', type: 'folder' },
    { path: 'Documents/Forms', type: 'folder' },
    file('Documents/Forms/passport.pdf', 311_800, '2025-01-20T10:00:00Z'),
    file('Taxes 2024.pdf', 482_113, '2025-04-02T10:14:00Z'),
    file('notes.md', NOTES.length, '2025-06-18T08:41:00Z'),
    file('holiday-video.mp4', 1_873_004_211, '2025-01-09T19:03:00Z'),
    file('Budget (final) v10.xlsx', 38_400, '2025-05-30T16:22:00Z'),
    file('Budget (final) v2.xlsx', 37_100, '2025-05-21T11:05:00Z'),
    file('garden.png', 811_204, '2025-04-28T07:12:00Z'),
    unusable('bad\\u{1}name.txt', 'bad\u0001name.txt', 'control_character'),
    unusable('back\\slash.txt', 'back\\slash.txt', 'backslash'),
  ];
}

function bigTree(): Entry[] {
  const start = Date.parse('2024-01-01T00:00:00Z');
  return Array.from({ length: 100_000 }, (_, index) =>
    file(
      `sensor-${String(index).padStart(6, '0')}.csv`,
      1_000 + ((index * 7919) % 90_000),
      new Date(start + index * 60_000).toISOString(),
    ),
  );
}

const parentOf = (path: string): string => path.slice(0, Math.max(path.lastIndexOf('/'), 0));
const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const join = (folder: string, name: string): string => (folder === '' ? name : `${folder}/${name}`);
const within = (path: string, folder: string): boolean =>
  folder === '' || path === folder || path.startsWith(`${folder}/`);
const fold = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase();

interface Transfer {
  id: number;
  direction: TransferDirection;
  local: string;
  remote: string;
  total: number;
  done: number;
  speed: number;
  state: 'queued' | 'running' | 'paused' | 'retrying' | 'finished' | 'failed' | 'cancelled';
  /** Ticks a retry still waits. */
  retryTicks: number;
  /** Where a finished upload lands. */
  lands: Entry | null;
  /** Stays queued until resumed: the sample queue keeps a waiting row to look at. */
  held: boolean;
}

export interface FilesMock {
  handle: (command: string, args: Record<string, unknown>) => Promise<unknown>;
}

/** The folder and transfer queue for a scenario: `files`, `big` (100,000 files), `offline`, or
 * anything else for an empty folder. */
export function filesMock(scenario: string): FilesMock {
  const tree = new Map<string, Entry>();
  const add = (entry: Entry): void => {
    tree.set(entry.type === 'unusable' ? `\u0000${entry.exact}` : entry.path, entry);
  };
  for (const entry of scenario === 'big' ? bigTree() : scenario === 'files' ? sampleTree() : []) {
    add(entry);
  }

  let listing = 0;
  const entries = (): Entry[] => [...tree.values()];
  const children = (folder: string): Entry[] =>
    entries().filter((entry) => (entry.type === 'unusable' ? entry.path : parentOf(entry.path)) === folder);

  const shown = new MockListing();

  /** Lists `found` into the window's list a page at a time, as the shell does. */
  async function stream(
    found: Entry[],
    view: { order: SortOrder; filter: string },
    channel: MockChannel<ListingUpdate>,
  ): Promise<null> {
    const mine = ++listing;
    for (let at = 0; at === 0 || at < found.length; at += PAGE) {
      await wait(scenario === 'big' ? 25 : 150);
      if (mine !== listing) fail('transfer.cancelled', 'A newer listing replaced this one.');
      const page = found.slice(at, at + PAGE);
      channel.onmessage(at === 0 ? shown.replace(page, view.order, view.filter) : shown.extend(page));
    }
    return null;
  }

  const exists = (path: string): boolean => tree.has(path);
  const need = (path: string): Entry =>
    tree.get(path) ?? fail('storage.not_found', `“${path}” is no longer in your folder.`);
  const freeName = (folder: string, name: string): string => {
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    let candidate = name;
    for (let n = 2; exists(join(folder, candidate)); n++) candidate = `${stem} (${String(n)})${ext}`;
    return candidate;
  };

  /** Moves or copies `path` and everything below it to `to`. */
  function relocate(path: string, to: string, keep: boolean): void {
    for (const entry of entries()) {
      if (entry.type === 'unusable' || !within(entry.path, path)) continue;
      const moved = { ...entry, path: to + entry.path.slice(path.length) };
      if (!keep) tree.delete(entry.path);
      add(moved);
    }
  }

  // ---- Transfers ----

  const transfers = new Map<number, Transfer>();
  let nextId = 1;
  let queuePaused = false;
  let watcher: MockChannel<TransferBatch> | null = null;
  let pending: TransferEvent[] = [];
  let removed: number[] = [];
  const CONCURRENCY = 3;

  const eventsOf = (t: Transfer): TransferEvent[] => {
    const queued: TransferEvent = {
      id: t.id,
      event: 'queued',
      direction: t.direction,
      local: t.local,
      remote: t.remote,
    };
    const progress: TransferEvent = {
      id: t.id,
      event: 'progress',
      bytes_done: t.done,
      total_bytes: t.total,
      bytes_per_second: t.state === 'running' ? t.speed : 0,
      eta_ms: t.state === 'running' ? ((t.total - t.done) / t.speed) * 1000 : null,
    };
    switch (t.state) {
      case 'queued':
        return [queued];
      case 'running':
        return [queued, progress];
      case 'paused':
        return [queued, progress, { id: t.id, event: 'paused' }];
      case 'retrying':
        return [
          queued,
          progress,
          { id: t.id, event: 'retrying', attempt: 2, delay_ms: 4000, reason: 'The connection was reset' },
        ];
      case 'finished':
        return [queued, { id: t.id, event: 'finished', bytes: t.total }];
      case 'failed':
        return [
          queued,
          progress,
          {
            id: t.id,
            event: 'failed',
            code: 'net.interrupted',
            message: 'The connection dropped three times in a row; check your network and retry.',
          },
        ];
      case 'cancelled':
        return [queued, { id: t.id, event: 'cancelled' }];
    }
  };

  function queue(
    direction: TransferDirection,
    local: string,
    remote: string,
    total: number,
    lands: Entry | null,
    state: Transfer['state'] = 'queued',
    done = 0,
  ): Transfer {
    const transfer: Transfer = {
      id: nextId++,
      direction,
      local,
      remote,
      total,
      done,
      speed: 2_000_000 + Math.round(Math.random() * 6_000_000),
      state,
      retryTicks: state === 'retrying' ? 40 : 0,
      lands,
      held: false,
    };
    transfers.set(transfer.id, transfer);
    pending.push(...eventsOf(transfer));
    return transfer;
  }

  function tick(): void {
    let active = [...transfers.values()].filter((t) => t.state === 'running').length;
    for (const t of transfers.values()) {
      if (t.state === 'queued' && !t.held && !queuePaused && active < CONCURRENCY) {
        t.state = 'running';
        active++;
        pending.push({ id: t.id, event: 'started', total_bytes: t.total });
      } else if (t.state === 'retrying' && --t.retryTicks <= 0) {
        t.state = 'running';
      } else if (t.state === 'running') {
        t.done = Math.min(t.done + t.speed * 0.15, t.total);
        if (t.done >= t.total) {
          t.state = 'finished';
          pending.push({ id: t.id, event: 'finished', bytes: t.total });
          if (t.lands) add(t.lands);
        } else {
          pending.push(...eventsOf(t).slice(1));
        }
      }
    }
    if (watcher && (pending.length > 0 || removed.length > 0)) {
      watcher.onmessage({ events: pending, queue_paused: queuePaused, removed });
      pending = [];
      removed = [];
    }
  }
  setInterval(tick, 150);

  if (scenario === 'files') {
    // One transfer in every state, for the panel's screenshots.
    queue('upload', '/home/ada/Documents/Taxes 2024.pdf', 'Taxes 2024.pdf', 482_113, null, 'finished', 482_113);
    queue('download', '/home/ada/Videos/holiday-video.mp4', 'holiday-video.mp4', 1_873_004_211, null, 'failed', 310_000_000);
    queue('upload', '/home/ada/old-draft.docx', 'old-draft.docx', 92_000, null, 'cancelled');
    queue('upload', '/home/ada/backup.zip', 'Projects/site/backup.zip', 840_000_000, null, 'paused', 336_000_000);
    queue('upload', '/home/ada/Pictures/IMG_2042.jpg', 'Photos/IMG_2042.jpg', 3_100_000, null, 'retrying', 1_200_000);
    const slow = queue('download', '/home/ada/Downloads/archive-2023.tar', 'archive-2023.tar', 40_000_000_000, null, 'running', 9_000_000_000);
    slow.speed = 3_400_000;
    queue('upload', '/home/ada/Pictures/IMG_2043.jpg', 'Photos/IMG_2043.jpg', 2_800_000, null).held = true;
    queue('upload', '/home/ada/Pictures/IMG_2044.jpg', 'Photos/IMG_2044.jpg', 2_900_000, null).held = true;
  }

  // ---- Uploads ----

  const plans = new Map<number, { plan: UploadPlan; names: { name: string; kind: 'file' | 'folder' }[] }>();
  let nextPlan = 1;

  function plan(paths: string[], to: string): UploadPlan {
    const names = paths.filter((local) => !local.includes('link')).map((local) => {
      const name = nameOf(local.replace(/\/+$/, ''));
      return { name, kind: name.includes('.') ? ('file' as const) : ('folder' as const) };
    });
    const clashes: Clash[] = names.flatMap(({ name, kind }) => {
      const there = tree.get(join(to, name));
      return there && there.type !== 'unusable'
        ? [{ name, incoming: kind, existing: there.type === 'folder' ? 'folder' : 'file' }]
        : [];
    });
    const upload: UploadPlan = {
      id: nextPlan++,
      to,
      files: names.filter((n) => n.kind === 'file').length + names.filter((n) => n.kind === 'folder').length * 3,
      folders: names.filter((n) => n.kind === 'folder').length,
      bytes: names.length * 2_400_000,
      clashes,
      skipped: paths.some((p) => p.includes('link'))
        ? [{ path: paths.find((p) => p.includes('link')) ?? '', reason: 'a symbolic link: Cubby uploads what links point at only when you drop that' }]
        : [],
    };
    plans.set(upload.id, { plan: upload, names });
    return upload;
  }

  function start(id: number, decisions: Record<string, ClashDecision>): number {
    const held = plans.get(id) ?? fail('internal', `No upload plan ${String(id)}: it was started or discarded.`);
    plans.delete(id);
    let queued = 0;
    for (const { name, kind } of held.names) {
      const clash = held.plan.clashes.find((c) => c.name === name);
      const decision = clash ? decisions[name] ?? 'skip' : 'replace';
      if (decision === 'skip') continue;
      const target = decision === 'keep_both' ? freeName(held.plan.to, name) : name;
      const remote = join(held.plan.to, target);
      if (kind === 'folder') {
        add({ path: remote, type: 'folder' });
        for (const part of ['one.txt', 'two.txt', 'three.txt']) {
          const path = join(remote, part);
          queue('upload', `/home/ada/${name}/${part}`, path, 800_000, file(path, 800_000, new Date().toISOString()));
          queued++;
        }
      } else {
        queue('upload', `/home/ada/${name}`, remote, 2_400_000, file(remote, 2_400_000, new Date().toISOString()));
        queued++;
      }
    }
    return queued;
  }

  function downloadAll(paths: string[], into: string): number {
    let queued = 0;
    for (const path of paths) {
      for (const entry of entries()) {
        if (entry.type !== 'file' || !within(entry.path, path)) continue;
        queue('download', `${into}/${entry.path}`, entry.path, entry.size, null);
        queued++;
      }
    }
    return queued;
  }

  function preview(path: string): Preview {
    const entry = need(path);
    if (entry.type !== 'file') return fail('storage.is_folder', `“${path}” is a folder.`);
    if (/\.(png|jpe?g)$/i.test(path)) {
      return { kind: 'image', mime: 'image/svg+xml', data_url: PICTURE, size: entry.size };
    }
    if (/\.(md|txt|html)$/i.test(path)) {
      return { kind: 'text', text: path === 'notes.md' ? NOTES : `The text of ${path}.\n`, truncated: false, size: entry.size };
    }
    return {
      kind: 'none',
      reason:
        entry.size > 8_000_000
          ? 'This file is too large to preview. Open it to see it.'
          : 'Cubby previews pictures and text; open this file with its app to see it.',
      size: entry.size,
    };
  }

  function remove(paths: string[]): DeleteReport {
    let deleted = 0;
    for (const path of paths) {
      for (const entry of entries()) {
        if (entry.type !== 'unusable' && within(entry.path, path)) {
          tree.delete(entry.path);
          deleted++;
        }
      }
    }
    return { deleted, failed: [] };
  }

  async function handle(command: string, args: Record<string, unknown>): Promise<unknown> {
    const path = (args.path as string | undefined) ?? '';
    switch (command) {
      case 'list_folder':
        if (scenario === 'offline') {
          await wait(400);
          return fail('net.offline', 'Cannot reach s3.eu-west-1.amazonaws.com: the network is unreachable.');
        }
        return stream(
          children(path),
          args.view as { order: SortOrder; filter: string },
          args.onUpdate as MockChannel<ListingUpdate>,
        );
      case 'search_folder': {
        const query = fold(args.query as string);
        const found = entries().filter(
          (entry) => entry.type !== 'unusable' && entry.path !== path && within(entry.path, path) && fold(nameOf(entry.path)).includes(query),
        );
        return stream(found, { order: args.order as SortOrder, filter: '' }, args.onUpdate as MockChannel<ListingUpdate>);
      }
      case 'arrange_listing':
        return shown.arrange(args.order as SortOrder, args.filter as string);
      case 'listing_rows':
        return shown.rows(args.generation as number, args.start as number, args.end as number);
      case 'listing_keys':
        return shown.keys(args.generation as number, args.start as number, args.end as number);
      case 'listing_positions':
        return shown.positions(args.generation as number, args.keys as string[]);
      case 'folder_usage': {
        if (scenario === 'offline') return fail('net.offline', 'The network is unreachable.');
        const sizes = entries().flatMap((entry) => (entry.type === 'folder' ? [] : [entry.size]));
        return { files: sizes.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
      }
      case 'create_folder':
        if (exists(path)) fail('storage.already_exists', `“${nameOf(path)}” already exists here; pick another name.`);
        add({ path, type: 'folder' });
        return null;
      case 'rename_entry': {
        const to = args.to as string;
        need(args.from as string);
        if (exists(to)) fail('storage.already_exists', `“${nameOf(to)}” already exists here; pick another name.`);
        relocate(args.from as string, to, false);
        return to;
      }
      case 'move_entries':
      case 'copy_entries': {
        const to = args.to as string;
        return (args.paths as string[]).map((from) => {
          need(from);
          const target = join(to, freeName(to, nameOf(from)));
          relocate(from, target, command === 'copy_entries');
          return target;
        });
      }
      case 'delete_entries':
        return remove(args.paths as string[]);
      case 'delete_unusable': {
        const exact = args.exact as string[];
        for (const key of exact) tree.delete(`\u0000${key}`);
        return { deleted: exact.length, failed: [] };
      }
      case 'share_link': {
        const asked = args.seconds as number;
        need(path);
        const cut = asked > 12 * 3600;
        return {
          url: `https://cubby.s3.eu-west-1.amazonaws.com/us-east-1%3A7f3c9a2e/${encodeURIComponent(path)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=${String(cut ? 43_200 : asked)}&X-Amz-Signature=5f1c0e…`,
          expires_at: new Date(Date.now() + (cut ? 43_200 : asked) * 1000).toISOString(),
          limited_by: cut ? 'credentials_expiry' : null,
        };
      }
      case 'preview_file':
        await wait(200);
        return preview(path);
      case 'open_file': {
        const entry = need(path);
        queue('download', `/home/ada/.cache/cubby/open/${nameOf(path)}`, path, entry.type === 'folder' ? 0 : entry.size, null);
        return null;
      }
      case 'download_entries':
        return downloadAll(args.paths as string[], '/home/ada/Downloads');
      case 'upload_drop':
        return plan(args.paths as string[], args.to as string);
      case 'pick_upload':
        return plan(
          args.kind === 'folder' ? ['/home/ada/Holiday'] : ['/home/ada/report.pdf', '/home/ada/notes.md'],
          args.to as string,
        );
      case 'start_upload':
        return start(args.plan as number, args.decisions as Record<string, ClashDecision>);
      case 'discard_upload':
        plans.delete(args.plan as number);
        return null;
      case 'watch_transfers':
        watcher = args.onBatch as MockChannel<TransferBatch>;
        // The replay: every transfer's `queued`, then its latest state.
        pending = [...transfers.values()].flatMap(eventsOf);
        return new Promise(() => undefined);
      case 'pause_transfer':
      case 'resume_transfer':
      case 'cancel_transfer':
      case 'retry_transfer': {
        const t = transfers.get(args.id as number) ?? fail('internal', `No transfer ${String(args.id)}.`);
        t.state = { pause_transfer: 'paused', resume_transfer: 'queued', cancel_transfer: 'cancelled', retry_transfer: 'queued' }[
          command
        ] as Transfer['state'];
        if (command === 'retry_transfer') t.done = 0;
        t.held = false;
        pending.push(...eventsOf(t).slice(command === 'retry_transfer' || command === 'resume_transfer' ? 0 : -1));
        return null;
      }
      case 'pause_all_transfers':
        queuePaused = true;
        for (const t of transfers.values()) {
          if (t.state === 'running' || t.state === 'retrying') {
            t.state = 'paused';
            pending.push({ id: t.id, event: 'paused' });
          }
        }
        return null;
      case 'resume_all_transfers':
        queuePaused = false;
        for (const t of transfers.values()) {
          if (t.state === 'paused' || t.held) {
            t.held = false;
            t.state = 'queued';
            pending.push(...eventsOf(t));
          }
        }
        return null;
      case 'clear_finished_transfers':
        for (const t of [...transfers.values()]) {
          if (t.state === 'finished' || t.state === 'failed' || t.state === 'cancelled') {
            transfers.delete(t.id);
            removed.push(t.id);
          }
        }
        return null;
      default:
        return undefined;
    }
  }

  return { handle };
}
