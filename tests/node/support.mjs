// Shared by the Node tests: repository paths and the WASM modules loaded from their bytes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const repoPath = (p) => path.join(root, p);
export const wasmDir = process.env.STOCKCAST_WASM_DIR || repoPath('build-wasm');

// The standalone modules through the package's own wrapper (web/src/wasm.js), from their bytes.
export async function loadModule() {
  const { instantiateCore } = await import(repoPath('web/src/wasm.js'));
  return instantiateCore(WebAssembly.compile(readFileSync(path.join(wasmDir, 'stockcast.wasm'))));
}

export async function loadRiskModule() {
  const { instantiateRisk } = await import(repoPath('web/src/wasm.js'));
  return instantiateRisk(WebAssembly.compile(readFileSync(path.join(wasmDir, 'stockcast-risk.wasm'))));
}
