// Serves the built dashboard (dist/) on 127.0.0.1 and forwards POST /rpc to the Solana RPC, so
// the page talks to the validator from its own origin (no CORS set-up on the RPC side).
// usage: node serve.mjs [--port 5173] [--rpc http://127.0.0.1:8899]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, rpc: { type: 'string' } } });
const port = Number(values.port ?? process.env.DASHBOARD_PORT ?? 5173);
const rpc = values.rpc ?? process.env.BACKSTOP_RPC_URL ?? 'http://127.0.0.1:8899';
const root = resolve(import.meta.dirname, 'dist');
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_BODY = 64 * 1024;
const READ_METHODS = new Set(['getAccountInfo', 'getMultipleAccounts', 'getProgramAccounts', 'getSignaturesForAddress',
  'getTransaction', 'getSlot', 'getBalance', 'getHealth', 'getVersion', 'getLatestBlockhash']);
const deny = (res, status, message) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32601, message } }));
};
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.map': 'application/json' };

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/rpc' && req.method === 'POST') {
      // Only this machine's own pages, only the reads the dashboard makes, only small bodies:
      // the proxy must not become a way for other sites to use the RPC behind it.
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const origin = req.headers.origin;
      if (!LOCAL_HOSTS.has(host) || (origin && !LOCAL_HOSTS.has(new URL(origin).hostname))) return deny(res, 403, 'forbidden origin');
      const chunks = [];
      let size = 0;
      for await (const c of req) {
        size += c.length;
        if (size > MAX_BODY) return deny(res, 413, 'request too large');
        chunks.push(c);
      }
      const body = Buffer.concat(chunks);
      let calls;
      try {
        const parsed = JSON.parse(body.toString('utf8'));
        calls = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        return deny(res, 400, 'not JSON');
      }
      if (calls.some((c) => !READ_METHODS.has(c?.method))) return deny(res, 403, 'method not allowed');
      try {
        const upstream = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      } catch {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `RPC ${rpc} unreachable` } }));
      }
      return;
    }
    const path = normalize(join(root, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!path.startsWith(root)) throw new Error('outside root');
    const body = await readFile(path).catch(() => readFile(join(root, 'index.html')));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'text/html' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end('not found');
  }
});
server.listen(port, '127.0.0.1', () => console.log(`dashboard on http://127.0.0.1:${port}/ (RPC ${rpc})`));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
