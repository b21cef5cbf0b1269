// What the package tests run against: the real models/ when the trained models are there
// (models/manifest.json and every file it lists), otherwise a fixture folder made in a temp dir
// from the golden model files (valid model files with made-up weights, so only mechanics are
// tested on them): general.stkm whose embedding rows are named after the 66 real symbols, and
// the 15 stock-specific files, each with its own output scale so their answers differ.
// STOCKCAST_TEST_MODELS=fixtures forces the fixtures. Histories: models/history (real prices).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoPath } from '../support.mjs';

export const SPECIFIC = 'SCOM EQTY KCB COOP ABSA SCBK EABL BAT UNGA BRIT JUB CIC BAMB ARM NMG'.split(' ');

// The 66 stocks (symbol, name, sector) in models/data/nse/symbols.csv order, read from the
// committed history export (models/history), so the fixtures need nothing else from models/.
export function readSymbols() {
  const index = JSON.parse(readFileSync(repoPath('models/history/index.json'), 'utf8'));
  return Object.keys(index.symbols).map((symbol) => {
    const { name, sector } = JSON.parse(readFileSync(repoPath(`models/history/${symbol}.json`), 'utf8'));
    return { symbol, name, sector };
  });
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// Rewrites a model file's JSON header (the data section is untouched) and re-hashes it.
export function rewriteHeader(bytes, edit) {
  const b = Buffer.from(bytes);
  const L = b.readUInt32LE(12);
  const D = Number(b.readBigUInt64LE(16));
  const header = JSON.parse(b.subarray(24, 24 + L).toString('utf8'));
  const dataStart = Math.ceil((24 + L) / 64) * 64;
  const data = b.subarray(dataStart, dataStart + D);
  edit(header);
  const text = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((24 + text.length) / 64) * 64;
  const out = Buffer.alloc(start + D + 32);
  b.copy(out, 0, 0, 12);
  out.writeUInt32LE(text.length, 12);
  out.writeBigUInt64LE(BigInt(D), 16);
  text.copy(out, 24);
  data.copy(out, start);
  createHash('sha256').update(out.subarray(0, start + D)).digest().copy(out, start + D);
  return out;
}

export function headerOf(bytes) {
  const b = Buffer.from(bytes);
  return JSON.parse(b.subarray(24, 24 + b.readUInt32LE(12)).toString('utf8'));
}

// The trained models are used only when the manifest and every file it lists agree (sizes and
// SHA-256): while a retraining rewrites models/, the tests fall back to the fixtures.
function realModelsReady() {
  const m = repoPath('models/manifest.json');
  if (!existsSync(m)) return false;
  try {
    const man = JSON.parse(readFileSync(m, 'utf8'));
    return man.models.length > 0 && man.models.every((x) => {
      const f = repoPath(`models/${x.file}`);
      if (!existsSync(f)) return false;
      const b = readFileSync(f);
      return b.length === x.bytes && sha256(b) === x.sha256;
    }) && man.stocks.every((s) => s.sha256 === man.models.find((x) => x.file === s.file)?.sha256);
  } catch {
    return false;
  }
}

let cached;
export function modelsDir() {
  if (cached) return cached;
  if (process.env.STOCKCAST_TEST_MODELS !== 'fixtures' && realModelsReady()) {
    const dir = repoPath('models');
    return (cached = { dir, real: true, manifest: JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) });
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockcast-models-'));
  const symbols = readSymbols();
  const files = {};
  files['general.stkm'] = rewriteHeader(readFileSync(repoPath('tests/golden/nn_general.stkm')), (h) => {
    h.meta.name = 'general';
    h.meta.stocks = symbols.map((s) => s.symbol);
    h.meta.trained_at = '2026-11-22';
  });
  SPECIFIC.forEach((sym, k) => {
    files[`${sym}.stkm`] = rewriteHeader(readFileSync(repoPath('tests/golden/nn_stock_specific.stkm')), (h) => {
      h.meta.name = sym;
      h.meta.trained_at = '2026-11-22';
      h.output.scale = h.output.scale.map((s) => s * (0.5 + k / 20));
    });
  });
  for (const [f, b] of Object.entries(files)) writeFileSync(path.join(dir, f), b);
  const info = (f) => ({ file: f, bytes: files[f].length, sha256: sha256(files[f]) });
  const sectors = {};
  const stocks = symbols.map((s, i) => {
    (sectors[s.sector] ||= []).push(s.symbol);
    const f = SPECIFIC.includes(s.symbol) ? `${s.symbol}.stkm` : 'general.stkm';
    const e = { symbol: s.symbol, name: s.name, sector: s.sector, file: f,
      model_type: f === 'general.stkm' ? 'general' : 'stock_specific', confidence: f === 'general.stkm' ? 'medium' : 'high',
      bytes: info(f).bytes, sha256: info(f).sha256 };
    if (f !== 'general.stkm') e.fallback = { file: 'general.stkm', model_type: 'general', ...info('general.stkm') };
    // Made-up numbers (fixtures only): they check that the manifest's metrics reach predictions.
    e.test_metrics = Object.fromEntries(['1d', '5d', '10d', '30d'].map((h, j) =>
      [h, { mape: 1 + j + i / 100, naive_mape: 1.1 + j + i / 100, coverage90: 0.9, direction_hit_rate: 0.5, n: 240 }]));
    return e;
  });
  const manifest = {
    format_version: 1, training_date: '2026-11-22',
    data: { source: 'fixture', from: '2006-11-01', to: '2021-06-30', test: ['2020-07-01', '2021-06-30'] },
    horizons: [1, 5, 10, 30], horizon_names: ['1d', '5d', '10d', '30d'], interval_levels: [0.8, 0.9, 0.95],
    sectors,
    models: Object.keys(files).sort().map((f) => ({ ...info(f), kind: f === 'general.stkm' ? 'general' : 'stock_specific', name: f.replace('.stkm', '') })),
    stocks,
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  mkdirSync(path.join(dir, 'history'), { recursive: true });
  cpSync(repoPath('models/history'), path.join(dir, 'history'), { recursive: true });
  return (cached = { dir, real: false, manifest });
}

// The package (web/dist) assembled once per test process into a temp folder, so parallel test
// files never race on web/dist.
let dist;
export async function packageDir() {
  if (dist) return dist;
  const { execFileSync } = await import('node:child_process');
  const out = mkdtempSync(path.join(os.tmpdir(), 'stockcast-dist-'));
  execFileSync('bash', [repoPath('scripts/build-web.sh'), path.join(out, 'dist')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return (dist = path.join(out, 'dist'));
}

export async function importPackage(entry = 'node.js') {
  return import(path.join(await packageDir(), entry));
}

// A models folder with a 'transformer' network kind: links to every file of `base` (modelsDir());
// when base has no transformer, transformer.stkm (the general model's file with its name changed:
// a Transformer file is served by the same LoadedModel path) listed as kind 'transformer'; and,
// where the kind-metrics file has none, made-up per-kind test metrics (its stocks[SYMBOL].transformer,
// returned as `kindMetrics`) that only check the metrics reach the answers.
export function withTransformer(base) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockcast-kinds-'));
  for (const f of readdirSync(base.dir)) if (f !== 'manifest.json') symlinkSync(path.join(base.dir, f), path.join(dir, f));
  const manifest = structuredClone(base.manifest);
  let entry = manifest.models.find((m) => m.kind === 'transformer');
  if (!entry) {
    const general = base.manifest.models.find((m) => m.kind === 'general');
    const bytes = rewriteHeader(readFileSync(path.join(base.dir, general.file)), (h) => {
      h.meta.name = 'transformer';
    });
    writeFileSync(path.join(dir, 'transformer.stkm'), bytes);
    entry = { kind: 'transformer', name: 'transformer', file: 'transformer.stkm', bytes: bytes.length, sha256: sha256(bytes) };
    manifest.models.push(entry);
  }
  const kinds = manifest.kind_metrics
    ? JSON.parse(readFileSync(path.join(base.dir, manifest.kind_metrics.file), 'utf8'))
    : { test: manifest.data && manifest.data.test, stocks: {} };
  manifest.stocks.forEach((s, i) => {
    const mine = (kinds.stocks[s.symbol] ||= {});
    if (mine.transformer) return;
    mine.transformer = Object.fromEntries(manifest.horizon_names.map((h, j) =>
      [h, { mape: 7 + j + i / 100, naive_mape: 8 + j, coverage90: 0.5, direction_hit_rate: 0.25, n: 100 + j }]));
  });
  const file = (manifest.kind_metrics && manifest.kind_metrics.file) || 'kind-metrics.json';
  const body = Buffer.from(JSON.stringify(kinds));
  rmSync(path.join(dir, file), { force: true }); // the link to base's copy
  writeFileSync(path.join(dir, file), body);
  manifest.kind_metrics = { file, bytes: body.length, sha256: sha256(body) };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return { dir, manifest, kindMetrics: kinds.stocks, file: path.join(dir, entry.file), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
