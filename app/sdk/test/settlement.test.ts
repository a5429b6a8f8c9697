// The settlement ladder mirror without a validator: the program's `settle_series::decide` unit
// tests, replayed on `decideSettlement`, and the no-op detection the keeper relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PYTH_RECEIVER_ADDRESS,
  SETTLEMENT_DEADLINE_SECS,
  SETTLEMENT_GRACE_SECS,
  SeriesStatus,
  SettlementSource,
  decideSettlement,
  encodePriceUpdateV2,
  settlementChangesSomething,
  shownUpdate,
  type Series,
  type ShownUpdate,
} from '../src/index';
import { testSeries, testVault } from './accounts';

const T = 1_000_000n;
const q = (price: bigint, publishTime: bigint) => ({ price, publishTime });
const shown = (price: bigint, publishTime: bigint, prev: bigint, narrow: boolean): ShownUpdate => ({ quote: q(price, publishTime), prevPublishTime: prev, narrow });
const series = (o: Partial<Series> = {}) => testSeries({ expiry: T, writtenSize: 1n, ...o });
const withCandidate = (c: { price: bigint; publishTime: bigint }) => series({ settlementPrice: c.price, settlementPublishTime: c.publishTime });
const vault = testVault(); // max age 60 s

test('rungs one and two: the first update settles, then only an earlier one replaces a candidate', () => {
  assert.deepEqual(decideSettlement(vault, series(), T - 1n, shown(5n, T, T - 1n, true)), { kind: 'refused', reason: 'SeriesNotExpired' });
  assert.deepEqual(decideSettlement(vault, series(), T + 5n, shown(5n, T + 2n, T - 1n, true)),
    { kind: 'final', quote: q(5n, T + 2n), source: SettlementSource.FirstUpdate });
  assert.deepEqual(decideSettlement(vault, series(), T + 100n, shown(7n, T + 50n, T + 40n, true)), { kind: 'candidate', quote: q(7n, T + 50n) });
  const s = withCandidate(q(7n, T + 50n));
  const later = decideSettlement(vault, s, T + 100n, shown(9n, T + 90n, T + 80n, true));
  assert.deepEqual(later, { kind: 'candidate', quote: q(7n, T + 50n) });
  assert.equal(settlementChangesSomething(s, later), false, 'a later update changes nothing');
  const earlier = decideSettlement(vault, s, T + 100n, shown(6n, T + 20n, T + 10n, true));
  assert.deepEqual(earlier, { kind: 'candidate', quote: q(6n, T + 20n) });
  assert.equal(settlementChangesSomething(s, earlier), true);
  assert.deepEqual(decideSettlement(vault, s, T + 100n, shown(6n, T + 20n, T + 10n, false)), { kind: 'refused', reason: 'OracleConfidenceTooWide' });
  assert.deepEqual(decideSettlement(vault, s, T + 100n, null), { kind: 'refused', reason: 'SettlementPriceMissing' });
  assert.deepEqual(decideSettlement(vault, s, T + 100n, shown(6n, T - 20n, T - 30n, true)), { kind: 'refused', reason: 'SettlementPriceTooEarly' });
  assert.deepEqual(decideSettlement(vault, series({ status: SeriesStatus.Settled }), T + 5n, null), { kind: 'refused', reason: 'SeriesNotOpen' });
});

test('rung three: after the grace the candidate is final, else a fresh update', () => {
  const now = T + SETTLEMENT_GRACE_SECS;
  assert.deepEqual(decideSettlement(vault, series(), now, shown(8n, now - 10n, now - 20n, true)),
    { kind: 'final', quote: q(8n, now - 10n), source: SettlementSource.FreshAfterGrace });
  assert.deepEqual(decideSettlement(vault, series(), now, shown(8n, now - 61n, now - 70n, true)), { kind: 'refused', reason: 'SettlementPriceStale' });
  assert.deepEqual(decideSettlement(vault, withCandidate(q(7n, T + 50n)), now, null),
    { kind: 'final', quote: q(7n, T + 50n), source: SettlementSource.EarliestShown });
});

test('rung four: after the deadline settlement always ends, at the nearest price to expiry', () => {
  const now = T + SETTLEMENT_DEADLINE_SECS;
  assert.deepEqual(decideSettlement(vault, series(), now, null), { kind: 'refused', reason: 'SettlementPriceMissing' });
  assert.deepEqual(decideSettlement(vault, series({ writtenSize: 0n }), now, null),
    { kind: 'final', quote: q(0n, 0n), source: SettlementSource.LastObserved });
  const observed = { ...vault, lastPrice: q(40n, T - 30n) };
  assert.deepEqual(decideSettlement(observed, series(), now, null), { kind: 'final', quote: q(40n, T - 30n), source: SettlementSource.LastObserved });
  assert.deepEqual(decideSettlement(observed, series(), now, shown(44n, T + 10n, T - 5n, false)),
    { kind: 'final', quote: q(44n, T + 10n), source: SettlementSource.NearestAfterDeadline });
  assert.deepEqual(decideSettlement(observed, series(), now, shown(90n, T - 86_400n, T - 86_401n, true)),
    { kind: 'final', quote: q(40n, T - 30n), source: SettlementSource.LastObserved });
  assert.deepEqual(decideSettlement(observed, withCandidate(q(41n, T + 5n)), now, shown(44n, T + 10n, T - 5n, true)),
    { kind: 'final', quote: q(41n, T + 5n), source: SettlementSource.EarliestShown });
});

test('settlement reads a wide update at price + conf and a non-positive one as none', () => {
  const feed = Uint8Array.from(vault.oracle.collateralFeed);
  const v = { ...vault, oracle: { ...vault.oracle, receiver: PYTH_RECEIVER_ADDRESS } };
  const data = (price: bigint, conf: bigint) => encodePriceUpdateV2({ feedId: feed, price, conf, exponent: -8, publishTime: 5n });
  assert.deepEqual(shownUpdate(v, PYTH_RECEIVER_ADDRESS, data(10_000_000_000n, 1_000_000_000n)),
    { quote: q(110n * 10n ** 12n, 5n), prevPublishTime: 4n, narrow: false });
  assert.equal(shownUpdate(v, PYTH_RECEIVER_ADDRESS, data(0n, 0n)), null);
  assert.equal(shownUpdate(v, PYTH_RECEIVER_ADDRESS, data(10_000_000_000n, 0n))?.narrow, true);
});
