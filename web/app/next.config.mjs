// The stockcast frontend: statically exported (`next build` writes out/), served with the models
// from one origin by scripts/serve-demo.mjs. The package is the `file:..` dependency
// (node_modules/stockcast -> web/), which lies outside this folder: Turbopack resolves files only
// under its root, so the root is web/ (the package and this app, nothing else).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @type {import('next').NextConfig} */
export default {
  output: 'export',
  turbopack: { root: web },
  outputFileTracingRoot: web,
  poweredByHeader: false,
};
