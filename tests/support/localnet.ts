// Connection to the local validator started by scripts/localnet-up.sh.
import { resolve } from 'node:path';
import {
  airdropFactory,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  generateKeyPairSigner,
  lamports,
  type Address,
  type Instruction,
  type KeyPairSigner,
} from '@solana/kit';
import { errorLogs, sendInstructions as send } from '../../app/sdk/src/index';
import { loadKeypairFile } from '../../app/sdk/src/node';

export { customErrorCode, errorLogs } from '../../app/sdk/src/index';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RPC_URL = process.env.LOCALNET_RPC_URL ?? `http://127.0.0.1:${process.env.LOCALNET_RPC_PORT ?? 8899}`;
export const WS_URL = process.env.LOCALNET_WS_URL ?? `ws://127.0.0.1:${process.env.LOCALNET_WS_PORT ?? 8900}`;
const STATE_DIR = process.env.LOCALNET_STATE_DIR ?? resolve(ROOT, '.localnet');

export const rpc = createSolanaRpc(RPC_URL);
export const rpcSubscriptions = createSolanaRpcSubscriptions(WS_URL);
const airdrop = airdropFactory({ rpc, rpcSubscriptions });

/** The upgrade authority the localnet loaded the programs with (funded at start). */
export function deployer(): Promise<KeyPairSigner> {
  return loadKeypairFile(resolve(STATE_DIR, 'deployer.json'));
}

/** A new keypair holding `sol` SOL, airdropped and confirmed over RPC + websocket. */
export async function fundedSigner(sol = 10n): Promise<KeyPairSigner> {
  const signer = await generateKeyPairSigner();
  await airdrop({ commitment: 'confirmed', recipientAddress: signer.address, lamports: lamports(sol * 1_000_000_000n) });
  return signer;
}

/** Sends and confirms; a failure keeps its cause chain (codes) and carries the program logs. */
export async function sendInstructions(payer: KeyPairSigner, instructions: Instruction[]) {
  try {
    return await send({ rpc, rpcSubscriptions }, payer, instructions);
  } catch (err) {
    const logs = errorLogs(err);
    if (logs.length > 0 && err instanceof Error) err.message += `\n${logs.join('\n')}`;
    throw err;
  }
}

/** The environment of a test's own local validator on `rpcPort` (websocket on the next port),
 * started and stopped with it by scripts/localnet-up.sh / localnet-down.sh; no programs
 * preloaded unless `extra` says LOCALNET_PRELOAD=1. */
export function ownLocalnetEnv(rpcPort: number, stateDir: string, extra: Record<string, string> = {}) {
  return {
    ...process.env,
    LOCALNET_RPC_PORT: String(rpcPort),
    LOCALNET_WS_PORT: String(rpcPort + 1),
    LOCALNET_STATE_DIR: stateDir,
    LOCALNET_PRELOAD: '0',
    LOCALNET_RPC_URL: `http://127.0.0.1:${rpcPort}`,
    LOCALNET_WS_URL: `ws://127.0.0.1:${rpcPort + 1}`,
    ...extra,
  };
}

export async function accountExists(address: Address): Promise<boolean> {
  const { value } = await rpc.getAccountInfo(address, { encoding: 'base64', commitment: 'confirmed' }).send();
  return value !== null;
}
