// A JSON-RPC proxy in front of the local validator that loses transactions the way a congested
// cluster does: a dropped `sendTransaction` is answered with its signature (the RPC accepted it)
// and never forwarded (no leader ever saw it). It can also answer getRecentPrioritizationFees
// with a scripted fee history.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getBase58Decoder } from '@solana/kit';

export interface DropRule {
  /** Whether to lose this send: `signature` of the transaction, `nth` send of it (1-based). */
  (signature: string, nth: number): boolean;
}

/** mulberry32: a small seeded generator, so a drop pattern repeats run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Drops a `share` of all sends, at random from `seed`. */
export function dropShare(share: number, seed: number): DropRule {
  const random = seededRandom(seed);
  return () => random() < share;
}

/** The first signature of a base64 wire transaction. */
export function wireSignature(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  // bytes[0] is the signature count (a short vec < 128 here); the first signature follows.
  return getBase58Decoder().decode(bytes.subarray(1, 65));
}

export class DropProxy {
  /** Sends forwarded to the validator and sends lost, over the proxy's life. */
  forwarded = 0;
  dropped = 0;
  readonly sendsBySignature = new Map<string, number>();
  drop: DropRule = () => false;
  /** When set, getRecentPrioritizationFees answers these fees (one per slot). */
  fees: bigint[] | null = null;
  private server: Server | null = null;

  constructor(private readonly target: string) {}

  get url(): string {
    const port = (this.server?.address() as AddressInfo | null)?.port;
    if (!port) throw new Error('proxy not started');
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(Buffer.concat(chunks).toString('utf8')).then(
          (body) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(body);
          },
          (e: Error) => {
            res.writeHead(502);
            res.end(e.message);
          },
        );
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  reset(): void {
    this.forwarded = 0;
    this.dropped = 0;
    this.sendsBySignature.clear();
    this.drop = () => false;
    this.fees = null;
  }

  private async handle(body: string): Promise<string> {
    const request = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] };
    const answer = (result: unknown) => JSON.stringify({ jsonrpc: '2.0', id: request.id, result });
    if (request.method === 'getRecentPrioritizationFees' && this.fees) {
      const slot = 1_000;
      return answer(this.fees.map((fee, i) => ({ slot: slot + i, prioritizationFee: Number(fee) })));
    }
    if (request.method === 'sendTransaction') {
      const signature = wireSignature(String(request.params?.[0]));
      const nth = (this.sendsBySignature.get(signature) ?? 0) + 1;
      this.sendsBySignature.set(signature, nth);
      if (this.drop(signature, nth)) {
        this.dropped++;
        return answer(signature);
      }
      this.forwarded++;
    }
    const r = await fetch(this.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return await r.text();
  }
}
