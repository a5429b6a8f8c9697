// Release steps, integer for integer with the program (`state/price_window.rs`,
// `instructions/trigger.rs`): the held-price window, the breach's life, the step grid, the
// epoch cap, the ratchet and the keeper tip. docs/DESIGN.md sections 5 and 6.
import { SeriesStatus, SeriesStyle, type PriceWindow, type Series, type Vault } from './generated/backstop/index';
import { intrinsicFor, strikeToPrice } from './units';

/** Buckets in the vault's ring, and buckets a window's span is cut into. */
export const WINDOW_BUCKETS = 10;
export const WINDOW_SPAN_BUCKETS = 8n;
const U32_MAX = 0xffff_ffffn;

/** `floor(t / width)` (width at least 1): Euclidean division, also for negative times. */
export function floorDiv(t: bigint, width: bigint): bigint {
  const w = width < 1n ? 1n : width;
  const q = t / w;
  return t < 0n && q * w !== t ? q - 1n : q;
}

/** Bucket width for a window of `spanSecs`: `ceil(span / 8)`, at least 1 s, at most u32::MAX. */
export function bucketSecsFor(spanSecs: bigint): bigint {
  const span = spanSecs < 1n ? 1n : spanSecs;
  const width = (span + WINDOW_SPAN_BUCKETS - 1n) / WINDOW_SPAN_BUCKETS;
  return width > U32_MAX ? U32_MAX : width;
}

const slotOf = (index: bigint) => Number(((index % 10n) + 10n) % 10n);

/** `window` after recording `price` published at `publishTime` (a new span empties the ring). */
export function recordPrice(window: PriceWindow, publishTime: bigint, price: bigint, spanSecs: bigint): PriceWindow {
  const width = bucketSecsFor(spanSecs);
  const buckets = BigInt(window.bucketSecs) === width ? [...window.buckets] : Array.from({ length: WINDOW_BUCKETS }, () => ({ index: 0n, high: 0n }));
  const index = floorDiv(publishTime, width);
  const slot = slotOf(index);
  const b = buckets[slot]!;
  buckets[slot] = b.high === 0n || b.index !== index ? { index, high: price } : { index, high: b.high > price ? b.high : price };
  return { bucketSecs: Number(width), padding: window.padding, buckets };
}

/** Highest price recorded over `[anchor - span, anchor]` (whole buckets), or null. */
export function windowHigh(window: PriceWindow, anchor: bigint, spanSecs: bigint): bigint | null {
  const width = bucketSecsFor(spanSecs);
  if (BigInt(window.bucketSecs) !== width) return null;
  let high: bigint | null = null;
  for (let index = floorDiv(anchor - spanSecs, width); index <= floorDiv(anchor, width); index++) {
    const b = window.buckets[slotOf(index)];
    if (b && b.high > 0n && b.index === index && (high === null || b.high > high)) high = b.high;
  }
  return high;
}

/** Span of the held-price window: `2 x persistence + max_age`. */
export const heldSpan = (vault: Vault) => 2n * BigInt(vault.trigger.persistenceSecs) + BigInt(vault.oracle.maxAgeSecs);

/** The price the current breach held at: the highest recorded over the window ending at the
 * latest observation (null when nothing was recorded there). */
export const heldPrice = (vault: Vault) => windowHigh(vault.window, vault.breach.lastObserved, heldSpan(vault));

/** Longest gap between breached observations that keeps a breach going: persistence + max age. */
export const breachMaxGap = (vault: Vault) => BigInt(vault.trigger.persistenceSecs) + BigInt(vault.oracle.maxAgeSecs);

/** A breach is pending or confirmed and was re-observed recently enough to count at `now`. */
export const breachActive = (vault: Vault, now: bigint) =>
  vault.breach.firstSeen !== 0n && now - vault.breach.lastBreached <= breachMaxGap(vault);

/** A confirmed breach that has not expired at `now`. */
export const breachConfirmed = (vault: Vault, now: bigint) => breachActive(vault, now) && vault.breach.confirmedAt !== 0n;

/** Whether a series that last stepped at `lastStepAt` (0 = never) may step at `now`: one step
 * per slot of the fixed grid `floor(now / interval)`. */
export function stepAllowed(lastStepAt: bigint, intervalSecs: number, now: bigint): boolean {
  const w = BigInt(intervalSecs);
  return lastStepAt === 0n || floorDiv(now, w) > floorDiv(lastStepAt, w);
}

/** When the series may step next: the start of the grid slot after its last step (0 = now). */
export function nextStepAt(vault: Vault, series: Series): bigint {
  if (series.lastStepAt === 0n) return 0n;
  const w = BigInt(vault.release.releaseIntervalSecs);
  return (floorDiv(series.lastStepAt, w) + 1n) * w;
}

/** The release epoch in force at `now`: a new one (nothing released) once `epochSecs` passed. */
export function rollEpoch(vault: Vault, now: bigint): { epochStart: bigint; releasedInEpoch: bigint } {
  if (now >= vault.epochStart + BigInt(vault.release.epochSecs)) return { epochStart: now, releasedInEpoch: 0n };
  return { epochStart: vault.epochStart, releasedInEpoch: vault.releasedInEpoch };
}

