// The backtest's report for people: the run, the numbers it exists for (coverage, premiums,
// releases against the protocol's shortfall, writers' P&L, tips, conservation) and one row per
// series. Machines get the result itself (`--json`).
import { formatPrice, formatUnits, type SviParams } from '@backstop/sdk';
import { time } from '../format';
import { fields, table } from '../table';
import type { BacktestResult } from './engine';
import { COLLATERAL_DECIMALS, QUOTE_DECIMALS } from './market';

const usd = (x: bigint) => formatUnits(x, QUOTE_DECIMALS, 2);
const signed = (x: bigint) => (x > 0n ? `+${usd(x)}` : usd(x));
const pct = (bps: bigint) => `${formatUnits(bps, 2, 2)} %`;
const days = (secs: bigint) => `${(Number(secs) / 86_400).toFixed(1)} d`;

/** 7d, 12h, 90m, 45s: the largest whole unit. */
export function duration(secs: number | bigint): string {
  const n = Number(secs);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) if (n >= size && n % size === 0) return `${n / size}${unit}`;
  return `${n}s`;
}
const price = (p: bigint) => formatPrice(p, 2);

/** What the run was given, for the report's head. */
export interface RunDescription {
  source: string;
  strikePct: bigint;
  tenorSecs: bigint;
  keeperEverySecs: bigint;
  svi: SviParams;
  chart: string | null;
}

/** The slice as `--svi` takes it (PARAM_SCALE 10^-9). */
export const sviText = (p: SviParams) =>
  [p.a, p.b, p.rho, p.m, p.sigma].map((v) => `${v < 0n ? '-' : ''}${formatUnits(v < 0n ? -v : v, 9, 9)}`).join(',');

export function renderReport(r: BacktestResult, d: RunDescription): string {
  const t = r.totals;
  const size = formatUnits(r.insuredSize, COLLATERAL_DECIMALS, 4);
  const head = fields([
    ['path', `${d.source}: ${time(r.start)} to ${time(r.end)} (${days(r.end - r.start)})`],
    ['keeper', `every ${duration(d.keeperEverySecs)}: ${r.ticks} ticks, ${r.transactions} transactions in LiteSVM`],
    ['insured', `${size} collateral units; each series at ${d.strikePct} % of spot for ${duration(d.tenorSecs)}; barrier ${price(r.barrier)}`],
    ['pricing', `SVI ${sviText(d.svi)} (a, b, rho, m, sigma per year)`],
    ['coverage', `${pct(r.coverage.averageBps)} of the insured notional on average (time-weighted), lowest ${pct(r.coverage.minBps)}; ` +
      `written cover for ${days(r.coverage.coveredSecs)} of ${days(r.coverage.totalSecs)}`],
    ['premiums', `${usd(t.premiums)} paid to writers (the protocol funded the reserve with ${usd(t.reserveFunded)}; ${usd(r.conservation.holdings.reserve)} is left there)`],
    ['released', `${usd(t.released.total)} = ${usd(t.released.ratchet)} by release steps + ${usd(t.released.settlement)} at settlement`],
    ['shortfall', `${usd(t.shortfall)}; released / shortfall ${t.shortfall === 0n ? '- (no shortfall)' : pct(t.releasedVsShortfallBps)}`],
    ['writers P&L', `${signed(t.writerPnl)} = premiums ${usd(t.premiums)} + reclaimed ${usd(t.reclaimed)} - escrowed ${usd(t.escrowDeposited)}`],
    ['keeper tips', usd(t.keeperTips)],
    ['protocol net', `${signed(t.protocolNet)} (released - premiums - keeper tips)`],
    ['conservation', `${r.conservation.ok ? 'ok' : 'BROKEN'}: ${usd(r.conservation.minted)} quote in, ` +
      `${usd(Object.values(r.conservation.holdings).reduce((a, b) => a + b, 0n))} held by the parties, reserve, recovery and escrows`],
    ...(d.chart ? [['chart', d.chart] as [string, string]] : []),
  ]);
  const rows = r.series.map((s, i) => [
    String(i + 1), time(s.openedAt), time(s.expiry), usd(s.strike), formatUnits(s.written, COLLATERAL_DECIMALS, 2), usd(s.premium),
    usd(s.ratchetReleased), s.settlementPrice === null ? '-' : price(s.settlementPrice), usd(s.settlementPaid), price(s.minPrice),
    usd(s.shortfall), usd(s.reclaimed), signed(s.writerPnl),
  ]);
  const body = rows.length === 0 ? 'no series was opened' : table(
    ['#', 'opened', 'expiry', 'strike', 'written', 'premium', 'stepped', 'settled at', 'settlement', 'low', 'shortfall', 'reclaimed', 'writer P&L'],
    rows,
  );
  return `${head}\n\n${body}\n\n${DEFINITIONS}`;
}

/** How each number is defined (printed under the report; docs/DESIGN.md has the same words). */
export const DEFINITIONS = [
  'coverage: quote in the escrows of live (open, unexpired) series, against insured size x price, time-weighted over the keeper ticks',
  'premiums: quote paid from the reserve to writers by write_put (reserve balance before - after)',
  'released: quote moved into the vault recovery account, by release steps (trigger) and by settlement',
  'shortfall: per series, insured size x (strike - lowest feed price from opening to settlement)+, rounded down; summed',
  'writers P&L: premiums received + quote reclaimed - escrow deposited',
].join('\n');
