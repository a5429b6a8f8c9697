// Cluster selection shared by the migration scripts: RPC endpoints, program ids from Anchor.toml
// and the deployer key.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { createSolanaRpc, createSolanaRpcSubscriptions, type Address } from '@solana/kit';
import type { Connection } from '../app/sdk/src/index';

export const ROOT = resolve(import.meta.dirname, '..');
export type Cluster = 'localnet' | 'devnet' | 'mainnet';

export interface Options {
  cluster: Cluster;
  dryRun: boolean;
  keypair?: string;
  rest: Record<string, string>;
}

/** Parses `--cluster <c> [--dry-run] [--keypair <path>] [--<name> <value>]...`. */
export function parseOptions(argv: string[]): Options {
  const opts: Options = { cluster: 'localnet', dryRun: false, rest: {} };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--dry-run') { opts.dryRun = true; continue; }
    if (flag === '--final') { opts.rest.final = 'yes'; continue; } // deploy.ts: no value
    const value = argv[++i];
    if (!flag.startsWith('--') || value === undefined) throw new Error(`bad argument ${flag}`);
    if (flag === '--cluster') {
      if (!['localnet', 'devnet', 'mainnet'].includes(value)) throw new Error(`unknown cluster ${value}`);
      opts.cluster = value as Cluster;
    } else if (flag === '--keypair') opts.keypair = value;
    else opts.rest[flag.slice(2)] = value;
  }
  return opts;
}

export function endpoints(cluster: Cluster): { rpc: string; ws: string } {
  const env = (name: string) => process.env[name];
  switch (cluster) {
    case 'localnet':
      return {
        rpc: env('LOCALNET_RPC_URL') ?? `http://127.0.0.1:${env('LOCALNET_RPC_PORT') ?? 8899}`,
        ws: env('LOCALNET_WS_URL') ?? `ws://127.0.0.1:${env('LOCALNET_WS_PORT') ?? 8900}`,
      };
    case 'devnet':
      return { rpc: env('DEVNET_RPC_URL') ?? 'https://api.devnet.solana.com', ws: env('DEVNET_WS_URL') ?? 'wss://api.devnet.solana.com' };
    case 'mainnet':
      return { rpc: env('MAINNET_RPC_URL') ?? 'https://api.mainnet-beta.solana.com', ws: env('MAINNET_WS_URL') ?? 'wss://api.mainnet-beta.solana.com' };
  }
}

/** The connection the migrations send through: on devnet and mainnet the SDK's mainnet-grade
 * sender (limit from simulation, priority fee, rebroadcast, a fresh blockhash only when safe); on
 * the local validator one send confirmed over the websocket. */
export function connect(cluster: Cluster): Connection {
  const { rpc, ws } = endpoints(cluster);
  return {
    rpc: createSolanaRpc(rpc),
    rpcSubscriptions: createSolanaRpcSubscriptions(ws),
    sender: cluster === 'localnet' ? undefined : {},
  };
}

/** `[programs.<cluster>]` of Anchor.toml: program name -> id. */
export function programIds(cluster: Cluster): Record<string, Address> {
  const ids: Record<string, Address> = {};
  let inSection = false;
  for (const line of readFileSync(resolve(ROOT, 'Anchor.toml'), 'utf8').split('\n')) {
    if (line.startsWith('[')) inSection = line.trim() === `[programs.${cluster}]`;
    const m = inSection && line.match(/^\s*([a-z_]+)\s*=\s*"([1-9A-HJ-NP-Za-km-z]+)"/);
    if (m) ids[m[1]!] = m[2] as Address;
  }
  return ids;
}

/** The deployer key: --keypair, else .localnet/deployer.json on localnet, else the Solana CLI default. */
export function deployerKeypairPath(opts: Options): string {
  if (opts.keypair) return opts.keypair;
  if (opts.cluster === 'localnet') return resolve(process.env.LOCALNET_STATE_DIR ?? resolve(ROOT, '.localnet'), 'deployer.json');
  return resolve(homedir(), '.config/solana/id.json');
}

/** Runs a script's main, printing a clear message and exiting non-zero on any error. */
export function run(main: () => Promise<void>) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(`error: ${(e as Error).message ?? e}`);
      process.exit(1);
    },
  );
}
