// Local-validator cheatcodes (surfpool's surfnet_* JSON-RPC methods) and the chain clock.
import { type Address } from '@solana/kit';
import { RPC_URL, rpc } from './localnet';

const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111' as Address;

async function call(method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const json = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result;
}

/** Writes an account (data as bytes) straight into the validator. */
export async function setAccount(address: Address, owner: Address, data: Uint8Array, lamports = 1_000_000_000n) {
  await call('surfnet_setAccount', [
    address,
    { lamports: Number(lamports), owner, executable: false, data: Buffer.from(data).toString('hex') },
  ]);
}

/** The Clock sysvar's unix timestamp, as programs see it. */
export async function chainTime(): Promise<bigint> {
  const { value } = await rpc.getAccountInfo(CLOCK_SYSVAR, { encoding: 'base64', commitment: 'confirmed' }).send();
  if (!value) throw new Error('no clock sysvar');
  const data = Buffer.from(value.data[0], 'base64');
  return data.readBigInt64LE(32); // slot, epoch_start_timestamp, epoch, leader_schedule_epoch, unix_timestamp
}

/** Moves the validator's clock forward to `unixSeconds` and waits until programs see it. */
export async function timeTravelTo(unixSeconds: bigint) {
  await call('surfnet_timeTravel', [{ absoluteTimestamp: Number(unixSeconds * 1000n) }]);
  for (let i = 0; i < 50 && (await chainTime()) < unixSeconds; i++) await new Promise((r) => setTimeout(r, 100));
}

