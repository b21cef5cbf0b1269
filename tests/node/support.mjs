// Shared by the Node tests: repository paths and the WASM module loaded from its bytes
// (the ES-module build targets web/worker; under Node the caller supplies the bytes).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const repoPath = (p) => path.join(root, p);
export const wasmDir = process.env.STOCKCAST_WASM_DIR || repoPath('build-wasm');

export async function loadModule() {
  const { default: create } = await import(path.join(wasmDir, 'stockcast.mjs'));
  return create({ wasmBinary: readFileSync(path.join(wasmDir, 'stockcast.wasm')) });
}
