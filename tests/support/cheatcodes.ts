// Local-validator cheatcodes for the tests: the shared Localnet tooling bound to the test
// validator (one implementation, in migrations/lib/localnet.ts).
import { type Address } from '@solana/kit';
import { net } from './net';

export const setAccount = (address: Address, owner: Address, data: Uint8Array, lamports?: bigint) =>
  net.setAccount(address, owner, data, lamports);
export const chainTime = () => net.chainTime();
export const timeTravelTo = (unixSeconds: bigint) => net.timeTravelTo(unixSeconds);
