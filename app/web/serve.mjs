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
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.map': 'application/json' };

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/rpc' && req.method === 'POST') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      try {
        const upstream = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
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
