// Expiry settlement as the program decides it (`settle_series::decide`): the ladder of
// docs/DESIGN.md section 7, so a client knows before sending whether an update settles a
// series, only records a candidate, changes nothing, or whether to send no update at all.
import { SeriesStatus, SeriesStyle, SettlementSource, type Series, type Vault } from './generated/backstop/index';
import { priceBand, readReading, type OracleCheck } from './oracle';
import type { Address } from '@solana/kit';

/** After expiry, this long only the first update (or the earliest shown) can settle. */
export const SETTLEMENT_GRACE_SECS = 3_600n;
/** After expiry plus this, the update nearest to expiry however old, or the vault's last
 * observed price, settles: settlement always ends. */
export const SETTLEMENT_DEADLINE_SECS = 7n * 86_400n;

export interface SettlementQuote {
  /** PRICE_SCALE. */
  price: bigint;
  publishTime: bigint;
}

/** An update shown to `settle_series`: `narrow` when within the vault's confidence cap (then
 * `quote.price` is its price), else `quote.price` is `price + conf`. */
export interface ShownUpdate {
  quote: SettlementQuote;
  prevPublishTime: bigint;
  narrow: boolean;
}

export type SettlementOutcome =
  | { kind: 'final'; quote: SettlementQuote; source: SettlementSource }
  | { kind: 'candidate'; quote: SettlementQuote }
  /** The program's error name: the send would fail. */
  | { kind: 'refused'; reason: 'SeriesNotOpen' | 'SeriesNotExpired' | 'DeliveryWindowOpen' | 'SettlementPriceMissing' | 'OracleConfidenceTooWide' | 'SettlementPriceTooEarly' | 'SettlementPriceStale' };

/** Reads a price account as settlement does: identity failures throw (OracleError), a
 * non-positive price is no update (null), any publish time counts. */
export function shownUpdate(vault: Vault, owner: Address, data: Uint8Array): ShownUpdate | null {
  const check: OracleCheck = { receiver: vault.oracle.receiver, feedId: Uint8Array.from(vault.oracle.collateralFeed), maxConfBps: vault.oracle.maxConfBps };
  const r = readReading(owner, data, check);
  if (r.kind === 'none') return null;
  return { quote: { price: priceBand(r.price, r.wide)[1], publishTime: r.price.publishTime }, prevPublishTime: r.price.prevPublishTime, narrow: !r.wide };
}

const distance = (q: SettlementQuote, expiry: bigint) => (q.publishTime > expiry ? q.publishTime - expiry : expiry - q.publishTime);

/** What `settle_series` at `now` would do with `shown` (null: no update passed, or one that
 * says nothing). */
export function decideSettlement(vault: Vault, series: Series, now: bigint, shown: ShownUpdate | null): SettlementOutcome {
  const expiry = series.expiry;
  if (series.status !== SeriesStatus.Open) return { kind: 'refused', reason: 'SeriesNotOpen' };
  if (now < expiry) return { kind: 'refused', reason: 'SeriesNotExpired' };
  if (series.style === SeriesStyle.PhysicalDelivery) {
    // No price: what was not delivered by the end of the grace hour is not exercised.
    if (now < expiry + SETTLEMENT_GRACE_SECS) return { kind: 'refused', reason: 'DeliveryWindowOpen' };
    return { kind: 'final', quote: { price: 0n, publishTime: 0n }, source: SettlementSource.None };
  }
  const candidate = series.settlementPublishTime !== 0n ? { price: series.settlementPrice, publishTime: series.settlementPublishTime } : null;
  if (now >= expiry + SETTLEMENT_DEADLINE_SECS) {
    const lastObserved = vault.lastPrice.publishTime !== 0n ? vault.lastPrice : null;
    const options: [SettlementQuote | null, SettlementSource][] = [
      [shown?.quote ?? null, SettlementSource.NearestAfterDeadline],
      [candidate, SettlementSource.EarliestShown],
      [lastObserved, SettlementSource.LastObserved],
    ];
    let best: { quote: SettlementQuote; source: SettlementSource } | null = null;
    for (const [quote, source] of options) {
      if (quote && (!best || distance(quote, expiry) < distance(best.quote, expiry))) best = { quote, source };
    }
    if (best) return { kind: 'final', ...best };
    // Nothing was ever priced: only a series nobody wrote, which owes nothing at any price.
    if (series.writtenSize === 0n) return { kind: 'final', quote: { price: 0n, publishTime: 0n }, source: SettlementSource.LastObserved };
    return { kind: 'refused', reason: 'SettlementPriceMissing' };
  }
  const graceOver = now >= expiry + SETTLEMENT_GRACE_SECS;
  if (graceOver && candidate) return { kind: 'final', quote: candidate, source: SettlementSource.EarliestShown };
  if (!shown) return { kind: 'refused', reason: 'SettlementPriceMissing' };
  if (!shown.narrow) return { kind: 'refused', reason: 'OracleConfidenceTooWide' };
  const q = shown.quote;
  if (q.publishTime < expiry) return { kind: 'refused', reason: 'SettlementPriceTooEarly' };
  if (shown.prevPublishTime < expiry) return { kind: 'final', quote: q, source: SettlementSource.FirstUpdate };
  if (!graceOver) return { kind: 'candidate', quote: !candidate || q.publishTime < candidate.publishTime ? q : candidate };
  if (q.publishTime < now - BigInt(vault.oracle.maxAgeSecs)) return { kind: 'refused', reason: 'SettlementPriceStale' };
  return { kind: 'final', quote: q, source: SettlementSource.FreshAfterGrace };
}

/** Whether sending `settle_series` with this outcome changes the chain (a final price, or a
 * candidate earlier than the recorded one). */
export function settlementChangesSomething(series: Series, outcome: SettlementOutcome): boolean {
  if (outcome.kind === 'final') return true;
  if (outcome.kind === 'refused') return false;
  return outcome.quote.publishTime !== series.settlementPublishTime || outcome.quote.price !== series.settlementPrice;
}
