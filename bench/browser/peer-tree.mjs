// What the browser benchmarks that run the peers (first.mjs, warm.mjs) share: the check that their
// inputs exist, and the tree they serve: symlinks into the repository (the package as pkg/, the
// models, onnxruntime-web, TensorFlow.js and its wasm backend, bench/peers), their pages, and the
// TensorFlow.js layers model with the golden stock-specific weights (tfjs-model/).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const at = (p) => path.resolve(here, '../..', p);
const peersNm = at('bench/peers/node_modules');

// Exits 2 naming what is missing and the command that makes it (scripts/bench.sh does them all).
export function requirePeerInputs(script) {
  for (const [p, how] of [['web/dist/index.js', 'bash scripts/build-web.sh'], ['bench/peers/node_modules/onnxruntime-web', 'npm ci --prefix bench/peers'],
    ['bench/peers/nn_stock_specific.onnx', '/usr/bin/python3 scripts/export_onnx.py']])
    if (!existsSync(at(p))) {
      console.error(`${script}: ${p} is missing; run ${how} (or scripts/bench.sh)`);
      process.exit(2);
    }
}

// A temporary folder to serve: the shared links, `links` ({name: target}), the `pages` (file names
// under bench/browser/pages/) and, with `tfjs`, tfjs-model/. The caller removes it.
export async function peerTree(name, { pages = [], links = {}, tfjs = true } = {}) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `stockcast-${name}-`));
  const link = (target, n) => symlinkSync(target, path.join(tmp, n));
  link(at('web/dist'), 'pkg');
  link(at('models'), 'models');
  link(path.join(peersNm, 'onnxruntime-web/dist'), 'ort');
  link(path.join(peersNm, '@tensorflow/tfjs/dist'), 'tfjs');
  link(path.join(peersNm, '@tensorflow/tfjs-backend-wasm/dist'), 'tfjs-wasm');
  link(at('bench/peers'), 'peers');
  for (const [n, target] of Object.entries(links)) link(target, n);
  for (const f of pages) copyFileSync(path.join(here, 'pages', f), path.join(tmp, f));
  if (tfjs) {
    const tf = await import(pathToFileURL(path.join(peersNm, '@tensorflow/tfjs/dist/tf.node.js')).href).catch(() => import(pathToFileURL(path.join(peersNm, '@tensorflow/tfjs/dist/index.js')).href));
    const { buildTfjsModel, saveTfjsModel } = await import(pathToFileURL(at('bench/peers/tfjs-model.mjs')).href);
    mkdirSync(path.join(tmp, 'tfjs-model'));
    const golden = JSON.parse(readFileSync(at('tests/golden/nn_stock_specific.json'), 'utf8'));
    await saveTfjsModel(tf, buildTfjsModel(tf, golden), path.join(tmp, 'tfjs-model'));
  }
  return tmp;
}