/** What is left of the vault's release cap at `now` (a new epoch starts with the whole cap). */
export function releaseCapLeft(vault: Vault, now: bigint): bigint {
  const { releasedInEpoch } = rollEpoch(vault, now);
  return vault.release.capPerEpoch > releasedInEpoch ? vault.release.capPerEpoch - releasedInEpoch : 0n;
}

/** Intrinsic value of every written unit of the series at `price` (PRICE_SCALE), rounded down. */
export function owedAt(vault: Vault, series: Series, price: bigint): bigint {
  const k = strikeToPrice(series.strike, vault.quoteDecimals);
  return intrinsicFor(k, price, series.writtenSize, vault.collateralDecimals, vault.quoteDecimals);
}

/** What settlement at `price` would still pay: `max(0, owed(price) - advanced)`. */
export function stillOwedAt(vault: Vault, series: Series, price: bigint): bigint {
  const owed = owedAt(vault, series, price);
  return owed > series.advanced ? owed - series.advanced : 0n;
}

/** The keeper's tip: the vault's setting, but never reserve promised to open series. */
export function keeperTip(vault: Vault, reserveBalance: bigint): bigint {
  const committed = vault.totals.committedPremium;
  const uncommitted = reserveBalance > committed ? reserveBalance - committed : 0n;
  const tip = vault.release.keeperTip;
  return tip < uncommitted ? tip : uncommitted;
}

/** Why the program would refuse a step (its error names, in its order). */
export type StepRefusal =
  | 'NotCashSeries'
  | 'SeriesNotOpen'
  | 'SeriesExpired'
  | 'BreachNotConfirmed'
  | 'ReleaseIntervalNotElapsed'
  | 'NoHeldPrice'
  | 'NotInTheMoney'
  | 'NothingToRelease'
  | 'ReleaseCapReached';

export interface Step {
  heldPrice: bigint;
  /** Intrinsic of every written unit at the held price. */
  owed: bigint;
  /** Moved from the escrow to the recovery account: `min(cap left, owed - advanced)`. */
  payout: bigint;
  tip: bigint;
}

export type StepPlan = { ok: true; step: Step } | { ok: false; refusal: StepRefusal };

export interface StepContext {
  /** The caller is the vault's reporter (the protocol by CPI): no tip. */
  byReporter?: boolean;
  /** The reserve account's balance (for the tip); default: tips are not sized (0). */
  reserveBalance?: bigint;
}

/** What one `trigger` on `series` would do at `now`, given the vault as its observation leaves
 * it (`trigger::plan_step`). */
export function planStep(vault: Vault, series: Series, now: bigint, ctx: StepContext = {}): StepPlan {
  const refuse = (refusal: StepRefusal): StepPlan => ({ ok: false, refusal });
  // A physical series is exercised by delivery, never cranked.
  if (series.style !== SeriesStyle.CashRatchet) return refuse('NotCashSeries');
  if (series.status !== SeriesStatus.Open) return refuse('SeriesNotOpen');
  if (now >= series.expiry) return refuse('SeriesExpired');
  if (!breachConfirmed(vault, now)) return refuse('BreachNotConfirmed');
  if (!stepAllowed(series.lastStepAt, vault.release.releaseIntervalSecs, now)) return refuse('ReleaseIntervalNotElapsed');
  const held = heldPrice(vault);
  if (held === null) return refuse('NoHeldPrice');
  if (held >= strikeToPrice(series.strike, vault.quoteDecimals)) return refuse('NotInTheMoney');
  const owed = owedAt(vault, series, held);
  const increase = owed > series.advanced ? owed - series.advanced : 0n;
  if (increase === 0n) return refuse('NothingToRelease');
  const capLeft = releaseCapLeft(vault, now);
  if (capLeft === 0n) return refuse('ReleaseCapReached');
  const payout = increase < capLeft ? increase : capLeft;
  // A step too small to matter, or the protocol's own, earns no tip.
  const tip = ctx.byReporter || payout < vault.release.minTipRelease ? 0n : keeperTip(vault, ctx.reserveBalance ?? 0n);
  return { ok: true, step: { heldPrice: held, owed, payout, tip } };
}

/** The vault and series after a planned step lands (`trigger::apply_step`), for sizing the next
 * crank against the shared epoch cap. */
export function applyStep(vault: Vault, series: Series, step: Step, now: bigint): { vault: Vault; series: Series } {
  const epoch = rollEpoch(vault, now);
  return {
    vault: {
      ...vault,
      epochStart: epoch.epochStart,
      releasedInEpoch: epoch.releasedInEpoch + step.payout,
      totals: {
        ...vault.totals,
        released: vault.totals.released + step.payout,
        escrowed: vault.totals.escrowed - step.payout,
        tipsPaid: vault.totals.tipsPaid + step.tip,
      },
    },
    series: { ...series, advanced: series.advanced + step.payout, payoutTotal: series.payoutTotal + step.payout, lastStepAt: now },
  };
}
