// Screenshots of the sync panel with a pair in every state (syncing, the deletion guard asking,
// paused with conflicts and issues, stopped by an error), its add dialog and its empty state,
// light and dark: the UI on the dev shell's `?mock=sync` (ui/src/ipc/dev-mock-sync.ts), in
// WebKitGTK (the app's engine) through WebKitWebDriver. A real app cannot be put in all those
// states on demand. scripts/screenshots runs it in its desktop session:
//
//   node scripts/mock-screenshots.mjs OUTPUT_FOLDER
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const out = resolve(process.argv[2] ?? 'docs/screenshots');
const ui = resolve(import.meta.dirname, '../ui');
const VITE_PORT = 5391;
const DRIVER_PORT = 4791;
const BROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const vite = spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--port', String(VITE_PORT), '--strictPort'], {
  cwd: ui,
  stdio: 'ignore',
});
const driver = spawn('WebKitWebDriver', [`--port=${String(DRIVER_PORT)}`], { stdio: 'ignore' });

async function call(method, path, body) {
  const response = await fetch(`http://127.0.0.1:${String(DRIVER_PORT)}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const { value } = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(value)}`);
  return value;
}

/** Retries `attempt` until it answers, for servers that are starting. */
async function ready(what, attempt) {
  for (let tries = 0; tries < 100; tries++) {
    try {
      return await attempt();
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`${what} did not start`);
}

try {
  await ready('vite', () => fetch(`http://127.0.0.1:${String(VITE_PORT)}/`).then((r) => r.ok || Promise.reject()));
  const { sessionId } = await ready('WebKitWebDriver', () =>
    call('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: BROWSER, args: ['--automation'] },
        },
      },
    }),
  );
  const session = `/session/${sessionId}`;
  await call('POST', `${session}/window/rect`, { width: 1100, height: 720 });
  const run = (script, ...args) => call('POST', `${session}/execute/sync`, { script, args });
  const appear = async (selector) => {
    for (let tries = 0; tries < 150; tries++) {
      if (await run('return !!document.querySelector(arguments[0])', selector)) return;
      await sleep(100);
    }
    throw new Error(`${selector} never appeared`);
  };
  const click = async (testid) => {
    await appear(`[data-testid="${testid}"]`);
    await run('document.querySelector(arguments[0]).click()', `[data-testid="${testid}"]`);
  };

  for (const theme of ['light', 'dark']) {
    const open = async (scenario) => {
      await call('POST', `${session}/url`, {
        url: `http://127.0.0.1:${String(VITE_PORT)}/?mock=${scenario}&theme=${theme}`,
      });
    };
    const shoot = async (name) => {
      await sleep(800);
      const path = join(out, `${name}-${theme}.png`);
      writeFileSync(path, Buffer.from(await call('GET', `${session}/screenshot`), 'base64'));
      console.log(path);
    };
    await open('sync');
    await appear('[data-testid="sync-guard"]');
    await shoot('sync');
    await run('document.querySelector(\'[data-testid="sync-pair"][data-state="paused"]\').scrollIntoView()');
    await shoot('sync-details');
    await run('document.querySelector(\'[data-testid="sync-panel"]\').scrollTop = 0');
    await click('sync-add');
    await click('sync-pick-folder');
    await shoot('sync-add');
    await open('sync-empty');
    await appear('[data-testid="sync-empty"]');
    await shoot('sync-empty');
  }
  await call('DELETE', session);
} finally {
  driver.kill();
  vite.kill();
}
