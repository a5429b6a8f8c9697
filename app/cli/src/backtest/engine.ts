// The backtest: replays a price path through the built program in LiteSVM. At every keeper tick
// the clock moves to the tick, the feed publishes the path's price, and then, in this order:
//   - the keeper settles expired series and cranks release steps, or observes, exactly as
//     `backstop keeper run` decides (keeper-plan.ts, the SDK's mirrors of the program);
//   - the writer reclaims settled series (and the keeper closes them);
//   - the keeper rolls the vault's ladder when its rung is due (the next series opens in the
//     overlap window before the live one expires; strike a percentage of spot);
//   - the writer writes the live series up to its size cap when the program would let it.
// After the path's last close the run winds down: the clock jumps to each remaining series'
// expiry with that close published, the keeper settles, the writer reclaims. The parties live
// in run.ts. Every number is measured from token balances and account state as
// the run goes (ledger.ts); the program's events are kept beside them, so a test can check each
// number against them.
import type { Address } from '@solana/kit';
import { breachPhase, type SviParams } from '@backstop/sdk';
import { Chain } from './chain';
import { Market, type VaultSettings } from './market';
import { PathCursor, feedInteger, feedToPriceScale, type PricePoint } from './paths';
import {
  CoverageStats,
  seriesReleased,
  seriesShortfall,
  writerPnl,
  holdingsTotal,
  type Holdings,
  type RunEvent,
  type Sample,
  type SeriesRecord,
} from './ledger';
import { Run } from './run';

export interface BacktestConfig {
  path: PricePoint[];
  programPath: string;
  settings: VaultSettings;
  /** Collateral base units the protocol insures. */
  insuredSize: bigint;
  /** Strike of each series, percent of the spot at its opening. */
  strikePct: bigint;
  /** Whole hours (the ladder's expiries fall on the hour). */
  tenorSecs: bigint;
  /** The next series opens this long before the live one expires. */
  overlapSecs: bigint;
  /** The ladder's strike grid, quote base units. */
  strikeTick: bigint;
  /** Premium budget of each series (quote base units); default run.ts DEFAULT_BUDGET_BPS of notional. */
  budget?: bigint;
  svi: SviParams;
  keeperEverySecs: bigint;
  /** The feed's confidence interval, basis points of its price. */
  confBps: bigint;
  /** At most this many samples of the time line (default 600). */
  maxSamples?: number;
  onProgress?: (p: { time: bigint; start: bigint; end: bigint; transactions: number }) => void;
}

export interface BacktestResult {
  start: bigint;
  end: bigint;
  ticks: number;
  transactions: number;
  vault: Address;
  insuredSize: bigint;
  barrier: bigint;
  series: (SeriesRecord & { shortfall: bigint; released: bigint; writerPnl: bigint })[];
  samples: Sample[];
  coverage: { averageBps: bigint; minBps: bigint; coveredSecs: bigint; totalSecs: bigint };
  totals: {
    premiums: bigint;
    escrowDeposited: bigint;
    released: { ratchet: bigint; settlement: bigint; total: bigint };
    keeperTips: bigint;
    reclaimed: bigint;
    dustSwept: bigint;
    shortfall: bigint;
    /** released × 10,000 / shortfall (0 when there was no shortfall). */
    releasedVsShortfallBps: bigint;
    writerPnl: bigint;
    reserveFunded: bigint;
    writerCapitalIn: bigint;
    /** released − premiums − keeper tips: what the backstop returned net of its cost. */
    protocolNet: bigint;
  };
  conservation: { minted: bigint; holdings: Holdings; ok: boolean };
  events: RunEvent[];
}

/** The run's tick times: every `every` seconds from `start`, and `end` itself. */
function tickTimes(start: bigint, end: bigint, every: bigint): bigint[] {
  const out: bigint[] = [];
  for (let t = start; t < end; t += every) out.push(t);
  out.push(end);
  return out;
}

