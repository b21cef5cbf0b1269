// Shared helpers for the browser end-to-end tests: the assembled package in a temp folder, the
// frontend's static export (web/app, next build), the demo server (scripts/serve-demo.mjs,
// in-process), and the system Chromium driven by playwright-core (installed into
// tests/e2e/node_modules on first use; the root package stays dependency-free).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const E2E = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(E2E, '../..');

export const CHROMIUM = process.env.CHROMIUM_PATH ||
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

export const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

export function npmInstall(dir, what = []) {
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...what], { cwd: dir, stdio: 'inherit', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed (${r.status ?? r.signal})`);
}

let pw;
export async function playwright() {
  if (pw) return pw;
  const entry = path.join(E2E, 'node_modules/playwright-core/index.mjs');
  if (!existsSync(entry)) {
    // Test files may run in parallel: one installs, the others wait for it (mkdir is atomic).
    const lock = path.join(E2E, '.install-lock');
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {}
    if (mine) {
      try {
        if (!existsSync(entry)) npmInstall(E2E);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      const t0 = Date.now();
      while (existsSync(lock) && Date.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 250));
      if (!existsSync(entry)) npmInstall(E2E);
    }
  }
  pw = await import(pathToFileURL(entry).href);
  return pw;
}

export async function launch(opts = {}) {
  if (!CHROMIUM) throw new Error('no chromium: run scripts/setup.sh (Debian package chromium)');
  const { chromium } = await playwright();
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, ...opts });
}

export async function launchPersistent(profileDir, opts = {}) {
  if (!CHROMIUM) throw new Error('no chromium: run scripts/setup.sh (Debian package chromium)');
  const { chromium } = await playwright();
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: LAUNCH_ARGS, viewport: { width: 1280, height: 900 }, ...opts });
}

// A fresh package build (scripts/build-web.sh) in a temp folder: never races a concurrent build of web/dist.
export function buildPackage() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockcast-e2e-pkg-'));
  const out = path.join(dir, 'dist');
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/build-web.sh'), out], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  if (r.status !== 0) throw new Error(`scripts/build-web.sh failed (${r.status ?? r.signal})`);
  return { dir: out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// The demo server (scripts/serve-demo.mjs) in-process: the static export and the models, one origin.
export async function startDemo(opts) {
  const { startDemoServer } = await import(pathToFileURL(path.join(ROOT, 'scripts/serve-demo.mjs')).href);
  return startDemoServer({ port: 0, ...opts });
}

export function tmpDir(prefix) {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir: d, cleanup: () => rmSync(d, { recursive: true, force: true }) };
}

// The frontend (web/app, Next.js): the package assembled into web/dist (its `file:..`
// dependency), its npm dependencies installed from its lockfile when missing, then `next build`
// (static export into web/app/out). The build runs with every proxy variable pointing at a closed
// port, so a build that needed the network would fail here. Returns how long next build took.
export const APP = path.join(ROOT, 'web/app');
export function buildApp() {
  const r0 = spawnSync('bash', [path.join(ROOT, 'scripts/build-web.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  if (r0.status !== 0) throw new Error(`scripts/build-web.sh failed (${r0.status ?? r0.signal})`);
  if (!existsSync(path.join(APP, 'node_modules/next/package.json'))) {
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: APP, stdio: 'inherit', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`npm ci in ${APP} failed (${r.status ?? r.signal})`);
  }
  const dead = 'http://127.0.0.1:9';
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', HTTP_PROXY: dead, HTTPS_PROXY: dead, http_proxy: dead, https_proxy: dead, NO_PROXY: '', no_proxy: '' };
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(APP, 'node_modules/next/dist/bin/next'), 'build'], { cwd: APP, env, encoding: 'utf8', timeout: 480_000 });
  if (r.status !== 0) throw new Error(`next build failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return { ms: Date.now() - t0, out: path.join(APP, 'out'), log: r.stdout };
}
