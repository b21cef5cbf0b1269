// The app shell offline: pages (network first, cached copy when the server does not answer) and
// Next's hashed static files (cache first; their names change with their content). The models,
// manifest and histories are not handled here: the stockcast package keeps them in Cache
// Storage itself (store: 'cache-storage'), and the chart's histories have their own cache.
const SHELL = 'stockcast-shell-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (ev) => {
  ev.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('stockcast-shell-') && k !== SHELL) await caches.delete(k);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/models/') || url.pathname.startsWith('/__demo/')) return;
  if (url.pathname.startsWith('/_next/static/')) {
    ev.respondWith(cacheFirst(req));
    return;
  }
  ev.respondWith(networkFirst(req, req.mode === 'navigate'));
});

async function cacheFirst(req) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await cache.put(req, res.clone());
  return res;
}

// Pages are cached by path without the query (every deep link of a view is the same HTML).
async function networkFirst(req, page) {
  const cache = await caches.open(SHELL);
  const key = page ? new URL(req.url).pathname : req;
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(key, { ignoreSearch: !page });
    if (hit) return hit;
    throw e;
  }
}
