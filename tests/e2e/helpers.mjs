// Shared helpers for the browser end-to-end tests: the assembled package in a temp folder, the
// demo server (scripts/serve-demo.mjs, in-process), and the system Chromium driven by playwright-core
// (installed into tests/e2e/node_modules on first use; the root package stays dependency-free).
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

export async function startDemo(opts) {
  const { startDemoServer } = await import(pathToFileURL(path.join(ROOT, 'scripts/serve-demo.mjs')).href);
  return startDemoServer({ port: 0, ...opts });
}

export function tmpDir(prefix) {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir: d, cleanup: () => rmSync(d, { recursive: true, force: true }) };
}
