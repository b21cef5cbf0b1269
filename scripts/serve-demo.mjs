#!/usr/bin/env node
// Local static server for the demo: one origin on 127.0.0.1 serving
//   /            the frontend's static export (web/app/out/: `next build` in web/app)
//   /models/     models/              (manifest.json, *.stkm, history/)
// Usage: node scripts/serve-demo.mjs [--port N] [--site DIR] [--models DIR] [--models-down]
// Every response carries X-Content-Type-Options: nosniff and the strict Content-Security-Policy
//   default-src 'self'; script-src 'self' 'wasm-unsafe-eval'
// to which each HTML page adds the SHA-256 of each of its own inline <script> elements (Next.js
// writes its bootstrap and RSC payload inline), computed here from the file: never
// 'unsafe-inline'. A path without an extension is served from PATH.html (the export's
// /sector.html for /sector); an unknown path gets the export's 404.html with status 404.
//   port: --port, else $PORT, else $STOCKCAST_DEMO_PORT, else 8080 (0 = any free port)
// The models path can be switched off to try the offline behaviour (every /models/ request then
// answers 503): start with --models-down, or at run time
//   POST /__demo/models/down   and   POST /__demo/models/up   (GET /__demo/models: {"available":…})
// Import { startDemoServer } from this file to run it in-process (the e2e tests do).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.stkm': 'application/octet-stream', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8', '.ts': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json', '.webmanifest': 'application/manifest+json', '.woff2': 'font/woff2',
};

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

// The SHA-256 (base64) of each inline <script> of an HTML text (no src attribute; JSON data
// blocks are not scripts and need none).
export function inlineScriptHashes(html) {
  const out = new Set();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attrs = m[1];
    if (/\bsrc\s*=/i.test(attrs) || /\btype\s*=\s*["']?application\/(ld\+)?json/i.test(attrs)) continue;
    out.add(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return [...out];
}

export function cspFor(html) {
  const h = inlineScriptHashes(html);
  return h.length ? CSP.replace("'wasm-unsafe-eval'", `'wasm-unsafe-eval' ${h.join(' ')}`) : CSP;
}

export const SITE = path.join(ROOT, 'web/app/out');

export async function startDemoServer({ port = 8080, host = '127.0.0.1', siteDir, modelsDir, modelsDown = false, quiet = true } = {}) {
  const site = path.resolve(siteDir || SITE);
  const mounts = [
    ['/models/', path.resolve(modelsDir || path.join(ROOT, 'models'))],
    ['/', site],
  ];
  const cspCache = new Map(); // file -> [mtimeMs, policy]
  const policyOf = async (file, body) => {
    const { mtimeMs } = await stat(file);
    const c = cspCache.get(file);
    if (c && c[0] === mtimeMs) return c[1];
    const policy = cspFor(body.toString('utf8'));
    cspCache.set(file, [mtimeMs, policy]);
    return policy;
  };
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
      res.writeHead(405, { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' }).end();
      return;
    }
    if (p === '/models') {
      res.writeHead(301, { location: `${p}/` }).end();
      return;
    }
    const [prefix, dir] = mounts.find(([m]) => p.startsWith(m));
    if (prefix === '/models/' && !state.modelsAvailable) {
      res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' }).end('model server unavailable (demo switch)');
      return;
    }
    let file = path.join(dir, path.normalize(p.slice(prefix.length - 1)));
    if (file !== dir && !file.startsWith(dir + path.sep)) {
      res.writeHead(403, { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' }).end();
      return;
    }
    const send = async (f, status) => {
      const body = await readFile(f);
      const html = path.extname(f) === '.html';
      res.writeHead(status, {
        'content-type': TYPES[path.extname(f)] || 'application/octet-stream',
        'content-length': body.length,
        // Next's hashed files never change; everything else is revalidated.
        'cache-control': p.startsWith('/_next/static/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-security-policy': html ? await policyOf(f, body) : CSP,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const isFile = (f) => stat(f).then((s) => s.isFile(), () => false);
    try {
      if (await isFile(file)) await send(file, 200);
      else if (await isFile(path.join(file, 'index.html'))) await send(path.join(file, 'index.html'), 200);
      else if (!path.extname(file) && (await isFile(`${file.replace(/[\\/]$/, '')}.html`))) await send(`${file.replace(/[\\/]$/, '')}.html`, 200);
      else if (prefix === '/' && (await isFile(path.join(dir, '404.html')))) await send(path.join(dir, '404.html'), 404);
      else res.writeHead(404, { 'content-type': 'text/plain', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' }).end('not found');
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain', 'content-security-policy': CSP }).end('read error');
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
    site,
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
    else if (a.startsWith('--site')) o.siteDir = val();
    else if (a.startsWith('--models-down')) o.modelsDown = true;
    else if (a.startsWith('--models')) o.modelsDir = val();
    else if (a === '--verbose' || a === '-v') o.quiet = false;
    else if (/^\d+$/.test(a)) o.port = Number(a);
    else if (a === '-h' || a === '--help') {
      console.log('node scripts/serve-demo.mjs [--port N] [--site DIR] [--models DIR] [--models-down] [--verbose]');
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
  const siteIndex = path.join(path.resolve(o.siteDir || SITE), 'index.html');
  if (!(await stat(siteIndex).catch(() => null))) {
    console.error(`serve-demo: ${siteIndex} is missing; build the site first: npm start, or (cd web/app && npm ci && npx next build)`);
    process.exit(1);
  }
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
