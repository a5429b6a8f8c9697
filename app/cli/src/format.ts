// How amounts, prices and times read on the terminal.
import { feedIdToHex, formatPrice, formatUnits, type Vault } from '@backstop/sdk';

export const quote = (vault: Vault, amount: bigint) => formatUnits(amount, vault.quoteDecimals, 2);
export const collateral = (vault: Vault, amount: bigint) => formatUnits(amount, vault.collateralDecimals, 4);
export const price = (p: bigint) => formatPrice(p, 4);
export const bps = (b: bigint | number) => `${(Number(b) / 100).toFixed(2)}%`;
export const time = (unix: bigint) => (unix === 0n ? '-' : new Date(Number(unix) * 1000).toISOString().replace('.000Z', 'Z'));
export const short = (a: string) => `${a.slice(0, 4)}…${a.slice(-4)}`;
export const hex = feedIdToHex;

/** JSON with bigints as strings. */
export const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? hex(x) : x), 2);
