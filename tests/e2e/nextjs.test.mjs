// The Next.js example (web/examples/nextjs): copy a fresh package build and the models into it,
// install its dependencies when missing (npm ci from its lockfile), `next build`, `next start` on
// 127.0.0.1, and check in headless Chromium that the built app shows the same prediction as the
// Node API computed from the app's own public/models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPackage, launch, npmInstall, ROOT } from './helpers.mjs';

const APP = path.join(ROOT, 'web/examples/nextjs');
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: APP, env: ENV, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('the Next.js example builds and its page predicts in the browser', { timeout: 360_000 }, async () => {
  const pkg = buildPackage();
  let server;
  let browser;
  let sc;
  try {
    // 1. the package and the models into the app (its prebuild step, given our fresh build)
    run(process.execPath, ['scripts/copy-stockcast.mjs', pkg.dir], 'copy-stockcast');
    // 2. dependencies: from the lockfile when missing (a clean clone)
    if (!existsSync(path.join(APP, 'node_modules/next/package.json'))) npmInstall(APP, []);
    // 3. next build (the package's script would run the copy again from web/dist, so call next directly)
    const nextBin = path.join(APP, 'node_modules/next/dist/bin/next');
    const out = run(process.execPath, [nextBin, 'build'], 'next build');
    assert.match(out, /Compiled successfully|Generating static pages/);
    // 4. next start on 127.0.0.1
    const port = await freePort();
    server = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], { cwd: APP, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    server.stdout.on('data', (d) => (log += d));
    server.stderr.on('data', (d) => (log += d));
    const url = `http://127.0.0.1:${port}/`;
    const t0 = Date.now();
    for (;;) {
      try {
        if ((await fetch(url)).ok) break;
      } catch {}
      if (Date.now() - t0 > 60_000 || server.exitCode !== null) throw new Error(`next start did not come up:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // 5. the page in Chromium
    browser = await launch();
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForSelector('#prediction[data-symbol="SCOM"]', { timeout: 60_000 });
    const shown = Number(await page.getAttribute('#prediction', 'data-predicted-price'));
    const { createStockcast } = await import(pathToFileURL(path.join(pkg.dir, 'node.js')).href);
    sc = await createStockcast({ baseUrl: `${url}models/` });
    const want = await sc.predict({ symbol: 'SCOM', horizon: '10d' });
    assert.equal(shown, want.predictedPrice);
    assert.match(await page.textContent('#predicted'), new RegExp(want.predictedPrice.toFixed(2).replace('.', '\\.')));
    // another stock through the picker
    await page.selectOption('#symbol', 'KCB');
    await page.waitForSelector('#prediction[data-symbol="KCB"]', { timeout: 30_000 });
    assert.equal(Number(await page.getAttribute('#prediction', 'data-predicted-price')), (await sc.predict({ symbol: 'KCB', horizon: '10d' })).predictedPrice);
    assert.deepEqual(errors, []);
  } finally {
    sc?.dispose();
    await browser?.close();
    if (server && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {}
    }
    pkg.cleanup();
  }
});