export async function runBacktest(c: BacktestConfig): Promise<BacktestResult> {
  const start = BigInt(c.path[0]!.time);
  const end = BigInt(c.path[c.path.length - 1]!.time);
  const chain = new Chain(c.programPath);
  chain.warpTo(start);
  const market = await Market.create(chain, c.settings);
  const run = new Run(c, chain, market, start, end);
  const cursor = new PathCursor(c.path);
  const ticks = tickTimes(start, end, c.keeperEverySecs);
  const sampleEvery = Math.max(1, Math.ceil(ticks.length / (c.maxSamples ?? 600)));
  const progressEvery = Math.max(1, Math.ceil(ticks.length / 50));
  const samples: Sample[] = [];
  const stats = new CoverageStats();
  let prevPublish = start - 1n;
  run.now = start;
  await run.setLadder(feedToPriceScale(feedInteger(cursor.at(Number(start)))));

  /** Moves the clock to `now`, the feed publishes `feed` (10^-8), every series not yet settled
   * sees it (its settlement price included), and the keeper and the writer act: settlements,
   * release steps, reclaims. Returns the price (`PRICE_SCALE`). */
  const tick = async (now: bigint, feed: bigint): Promise<bigint> => {
    run.now = now;
    chain.warpTo(now);
    market.postPrice(feed, (feed * c.confBps) / 10_000n, now, prevPublish);
    prevPublish = now;
    const price = feedToPriceScale(feed);
    for (const r of run.unsettled()) if (price < r.minPrice) r.minPrice = price;
    await run.keeper();
    await run.reclaimAndClose();
    return price;
  };

  for (let i = 0; i < ticks.length; i++) {
    const now = ticks[i]!;
    const price = await tick(now, feedInteger(cursor.at(Number(now))));
    await run.roll(price);
    await run.write();

    const coverage = run.coverage();
    const notional = run.notional(price);
    const coverageBps = notional === 0n ? 0n : (coverage * 10_000n) / notional;
    stats.add(coverageBps, coverage, i + 1 < ticks.length ? ticks[i + 1]! - now : 0n);
    if (i % sampleEvery === 0 || i === ticks.length - 1) {
      samples.push({
        time: now, price, strike: run.liveStrike(), coverage, coverageBps,
        released: chain.balance(market.recovery), breach: breachPhase(market.vaultData(), now),
      });
    }
    if (run.moved) run.checkConservation();
    if (i % progressEvery === 0) c.onProgress?.({ time: now, start, end, transactions: chain.transactions });
  }
  // Wind down: every series still running settles at its expiry on the last close.
  const last = feedInteger(cursor.at(Number(end)));
  for (let guard = 0; run.unsettled().length > 0 || run.records.some((r) => !r.closed); guard++) {
    if (guard > 4 * run.records.length + 8) throw new Error('the run did not wind down: a series neither settled nor closed');
    const ahead = run.unsettled().map((r) => r.expiry).filter((e) => e >= run.now);
    await tick(ahead.length > 0 ? ahead.reduce((a, b) => (b < a ? b : a)) + 1n : run.now + 1n, last);
    if (run.moved) run.checkConservation();
  }
  return result(run, samples, stats, ticks.length);
}

function result(run: Run, samples: Sample[], stats: CoverageStats, ticks: number): BacktestResult {
  const sum = (f: (r: SeriesRecord) => bigint) => run.records.reduce((acc, r) => acc + f(r), 0n);
  const series = run.records.map((r) => ({ ...r, shortfall: seriesShortfall(r, run.c.insuredSize), released: seriesReleased(r), writerPnl: writerPnl(r) }));
  const released = { ratchet: sum((r) => r.ratchetReleased), settlement: sum((r) => r.settlementPaid), total: 0n };
  released.total = released.ratchet + released.settlement;
  const shortfall = series.reduce((acc, r) => acc + r.shortfall, 0n);
  const premiums = sum((r) => r.premium);
  const keeperTips = sum((r) => r.tips);
  const holdings = run.holdings();
  return {
    start: run.start,
    end: run.end,
    ticks,
    transactions: run.chain.transactions,
    vault: run.m.vault,
    insuredSize: run.c.insuredSize,
    barrier: run.c.settings.trigger.barrierPrice as bigint,
    series,
    samples,
    coverage: { averageBps: stats.averageBps, minBps: stats.minBps ?? 0n, coveredSecs: stats.coveredSecs, totalSecs: stats.totalSecs },
    totals: {
      premiums,
      escrowDeposited: sum((r) => r.escrowDeposited),
      released,
      keeperTips,
      reclaimed: sum((r) => r.reclaimed),
      dustSwept: sum((r) => r.dustSwept),
      shortfall,
      releasedVsShortfallBps: shortfall === 0n ? 0n : (released.total * 10_000n) / shortfall,
      writerPnl: sum(writerPnl),
      reserveFunded: run.reserveFunded,
      writerCapitalIn: run.writerCapitalIn,
      protocolNet: released.total - premiums - keeperTips,
    },
    conservation: { minted: run.minted, holdings, ok: holdingsTotal(holdings) === run.minted },
    events: run.events,
  };
}
