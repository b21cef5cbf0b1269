#!/usr/bin/env node
// Local static server for the demo: one origin on 127.0.0.1 serving
//   /            web/demo/            (index.html, app.js, style.css)
//   /pkg/        the assembled package (scripts/build-web.sh output, default web/dist/)
//   /models/     models/              (manifest.json, *.stkm, history/)
// Usage: node scripts/serve-demo.mjs [--port N] [--pkg DIR] [--models DIR] [--models-down]
//   port: --port, else $PORT, else $STOCKCAST_DEMO_PORT, else 8080 (0 = any free port)
// The models path can be switched off to try the offline behaviour (every /models/ request then
// answers 503): start with --models-down, or at run time
//   POST /__demo/models/down   and   POST /__demo/models/up   (GET /__demo/models: {"available":…})
// Import { startDemoServer } from this file to run it in-process (the e2e tests do).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.stkm': 'application/octet-stream', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8', '.ts': 'text/plain; charset=utf-8',
};

export async function startDemoServer({ port = 8080, host = '127.0.0.1', pkgDir, modelsDir, demoDir, modelsDown = false, quiet = true } = {}) {
  const mounts = [
    ['/pkg/', path.resolve(pkgDir || path.join(ROOT, 'web/dist'))],
    ['/models/', path.resolve(modelsDir || path.join(ROOT, 'models'))],
    ['/', path.resolve(demoDir || path.join(ROOT, 'web/demo'))],
  ];
  const state = { modelsAvailable: !modelsDown };
  const hits = new Map();
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    let p;
    try {
      p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    hits.set(p, (hits.get(p) || 0) + 1);
    if (p.startsWith('/__demo/models')) {
      if (req.method === 'POST' && p === '/__demo/models/down') state.modelsAvailable = false;
      else if (req.method === 'POST' && p === '/__demo/models/up') state.modelsAvailable = true;
      else if (p !== '/__demo/models') {
        res.writeHead(405, { 'content-type': 'text/plain' }).end('POST /__demo/models/down | /__demo/models/up');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ available: state.modelsAvailable }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (p === '/models' || p === '/pkg') {
      res.writeHead(301, { location: `${p}/` }).end();
      return;
    }
    const [prefix, dir] = mounts.find(([m]) => p.startsWith(m));
    if (prefix === '/models/' && !state.modelsAvailable) {
      res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('model server unavailable (demo switch)');
      return;
    }
    let file = path.join(dir, path.normalize(p.slice(prefix.length - 1)));
    if (file !== dir && !file.startsWith(dir + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
    if (!quiet) console.log(`${req.method} ${p} ${res.statusCode}`);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;
  return {
    url: `http://${host}:${actual}/`,
    port: actual,
    hits: (q) => hits.get(q) || 0,
    resetHits: () => hits.clear(),
    setModelsAvailable(v) {
      state.modelsAvailable = !!v;
    },
    get modelsAvailable() {
      return state.modelsAvailable;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      return argv[++i];
    };
    if (a.startsWith('--port')) o.port = Number(val());
    else if (a.startsWith('--pkg')) o.pkgDir = val();
    else if (a.startsWith('--models-down')) o.modelsDown = true;
    else if (a.startsWith('--models')) o.modelsDir = val();
    else if (a === '--verbose' || a === '-v') o.quiet = false;
    else if (/^\d+$/.test(a)) o.port = Number(a);
    else if (a === '-h' || a === '--help') {
      console.log('node scripts/serve-demo.mjs [--port N] [--pkg DIR] [--models DIR] [--models-down] [--verbose]');
      process.exit(0);
    } else {
      console.error(`serve-demo: unknown argument ${a}`);
      process.exit(2);
    }
  }
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  const envPort = process.env.PORT || process.env.STOCKCAST_DEMO_PORT;
  if (o.port === undefined) o.port = envPort !== undefined && envPort !== '' ? Number(envPort) : 8080;
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    console.error(`serve-demo: bad port ${o.port}`);
    process.exit(2);
  }
  // The default port may be taken: then try the next few (an explicit --port/PORT is kept as given).
  const explicit = process.argv.slice(2).some((a) => a.startsWith('--port') || /^\d+$/.test(a)) || !!envPort;
  let srv;
  for (let port = o.port, tries = 0; !srv; port++, tries++) {
    try {
      srv = await startDemoServer({ ...o, port });
    } catch (e) {
      if (explicit || e.code !== 'EADDRINUSE' || tries >= 20) {
        console.error(`serve-demo: cannot listen on 127.0.0.1:${port}: ${e.message}`);
        process.exit(1);
      }
    }
  }
  console.log(`stockcast demo: ${srv.url}${srv.modelsAvailable ? '' : '  (models path switched off)'}`);
  console.log(`  offline switch: curl -X POST ${srv.url}__demo/models/down   (…/up to restore)`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
