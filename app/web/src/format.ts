// Display formatting (numbers stay bigint until here).
import { formatUnits } from '@backstop/sdk';

export const usd = (amount: bigint, decimals: number) => {
  const [whole, frac = ''] = formatUnits(amount, decimals, 2).split('.');
  return `$${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac.padEnd(2, '0')}`;
};
export const units = (amount: bigint, decimals: number) => formatUnits(amount, decimals, 4);
export const price = (p: bigint) => usd(p / 1_000_000n, 6); // PRICE_SCALE (1e-12) -> 6 decimals
export const pct = (bps: bigint | number) => `${(Number(bps) / 100).toFixed(2)}%`;
export const date = (unix: bigint) => new Date(Number(unix) * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
export const short = (a: string) => `${a.slice(0, 4)}…${a.slice(-4)}`;
