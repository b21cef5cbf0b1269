#!/usr/bin/env node
// A/B of two builds of the package (dist folders, each made by scripts/build-web.sh DIR): a warm
// model load (header JSON, tensors, the embedded test vector re-run; no hash), interleaved rounds.
// Written to measure what nlohmann/json's number parsing costs against the former own parser.
//   node bench/package/load-ab.mjs BEFORE_DIST AFTER_DIST
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dists = process.argv.slice(2).map((d) => path.resolve(d));
if (dists.length !== 2) {
  console.error('usage: node bench/package/load-ab.mjs BEFORE_DIST AFTER_DIST');
  process.exit(2);
}
const models = ['general.stkm', 'SCOM.stkm'].map((f) => [f, readFileSync(new URL(`../../models/${f}`, import.meta.url))]);
const load = async (dir) => {
  const { instantiateCore } = await import(pathToFileURL(path.join(dir, 'wasm.js')).href);
  return instantiateCore(WebAssembly.compile(readFileSync(path.join(dir, 'stockcast.wasm'))));
};
const builds = await Promise.all(dists.map(async (d) => [d, await load(d)]));
for (const [file, bytes] of models) {
  const times = builds.map(() => []);
  for (let round = 0; round < 11; round++)
    builds.forEach(([, M], k) => {
      for (let i = 0; i < 5; i++) new M.LoadedModel(bytes, false).delete(); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < 40; i++) new M.LoadedModel(bytes, false).delete();
      times[k].push((performance.now() - t0) / 40);
    });
  builds.forEach(([dir], k) => {
    const t = times[k].sort((a, b) => a - b);
    console.log(`${file} (header ${bytes.readUInt32LE(12)} B) ${dir}: median ${t[5].toFixed(3)} ms (min ${t[0].toFixed(3)})`);
  });
}
