// A tiny static HTTP server on 127.0.0.1 with fault injection, for the package tests.
//   const srv = await startServer(rootDir);  srv.url  ('http://127.0.0.1:PORT/')
//   srv.fault('/general.stkm', { status: 500 }, { status: 500 })   // queued, one per request
//   srv.fault('/SCOM.stkm', { status: 404, sticky: true })          // until srv.clearFaults()
// Faults: {status}, {delayMs} (before the headers; the request may be aborted meanwhile),
// {truncate: n} (full Content-Length, n bytes, then the socket is destroyed), {stall: n} (n
// bytes, then nothing until the client goes away), {flipByte: i},
// {contentType}, {body} (replacement body), {redirect: location} (302), {gzip: true}
// (Content-Encoding: gzip). srv.hits(path) counts every request for a path.
// srv.peak(): the most requests in flight (headers received .. response closed) and open
// connections seen at once since the last srv.resetPeak(). backlog: the listen backlog.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const TYPES = { '.html': 'text/html', '.json': 'application/json', '.stkm': 'application/octet-stream', '.wasm': 'application/wasm', '.mjs': 'text/javascript', '.js': 'text/javascript' };

// tls: {key, cert} serves HTTPS instead (tests/node/helpers/tls holds a self-signed pair for 127.0.0.1).
// headers: extra response headers on every response (e.g. COOP/COEP for cross-origin isolation).
export async function startServer(root, { tls, backlog, headers } = {}) {
  const hits = new Map();
  const faults = new Map();
  const log = [];
  const sockets = new Set();
  let inFlight = 0;
  const peak = { requests: 0, connections: 0 };
  const create = tls ? (await import('node:https')).createServer.bind(null, tls) : createServer;
  const server = create(async (req, res) => {
    for (const [k, v] of Object.entries(headers || {})) res.setHeader(k, v);
    peak.requests = Math.max(peak.requests, ++inFlight);
    res.on('close', () => inFlight--);
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    hits.set(p, (hits.get(p) || 0) + 1);
    log.push({ path: p, url: req.url, t: Date.now() });
    const queue = faults.get(p);
    let f = {};
    if (queue && queue.length) {
      f = queue[0];
      if (!f.sticky) queue.shift();
    }
    if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (res.destroyed || req.destroyed) return;
    if (f.status && f.status !== 200) {
      res.writeHead(f.status, { 'content-type': 'text/plain' });
      return res.end(`fault ${f.status}`);
    }
    if (f.redirect) {
      res.writeHead(302, { location: f.redirect, 'content-type': 'text/plain' });
      return res.end('moved');
    }
    const file = path.join(root, path.normalize(p).replace(/^([/\\])+/, ''));
    if (!file.startsWith(path.resolve(root))) {
      res.writeHead(403);
      return res.end();
    }
    let body;
    try {
      body = f.body !== undefined ? Buffer.from(f.body) : await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    if (f.flipByte !== undefined) {
      body = Buffer.from(body);
      body[f.flipByte] ^= 0x01;
    }
    const type = f.contentType || TYPES[path.extname(file)] || 'application/octet-stream';
    if (f.gzip) {
      body = gzipSync(body);
      res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', 'content-length': body.length });
      return res.end(body);
    }
    res.writeHead(200, { 'content-type': type, 'content-length': body.length });
    if (f.stall !== undefined) return res.write(body.subarray(0, f.stall));
    if (f.truncate !== undefined) {
      res.write(body.subarray(0, f.truncate));
      setTimeout(() => res.destroy(), 5);
      return;
    }
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    peak.connections = Math.max(peak.connections, sockets.size);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen({ port: 0, host: '127.0.0.1', backlog }, r));
  const { port } = server.address();
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    hits: (p) => hits.get(p) || 0,
    allHits: () => new Map(hits),
    resetHits: () => hits.clear(),
    peak: () => ({ ...peak }),
    resetPeak() {
      peak.requests = inFlight;
      peak.connections = sockets.size;
    },
    log,
    fault(p, ...list) {
      faults.set(p, [...(faults.get(p) || []), ...list]);
    },
    clearFaults() {
      faults.clear();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}
