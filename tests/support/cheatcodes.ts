// Local-validator cheatcodes for the tests: the shared Localnet tooling bound to the test
// validator (one implementation, in migrations/lib/localnet.ts).
import { type Address } from '@solana/kit';
import { net } from './net';

export const setAccount = (address: Address, owner: Address, data: Uint8Array, lamports?: bigint) =>
  net.setAccount(address, owner, data, lamports);
export const chainTime = () => net.chainTime();
export const timeTravelTo = (unixSeconds: bigint) => net.timeTravelTo(unixSeconds);

/** Moves the clock to one second into the next slot of a `intervalSecs` grid (the release
 * interval's), so the transactions of the next few seconds land in one slot. Returns the time. */
export async function startOfNextSlot(intervalSecs: bigint): Promise<bigint> {
  const now = await net.chainTime();
  const t = (now / intervalSecs + 1n) * intervalSecs + 1n;
  await net.timeTravelTo(t);
  return t;
}
