// What the backtest measures as it runs, from token balances and account state only (never from
// the program's events, which the tests sum independently to check these numbers): per-series
// premiums, escrow, releases, settlement and reclaims, coverage over time, and conservation.
import type { Address } from '@solana/kit';
import { intrinsicFor, strikeToPrice, type BackstopEvent } from '@backstop/sdk';
import type { BreachPhase } from '@backstop/sdk';
import { COLLATERAL_DECIMALS, QUOTE_DECIMALS } from './market';

/** One series of the rolling coverage, as the run saw it. Quote amounts in base units, prices in
 * PRICE_SCALE (10^-12 quote per collateral unit), sizes in collateral base units. */
export interface SeriesRecord {
  address: Address;
  escrow: Address;
  openedAt: bigint;
  expiry: bigint;
  /** Quote base units per whole collateral unit. */
  strike: bigint;
  spotAtOpen: bigint;
  sizeCap: bigint;
  budget: bigint;
  written: bigint;
  /** Paid by the reserve to the writer (reserve balance before − after each write). */
  premium: bigint;
  /** Taken from the writer into the escrow (escrow balance after − before each write). */
  escrowDeposited: bigint;
  /** Advanced to the recovery account by release steps (recovery balance deltas of `trigger`). */
  ratchetReleased: bigint;
  steps: number;
  /** Paid from the reserve to the keeper for those steps (keeper balance deltas). */
  tips: bigint;
  settledAt: bigint | null;
  settlementPrice: bigint | null;
  settlementSource: string | null;
  /** Paid to the recovery account at settlement (recovery balance delta of `settle_series`). */
  settlementPaid: bigint;
  /** Returned to the writer (writer balance delta of `reclaim`). */
  reclaimed: bigint;
  /** Rounding dust swept back to the reserve by `close_series` (reserve balance delta). */
  dustSwept: bigint;
  closed: boolean;
  /** Lowest feed price from the series' opening to its settlement. */
  minPrice: bigint;
}

export function newSeriesRecord(address: Address, escrow: Address, openedAt: bigint, expiry: bigint, strike: bigint, spot: bigint, sizeCap: bigint, budget: bigint): SeriesRecord {
  return {
    address, escrow, openedAt, expiry, strike, spotAtOpen: spot, sizeCap, budget,
    written: 0n, premium: 0n, escrowDeposited: 0n, ratchetReleased: 0n, steps: 0, tips: 0n,
    settledAt: null, settlementPrice: null, settlementSource: null, settlementPaid: 0n,
    reclaimed: 0n, dustSwept: 0n, closed: false, minPrice: spot,
  };
}

/** The protocol's shortfall under a series: the insured size times how far the price fell below
 * the strike at its lowest while the series ran (opening to settlement), rounded down as a
 * payout is: what a perfect, continuously monitored put on the whole insured size would pay. */
export function seriesShortfall(r: SeriesRecord, insuredSize: bigint): bigint {
  return intrinsicFor(strikeToPrice(r.strike, QUOTE_DECIMALS), r.minPrice, insuredSize, COLLATERAL_DECIMALS, QUOTE_DECIMALS);
}

/** What a writer made on a series: premium received plus quote reclaimed less escrow deposited. */
export const writerPnl = (r: SeriesRecord) => r.premium + r.reclaimed - r.escrowDeposited;

/** Released to the protocol by a series: release steps plus settlement. */
export const seriesReleased = (r: SeriesRecord) => r.ratchetReleased + r.settlementPaid;

/** One point of the run's time line (every so many keeper ticks). */
export interface Sample {
  time: bigint;
  price: bigint;
  /** Strike of the live series (quote base units per collateral unit), null when none. */
  strike: bigint | null;
  /** Quote in the escrows of live (open, unexpired) series. */
  coverage: bigint;
  /** coverage / (insured size × price), basis points. */
  coverageBps: bigint;
  /** The recovery account's balance: everything released so far. */
  released: bigint;
  breach: BreachPhase;
}

/** Time-weighted coverage over the keeper's ticks (each tick's coverage holds until the next). */
export class CoverageStats {
  private weighted = 0n;
  totalSecs = 0n;
  coveredSecs = 0n;
  minBps: bigint | null = null;

  add(coverageBps: bigint, coverage: bigint, secs: bigint) {
    if (secs <= 0n) return;
    this.weighted += coverageBps * secs;
    this.totalSecs += secs;
    if (coverage > 0n) this.coveredSecs += secs;
    if (this.minBps === null || coverageBps < this.minBps) this.minBps = coverageBps;
  }

  get averageBps(): bigint {
    return this.totalSecs === 0n ? 0n : this.weighted / this.totalSecs;
  }
}

/** An event the program emitted during the run, with when and in which transaction. */
export interface RunEvent extends BackstopEvent {
  time: bigint;
  tx: string;
}

/** Every quote token account of the run: what the conservation check adds up. */
export interface Holdings {
  protocol: bigint;
  writer: bigint;
  keeper: bigint;
  reserve: bigint;
  recovery: bigint;
  escrows: bigint;
}

export const holdingsTotal = (h: Holdings) => h.protocol + h.writer + h.keeper + h.reserve + h.recovery + h.escrows;
