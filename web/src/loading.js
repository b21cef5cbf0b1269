// Loading what the package downloads: model files (store first, SHA-256 against the manifest,
// then parsed by the core) and JSON documents (with a last-known-good copy in the store for
// offline reloads), and histories out of their JSON documents.
import { StockcastError } from './errors.js';
import { normalizeHistory } from './checks.js';
import { fetchBytes, parseJson, throwIfAborted } from './net.js';
import { ModelHandle } from './registry.js';

// A file the manifest names (spec: {url, sha256, bytes}): the store's copy when it still matches
// the manifest's SHA-256, else downloaded and checked against it. ctx: {store, sha256, net,
// onProgress?}. `verified`: the whole file matched the manifest's hash (null hashes, in an
// insecure context, verify nothing). Used for LSTM, factor and fine-tune base files alike.
export async function verifiedBytes(spec, signal, ctx) {
  const { store } = ctx;
  if (store && spec.sha256) {
    const b = await store.get(spec.sha256).catch(() => undefined);
    if (b && (await ctx.sha256(b)) === spec.sha256) return { bytes: new Uint8Array(b), fromStore: true, verified: true };
  }
  const bytes = await fetchBytes(spec.url, ctx.net, { signal, onProgress: ctx.onProgress, expectedBytes: spec.bytes });
  const actual = await ctx.sha256(bytes);
  if (actual !== null && spec.sha256 && actual !== spec.sha256)
    throw new StockcastError('integrity_error', `${spec.url}: SHA-256 ${actual} differs from the manifest's ${spec.sha256}`,
      { url: spec.url, expected: spec.sha256, actual, detail: 'sha256_mismatch' });
  return { bytes, fromStore: false, verified: actual !== null && !!spec.sha256 };
}

// ctx: {Module, store, sha256, net, onProgress, stats (the registry's), kernel}. Resolves to {handle, bytes}.
export async function loadModel(spec, signal, ctx) {
  const { store } = ctx;
  const { bytes, fromStore, verified } = await verifiedBytes(spec, signal, ctx);
  if (fromStore) ctx.stats.storeHits++;
  throwIfAborted(signal);
  let handle;
  try {
    // The core re-checks the file's embedded hash unless the whole file already matched the
    // manifest's (that covers the embedded hash too, and is ~50x faster).
    handle = new ModelHandle(ctx.Module, bytes, !verified, ctx.kernel);
  } catch (e) {
    if (e instanceof StockcastError) e.url = spec.url;
    if (fromStore && store.delete) store.delete(spec.sha256).catch(() => {});
    throw e;
  }
  if (store && !fromStore && spec.sha256) store.put(spec.sha256, bytes).catch(() => {});
  return { handle, bytes: bytes.length };
}

// ctx: {store, net}. A JSON document; when the network fails (not a 4xx), the store's last copy.
export async function loadJson(url, signal, ctx) {
  const { store } = ctx;
  let bytes;
  try {
    bytes = await fetchBytes(url, ctx.net, { signal });
  } catch (e) {
    if (!store || e.code !== 'fetch_failed' || (e.status >= 400 && e.status < 500)) throw e;
    bytes = await store.get(`url:${url}`).catch(() => undefined);
    if (!bytes) throw e;
  }
  const doc = parseJson(bytes, url);
  if (store) store.put(`url:${url}`, bytes).catch(() => {});
  return doc;
}

// A history document ({rows: [{date, close, volume?}], events?} or a bare array of rows).
export function historyOf(doc, url) {
  const rows = Array.isArray(doc) ? doc : doc && doc.rows;
  let hist;
  try {
    hist = normalizeHistory(rows);
  } catch (e) {
    throw new StockcastError('format_error', `${url}: ${e.message}`, { url, detail: 'bad_history' });
  }
  hist.events = doc && Array.isArray(doc.events) ? doc.events : undefined;
  return hist;
}
