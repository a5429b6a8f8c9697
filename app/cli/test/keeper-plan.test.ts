// The keeper's decisions from account data, without a validator: which release steps it sends
// (sharing the epoch cap, tipped or not), when an observation is worth a transaction instead,
// and how it settles by the ladder (with or without the price account).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { address, type Address } from '@solana/kit';
import { SETTLEMENT_DEADLINE_SECS, SETTLEMENT_GRACE_SECS, SeriesStyle, SettlementSource, recordPrice, type Reading, type Series, type SeriesView, type Vault } from '@backstop/sdk';
import { planSettlements, planVault } from '../src/keeper-plan';
import { SOL, USDC, testSeries, testVault, usd } from '../../sdk/test/accounts';

const KEEPER = address('11111111111111111111111111111112');
const T = 100_000n;
const names = ['Series1111111111111111111111111111111111111', 'Series2222222222222222222222222222222222222', 'Series3333333333333333333333333333333333333'];
const view = (i: number, data: Series): SeriesView => ({ address: names[i] as Address, data, settled: false, advanced: data.advanced, escrowHeld: 0n });
const at = (dollars: bigint, publishTime: bigint): Reading => ({
  kind: 'price', price: { price: usd(dollars), conf: 0n, publishTime, prevPublishTime: publishTime - 1n }, wide: false,
});

/** A breach first seen at T - 61 at `dollars` (pending; the next breached update confirms it). */
function pendingAt(dollars: bigint, o: Partial<Vault> = {}): Vault {
  const v = testVault(o);
  return {
    ...v,
    window: recordPrice(v.window, T - 61n, usd(dollars), 180n),
    breach: { ...v.breach, firstSeen: T - 61n, firstSeenClock: T - 61n, lastObserved: T - 61n, lastBreached: T - 61n },
  };
}

const inputs = (vault: Vault, series: SeriesView[], collateral: Reading) =>
  ({ vault, series, collateral, now: T, keeper: KEEPER, reserveBalance: 1_000n * USDC });

test('a healthy price asks for nothing; a first breached one for an observation', () => {
  const series = [view(0, testSeries({ expiry: T + 86_400n }))];
  assert.deepEqual(planVault(inputs(testVault(), series, at(150n, T))), { steps: [], observe: null, refusals: new Map([['BreachNotConfirmed', [names[0]]]]) });
  assert.equal(planVault(inputs(testVault(), series, at(89n, T))).observe, 'breach seen: barrier');
});

test('the confirming update carries steps on every series in the money, sharing the cap', () => {
  const series = [
    view(0, testSeries({ strike: 100n * USDC, expiry: T + 86_400n })), // $11 x 100 SOL at $89
    view(1, testSeries({ strike: 95n * USDC, expiry: T + 86_400n })), // $6 x 100 SOL
    view(2, testSeries({ strike: 80n * USDC, expiry: T + 86_400n })), // out of the money
  ];
  // $1,500 of cap left: the first step takes $1,100, the second the remaining $400.
  const v = pendingAt(89n, { epochStart: T - 10n, releasedInEpoch: 1_000_000n * USDC - 1_500n * USDC });
  const plan = planVault(inputs(v, series, at(89n, T)));
  assert.deepEqual(plan.steps.map((s) => [s.series, s.step.payout, s.step.tip]), [[names[0], 1_100n * USDC, 5n * USDC], [names[1], 400n * USDC, 5n * USDC]]);
  assert.equal(plan.observe, null, 'the steps observe the update themselves');
  assert.deepEqual(plan.refusals.get('NotInTheMoney'), [names[2]]);
  // With the cap gone, nothing is sent but the observation that confirms the breach.
  const spent = planVault(inputs({ ...v, releasedInEpoch: 1_000_000n * USDC }, series, at(89n, T)));
  assert.deepEqual([spent.steps, spent.observe], [[], 'breach confirmed: barrier']);
  assert.deepEqual(spent.refusals.get('ReleaseCapReached'), [names[0], names[1]]);
});

