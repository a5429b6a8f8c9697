// What every command shares: parsed global options, the RPC connection, the signer, and the
// errors a command may end with.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { address, createSolanaRpc, createSolanaRpcSubscriptions, isAddress, type Address, type KeyPairSigner } from '@solana/kit';
import { BACKSTOP_PROGRAM_ADDRESS, PYTH_PUSH_ORACLE_ADDRESS, type Connection, type SenderPolicy } from '@backstop/sdk';
import { loadKeypairFile } from '@backstop/sdk/node';

/** A failure the user can act on: printed as is, exit code 1 (2 for usage errors). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export interface GlobalOptions {
  url: string;
  ws: string;
  keypair: string;
  programId: Address;
  json: boolean;
  /** Shard and program of the Pyth push-feed accounts that `--feed` and vault feeds resolve to. */
  feedShard: number;
  pushOracleProgram: Address;
  /** How every transaction is sent (priority fee, its cap). */
  sender: SenderPolicy;
}

export const GLOBAL_OPTIONS = {
  url: { type: 'string', short: 'u' },
  ws: { type: 'string' },
  keypair: { type: 'string', short: 'k' },
  'program-id': { type: 'string' },
  'feed-shard': { type: 'string' },
  'push-oracle-program': { type: 'string' },
  'priority-fee': { type: 'string' },
  'max-priority-fee': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** http(s)://host:port -> ws(s)://host:port+1, as solana-test-validator and surfpool serve it. */
export function websocketUrlFor(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`invalid RPC URL: ${url}`, 2);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError(`RPC URL must be http(s): ${url}`, 2);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (u.port) u.port = String(Number(u.port) + 1);
  return u.toString().replace(/\/$/, '');
}

export function globalOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const url = (values.url as string | undefined) ?? env.BACKSTOP_RPC_URL ?? 'http://127.0.0.1:8899';
  const programId = (values['program-id'] as string | undefined) ?? env.BACKSTOP_PROGRAM_ID ?? BACKSTOP_PROGRAM_ADDRESS;
  return {
    url,
    ws: (values.ws as string | undefined) ?? env.BACKSTOP_WS_URL ?? websocketUrlFor(url),
    keypair: (values.keypair as string | undefined) ?? env.BACKSTOP_KEYPAIR ?? resolve(homedir(), '.config/solana/id.json'),
    programId: parseAddress(programId, '--program-id'),
    json: Boolean(values.json),
    feedShard: parseShard((values['feed-shard'] as string | undefined) ?? env.BACKSTOP_FEED_SHARD ?? '0'),
    pushOracleProgram: parseAddress(
      (values['push-oracle-program'] as string | undefined) ?? env.BACKSTOP_PUSH_ORACLE_PROGRAM ?? PYTH_PUSH_ORACLE_ADDRESS,
      '--push-oracle-program',
    ),
    sender: senderPolicy(
      (values['priority-fee'] as string | undefined) ?? env.BACKSTOP_PRIORITY_FEE ?? 'auto',
      (values['max-priority-fee'] as string | undefined) ?? env.BACKSTOP_MAX_PRIORITY_FEE ?? '1000000',
    ),
  };
}

/** `--priority-fee auto|<micro-lamports per CU>` and `--max-priority-fee <micro-lamports per CU>`. */
function senderPolicy(fee: string, max: string): SenderPolicy {
  const microLamports = (text: string, flag: string) => {
    if (!/^\d+$/.test(text) || BigInt(text) >= 1n << 64n) throw new CliError(`${flag} must be a whole number of micro-lamports per compute unit, got "${text}"`, 2);
    return BigInt(text);
  };
  const maxComputeUnitPrice = microLamports(max, '--max-priority-fee');
  if (fee === 'auto') return { priorityFee: 'auto', maxComputeUnitPrice };
  const fixed = microLamports(fee, '--priority-fee (or "auto")');
  if (fixed > maxComputeUnitPrice) throw new CliError(`--priority-fee ${fixed} is above --max-priority-fee ${maxComputeUnitPrice}`, 2);
  return { priorityFee: fixed, maxComputeUnitPrice };
}

function parseShard(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0xffff) throw new CliError(`--feed-shard must be an integer from 0 to 65535, got "${text}"`, 2);
  return Number(text);
}

/** A string option the command needs: missing or empty is a usage error naming it. */
export function need(values: Record<string, unknown>, name: string, usage: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new CliError(`missing --${name}\nusage: ${usage}`, 2);
  return v;
}

export function parseAddress(text: string | undefined, what: string): Address {
  if (text === undefined) throw new CliError(`missing ${what}`, 2);
  if (!isAddress(text)) throw new CliError(`${what} is not a valid address: ${text}`, 2);
  return address(text);
}

/** The connection every command sends through: the SDK's mainnet-grade sender under the
 * options' policy. */
export function connect(opts: GlobalOptions): Connection {
  return { rpc: createSolanaRpc(opts.url), rpcSubscriptions: createSolanaRpcSubscriptions(opts.ws), sender: opts.sender };
}

export async function signer(opts: GlobalOptions): Promise<KeyPairSigner> {
  try {
    return await loadKeypairFile(opts.keypair);
  } catch (e) {
    throw new CliError(`bad keypair: ${(e as Error).message}`);
  }
}

/** True when the error chain says the RPC could not be reached at all. */
export function isUnreachable(err: unknown): boolean {
  for (let e = err as { message?: string; code?: string; cause?: unknown } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'UND_ERR_CONNECT_TIMEOUT') return true;
    if (typeof e.message === 'string' && /fetch failed|ECONNREFUSED|HTTP error \(5\d\d\)/.test(e.message)) return true;
  }
  return false;
}
