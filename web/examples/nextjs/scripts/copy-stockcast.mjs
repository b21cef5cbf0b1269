// Prebuild step of the example: copies the assembled stockcast package (scripts/build-web.sh output,
// default web/dist) into vendor/stockcast (the `file:` dependency) and the models into
// public/models, so `next build` bundles the package like any npm dependency and the built app
// predicts on localhost with no other server.
//   node scripts/copy-stockcast.mjs [PACKAGE_DIST_DIR]     (env STOCKCAST_DIST works too)
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, '..');
const repo = path.resolve(app, '../../..');
const dist = path.resolve(process.argv[2] || process.env.STOCKCAST_DIST || path.join(repo, 'web/dist'));
if (!existsSync(path.join(dist, 'index.js')) || !existsSync(path.join(dist, 'stockcast.wasm'))) {
  console.error(`copy-stockcast: ${dist} is not an assembled package; run: bash scripts/build-web.sh`);
  process.exit(1);
}
const vendor = path.join(app, 'vendor/stockcast');
rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
cpSync(dist, path.join(vendor, 'dist'), { recursive: true });
cpSync(path.join(repo, 'web/package.json'), path.join(vendor, 'package.json'));
cpSync(path.join(repo, 'web/types'), path.join(vendor, 'types'), { recursive: true });

const models = path.join(app, 'public/models');
rmSync(models, { recursive: true, force: true });
mkdirSync(models, { recursive: true });
const src = path.join(repo, 'models');
// Only what the package fetches: manifest, model files, histories (not the training data).
cpSync(path.join(src, 'manifest.json'), path.join(models, 'manifest.json'));
for (const f of (await import('node:fs')).readdirSync(src)) if (f.endsWith('.stkm')) cpSync(path.join(src, f), path.join(models, f));
cpSync(path.join(src, 'history'), path.join(models, 'history'), { recursive: true });
console.log(`copy-stockcast: ${dist} -> vendor/stockcast, models -> public/models`);