test('a confirmed breach with nothing more owed is only re-observed; a stale update still steps', () => {
  const advanced = testSeries({ expiry: T + 86_400n, advanced: 1_100n * USDC, lastStepAt: T - 120n });
  const confirmed = { ...pendingAt(89n), breach: { ...pendingAt(89n).breach, confirmedAt: T - 1n, lastObserved: T - 1n, lastBreached: T - 1n } };
  const holds = planVault(inputs(confirmed, [view(0, advanced)], at(70n, T)));
  assert.deepEqual([holds.steps, holds.observe], [[], 'breach holds: barrier'], '$89 still held in the window');
  assert.deepEqual(holds.refusals.get('NothingToRelease'), [names[0]]);
  // A stale feed says nothing, but the confirmed breach still steps at the price that held.
  const fresh = testSeries({ expiry: T + 86_400n });
  const stale = planVault(inputs(confirmed, [view(0, fresh)], { kind: 'none' }));
  assert.deepEqual(stale.steps.map((s) => s.step.payout), [1_100n * USDC]);
  // The protocol's own keeper earns no tip.
  const own = planVault({ ...inputs({ ...confirmed, reporter: KEEPER }, [view(0, fresh)], { kind: 'none' }) });
  assert.equal(own.steps[0]!.step.tip, 0n);
});

test('settlement: the first update settles; without a usable account it waits until the deadline', () => {
  const expiry = T;
  const series = [view(0, testSeries({ expiry, writtenSize: 100n * SOL }))];
  const first = { quote: { price: usd(90n), publishTime: expiry + 1n }, prevPublishTime: expiry - 1n, narrow: true };
  const settled = planSettlements(testVault(), series, expiry + 5n, first, true);
  assert.deepEqual(settled.send.map((p) => [p.outcome.kind, p.withPriceAccount]), [['final', true]]);
  const gone = planSettlements(testVault(), series, expiry + 5n, null, false);
  assert.deepEqual([gone.send, gone.waiting], [[], [{ series: names[0], reason: 'SettlementPriceMissing' }]]);
  const observed = testVault({ lastPrice: { price: usd(75n), publishTime: expiry - 30n } });
  const late = planSettlements(observed, series, expiry + SETTLEMENT_DEADLINE_SECS, null, false);
  assert.equal(late.send.length, 1);
  assert.equal(late.send[0]!.withPriceAccount, false, 'no account: the last observed price settles');
  assert.deepEqual(late.send[0]!.outcome, { kind: 'final', quote: { price: usd(75n), publishTime: expiry - 30n }, source: SettlementSource.LastObserved });
});

test('a physical series is never cranked, and settles without a price once its delivery window closes', () => {
  const physical = testSeries({ strike: 100n * USDC, expiry: T + 86_400n, style: SeriesStyle.PhysicalDelivery });
  const cash = testSeries({ strike: 95n * USDC, expiry: T + 86_400n });
  // In the money at the confirming $89: only the cash series steps; the physical one waits for
  // its holder's delivery, with no refusal noted against it.
  const plan = planVault(inputs(pendingAt(89n), [view(0, physical), view(1, cash)], at(89n, T)));
  assert.deepEqual(plan.steps.map((s) => s.series), [names[1]]);
  assert.deepEqual([...plan.refusals.values()].flat(), []);
  // After expiry: waits through the grace hour, then settles with no price at all.
  const expired = testSeries({ expiry: T - 10n, style: SeriesStyle.PhysicalDelivery });
  const waiting = planSettlements(testVault(), [view(0, expired)], T, null, false);
  assert.deepEqual([waiting.send, waiting.waiting.map((w) => w.reason)], [[], ['DeliveryWindowOpen']]);
  const after = planSettlements(testVault(), [view(0, expired)], T - 10n + SETTLEMENT_GRACE_SECS, null, false);
  assert.deepEqual(after.send.map((p) => [p.outcome.kind, p.withPriceAccount]), [['final', false]]);
});
