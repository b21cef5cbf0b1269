// Shared by the Node tests: repository paths and the WASM modules loaded from their bytes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const repoPath = (p) => path.join(root, p);
export const wasmDir = process.env.STOCKCAST_WASM_DIR || repoPath('build-wasm');

// The modules through the package's own adapter (wasm.js) and Emscripten's glue, from their
// bytes: wasm.js imports the glue beside it, so it is loaded from an assembled package
// (scripts/build-web.sh into a temp folder, once per process; STOCKCAST_WASM_DIR is honoured).
async function adapter() {
  const { packageDir } = await import('./helpers/fixtures.mjs');
  return import(path.join(await packageDir(), 'wasm.js'));
}

export async function loadModule() {
  const { instantiateCore } = await adapter();
  return instantiateCore(WebAssembly.compile(readFileSync(path.join(wasmDir, 'stockcast.wasm'))));
}

export async function loadRiskModule() {
  const { instantiateRisk } = await adapter();
  return instantiateRisk(WebAssembly.compile(readFileSync(path.join(wasmDir, 'stockcast-risk.wasm'))));
}

export async function loadFactorsModule() {
  const { instantiateFactors } = await adapter();
  return instantiateFactors(WebAssembly.compile(readFileSync(path.join(wasmDir, 'stockcast-factors.wasm'))));
}

export async function loadEnsembleModule() {
  const { instantiateEnsemble } = await adapter();
  return instantiateEnsemble(WebAssembly.compile(readFileSync(path.join(wasmDir, 'stockcast-ensemble.wasm'))));
}

export async function loadTrainModule() {
  const { instantiateTrain } = await adapter();
  return instantiateTrain(WebAssembly.compile(readFileSync(path.join(wasmDir, 'stockcast-train.wasm'))));
}
