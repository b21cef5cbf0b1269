// The browser build in a real browser: headless Chromium (scripts/setup.sh installs it)
// loads the package from a local HTTP server, predicts on the main thread and in a Web Worker,
// runs the risk engine, fills Cache Storage, then reloads with the model server down (offline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, copyFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoPath } from './support.mjs';
import { modelsDir, packageDir } from './helpers/fixtures.mjs';
import { startServer } from './helpers/server.mjs';

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0);

async function runPage(srv, profile, mode) {
  const before = srv.log.length;
  const chrome = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
    `${srv.url}page.html?mode=${mode}`], { stdio: 'ignore' });
  try {
    const t0 = Date.now();
    while (Date.now() - t0 < 45000) {
      const hit = srv.log.slice(before).find((l) => l.url.startsWith('/result?'));
      if (hit) return JSON.parse(decodeURIComponent(hit.url.slice('/result?'.length)));
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the page did not report within 45 s');
  } finally {
    chrome.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300)); // let the profile's locks go before the next run
  }
}

test('browser entry, Web Worker and Cache Storage in headless Chromium; offline reload', async () => {
  assert.ok(chromium, 'no chromium on PATH: run scripts/setup.sh');
  const root = mkdtempSync(path.join(os.tmpdir(), 'stockcast-browser-'));
  symlinkSync(await packageDir(), path.join(root, 'pkg'));
  symlinkSync(modelsDir().dir, path.join(root, 'models'));
  copyFileSync(repoPath('tests/node/helpers/browser/page.html'), path.join(root, 'page.html'));
  const srv = await startServer(root);
  const profile = path.join(root, 'profile');
  try {
    const full = await runPage(srv, profile, 'full');
    assert.equal(full.error, undefined, full.error && `${full.error.code}: ${full.error.message}\n${full.error.stack}`);
    assert.equal(full.main.symbol, 'SCOM');
    assert.equal(typeof full.main.predictedPrice, 'number');
    assert.ok(full.progress >= 1);
    assert.deepEqual([full.batch.total, full.batch.successful, full.batch.failed], [3, 2, 1]);
    assert.ok(full.riskKeys.includes('risk_score'));
    assert.equal(full.worker.predictedPrice, full.main.predictedPrice, 'the worker gives the same answer');
    assert.deepEqual(full.workerError, { name: 'StockcastError', code: 'model_not_found', suggestion: full.workerError.suggestion });
    assert.ok(full.workerRiskKeys.includes('risk_score'));
    assert.ok(full.cacheEntries >= 3, `Cache Storage entries: ${full.cacheEntries}`);
    assert.equal(srv.hits('/models/SCOM.stkm'), 1, 'the worker took SCOM.stkm from Cache Storage');
    // Offline: the model server is down; the same profile reloads from Cache Storage.
    for (const p of ['/models/manifest.json', '/models/SCOM.stkm', '/models/history/SCOM.json']) srv.fault(p, { status: 503, sticky: true });
    const offline = await runPage(srv, profile, 'offline');
    assert.equal(offline.error, undefined, offline.error && `${offline.error.code}: ${offline.error.message}`);
    assert.equal(offline.main.predictedPrice, full.main.predictedPrice);
    assert.equal(offline.progress, 0, 'no model download');
  } finally {
    await srv.close();
    rmSync(root, { recursive: true, force: true });
  }
});
