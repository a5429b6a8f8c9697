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

export async function accountExists(address: Address): Promise<boolean> {
  const { value } = await rpc.getAccountInfo(address, { encoding: 'base64', commitment: 'confirmed' }).send();
  return value !== null;
}
