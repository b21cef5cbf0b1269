// The Node entry's default transport: node:http(s), built into Node. Node's global
// fetch() loads undici on its first call, 50-90 ms on the bench machine (bench/peers/first.mjs),
// which was most of a Node process's import → first prediction. This implements the part of
// fetch that the package uses (GET, status, headers, a streamed body, AbortSignal, redirects);
// `createStockcast({fetch})` still takes any fetch, globalThis.fetch included.
// Node's modules are imported on first use, not with the package (imports stay cheap), and kept:
// a repeated dynamic import() still goes through the module loader. node.js uses it for crypto.
const modules = {};
export const importOnce = (name) => (modules[name] ??= import(name));

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const DECODERS = { gzip: 'createGunzip', 'x-gzip': 'createGunzip', deflate: 'createInflate', br: 'createBrotliDecompress' };

// Keep-alive agents, made on first use, one per protocol and socket limit: connections are reused
// (no TCP set-up per file), and each origin gets at most `maxSockets` of them, the instance's
// maxConcurrentRequests (instances with the same limit share an agent, so together they too stay
// within it; Node's global agent allows any number of sockets).
const agents = new Map();
function agent(lib, protocol, maxSockets) {
  const key = `${protocol}${maxSockets}`;
  if (!agents.has(key)) agents.set(key, new lib.Agent({ keepAlive: true, maxSockets }));
  return agents.get(key);
}

// A fetch whose connections are limited to `maxSockets` per origin.
export const createNodeFetch = (maxSockets = Infinity) => (url, init = {}) => get(new URL(String(url)), init.signal, MAX_REDIRECTS, maxSockets);

async function get(url, signal, redirectsLeft, maxSockets) {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`cannot GET ${url.href}: only http: and https: URLs`);
  const lib = await importOnce(url.protocol === 'https:' ? 'node:https' : 'node:http');
  const response = await new Promise((resolve, reject) => {
    const options = { agent: agent(lib, url.protocol, maxSockets), signal, headers: { accept: '*/*', 'accept-encoding': 'gzip, deflate, br' } };
    lib.get(url, options, resolve).on('error', reject);
  });
  if (REDIRECTS.has(response.statusCode) && response.headers.location) {
    response.resume();
    if (redirectsLeft === 0) throw new TypeError(`GET ${url.href}: more than ${MAX_REDIRECTS} redirects`);
    return get(new URL(response.headers.location, url), signal, redirectsLeft - 1, maxSockets);
  }
  const decoder = DECODERS[String(response.headers['content-encoding'] || '').toLowerCase()];
  return responseOf(response, decoder && (await importOnce('node:zlib'))[decoder]());
}

// The shape of a fetch Response that net.js and node.js read. A compressed body is decoded, as
// fetch does (net.js then ignores content-length, which counts the compressed bytes).
function responseOf(res, decoder) {
  const stream = decoder ? res.pipe(decoder) : res;
  if (decoder) res.on('error', (e) => stream.destroy(e));
  const chunks = stream[Symbol.asyncIterator]();
  const cancel = async () => {
    res.destroy();
    if (stream !== res) stream.destroy();
  };
  const read = async () => {
    const { done, value } = await chunks.next();
    return done ? { done: true, value: undefined } : { done: false, value: new Uint8Array(value.buffer, value.byteOffset, value.length) };
  };
  return {
    ok: res.statusCode >= 200 && res.statusCode < 300,
    status: res.statusCode,
    headers: {
      get(name) {
        const v = res.headers[String(name).toLowerCase()];
        return v === undefined ? null : String(v);
      },
    },
    body: { getReader: () => ({ read, cancel }), cancel },
    async arrayBuffer() {
      const parts = [];
      for (let c = await read(); !c.done; c = await read()) parts.push(c.value);
      const out = Buffer.concat(parts);
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
    },
  };
}
