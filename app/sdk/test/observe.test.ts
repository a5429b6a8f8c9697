// The observation mirror without a validator: the lenient oracle read, three-valued verdicts on
// price bands, the breach state machine (the program's `state::vault` unit tests, replayed) and
// what one observation does to a vault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BreachTransition,
  ObservationError,
  PYTH_RECEIVER_ADDRESS,
  encodePriceUpdateV2,
  heldPrice,
  observeBreachState,
  priceBand,
  readReading,
  simulateObservation,
  triggerVerdict,
  verdictAnd,
  verdictOr,
  type BreachState,
  type Reading,
  type Verdict,
} from '../src/index';
import { PRICE_ONE, testVault, usd } from './accounts';

const FEED = new Uint8Array(32).fill(7);
const check = { receiver: PYTH_RECEIVER_ADDRESS, feedId: FEED, maxConfBps: 200, now: 1_000n, maxAgeSecs: 60 };
const update = (o: Partial<Parameters<typeof encodePriceUpdateV2>[0]> = {}) =>
  encodePriceUpdateV2({ feedId: FEED, price: 15_000_000_000n, conf: 5_000_000n, exponent: -8, publishTime: 1_000n, ...o });

test('observations read a stale or non-positive update as no information and a wide one as a band', () => {
  assert.deepEqual(readReading(PYTH_RECEIVER_ADDRESS, update({ publishTime: 939n }), check), { kind: 'none' });
  assert.deepEqual(readReading(PYTH_RECEIVER_ADDRESS, update({ price: 0n }), check), { kind: 'none' });
  const wide = readReading(PYTH_RECEIVER_ADDRESS, update({ conf: 300_000_001n }), check);
  assert.equal(wide.kind, 'price');
  assert.ok(wide.kind === 'price' && wide.wide);
  assert.deepEqual(priceBand(wide.price, true), [wide.price.price - wide.price.conf, wide.price.price + wide.price.conf]);
  // Identity failures are still a wrong account, whatever the market says.
  assert.throws(() => readReading(PYTH_RECEIVER_ADDRESS, update({ feedId: new Uint8Array(32), publishTime: 1n }), check), /OracleWrongFeed/);
  assert.throws(() => readReading(PYTH_RECEIVER_ADDRESS, update({ exponent: 7, price: 0n }), check), /OracleExponentOutOfRange/);
});

test('Kleene logic and bands', () => {
  const all: Verdict[] = ['healthy', 'breached', 'unknown'];
  const or = all.map((a) => all.map((b) => verdictOr(a, b)));
  assert.deepEqual(or, [['healthy', 'breached', 'unknown'], ['breached', 'breached', 'breached'], ['unknown', 'breached', 'unknown']]);
  assert.equal(verdictAnd('unknown', 'healthy'), 'healthy');
  assert.equal(verdictAnd('unknown', 'breached'), 'unknown');
  assert.equal(verdictAnd('breached', 'breached'), 'breached');
  const v = testVault(); // barrier $90
  assert.equal(triggerVerdict(v, [usd(89n), usd(91n)], 0n, null), 'unknown', 'a band straddling the barrier');
  assert.equal(triggerVerdict(v, [usd(85n), usd(90n)], 0n, null), 'breached', 'breached at the top of the band');
  assert.equal(triggerVerdict(v, [usd(91n), usd(95n)], 0n, null), 'healthy');
  // The joint trigger with the stablecoin feed dark is undecided, never a revert.
  const joint = testVault({ trigger: { ...v.trigger, barrierPrice: 0n, jointCollateralPrice: usd(95n), depegPrice: PRICE_ONE * 98n / 100n } });
  assert.equal(triggerVerdict(joint, [usd(90n), usd(90n)], 0n, null), 'unknown');
  assert.equal(triggerVerdict(joint, [usd(100n), usd(100n)], 0n, null), 'healthy');
  assert.equal(triggerVerdict(joint, [usd(90n), usd(90n)], 0n, [PRICE_ONE * 97n / 100n, PRICE_ONE * 97n / 100n]), 'breached');
});

const P = 60;
const GAP = 120n;
const zero: BreachState = { firstSeen: 0n, firstSeenClock: 0n, confirmedAt: 0n, lastObserved: 0n, depegLastObserved: 0n, lastBreached: 0n };

/** Runs observations (publish time = clock) and returns the transitions and the final state. */
function run(points: [bigint, Verdict][], start = zero) {
  let b = start;
  const transitions = points.map(([t, verdict]) => {
    const r = observeBreachState(b, { publishTime: t, clock: t, verdict }, P, GAP);
    b = r.breach;
    return BreachTransition[r.transition];
  });
  return { transitions, b };
}

test('the breach state machine: spikes never confirm, persistence does, recovery clears', () => {
  assert.deepEqual(run([[100n, 'breached'], [130n, 'healthy'], [200n, 'breached'], [259n, 'breached']]).transitions,
    ['Started', 'Cleared', 'Started', 'StillPending']);
  const r = run([[100n, 'breached'], [160n, 'breached'], [170n, 'breached'], [180n, 'healthy'], [190n, 'healthy']]);
  assert.deepEqual(r.transitions, ['Started', 'Confirmed', 'StillConfirmed', 'Cleared', 'StillHealthy']);
  assert.deepEqual([r.b.firstSeen, r.b.confirmedAt, r.b.lastObserved], [0n, 0n, 190n]);
  // Spike, silence, spike starts over.
  assert.deepEqual(run([[100n, 'breached'], [86_500n, 'breached'], [86_560n, 'breached']]).transitions, ['Started', 'Started', 'Confirmed']);
  // Updates shown together never confirm: the cluster clock must move too.
  let b = observeBreachState(zero, { publishTime: 940n, clock: 1_000n, verdict: 'breached' }, P, GAP).breach;
  assert.equal(observeBreachState(b, { publishTime: 1_000n, clock: 1_000n, verdict: 'breached' }, P, GAP).transition, BreachTransition.StillPending);
  b = observeBreachState(b, { publishTime: 1_000n, clock: 1_000n, verdict: 'breached' }, P, GAP).breach;
  assert.equal(observeBreachState(b, { publishTime: 1_060n, clock: 1_060n, verdict: 'breached' }, P, GAP).transition, BreachTransition.Confirmed);
});

test('unknown observations neither start, confirm nor clear; an old breach expires', () => {
  const r = run([[50n, 'unknown'], [100n, 'breached'], [170n, 'unknown'], [180n, 'breached'], [250n, 'unknown'], [301n, 'unknown']]);
  assert.deepEqual(r.transitions, ['NoInformation', 'Started', 'NoInformation', 'Confirmed', 'NoInformation', 'Expired']);
  assert.deepEqual([r.b.firstSeen, r.b.confirmedAt], [0n, 0n]);
  const again = run([[100n, 'breached'], [160n, 'breached'], [400n, 'breached']]);
  assert.deepEqual(again.transitions, ['Started', 'Confirmed', 'Started']);
  assert.deepEqual([again.b.firstSeen, again.b.confirmedAt], [400n, 0n]);
});

const reading = (dollars: bigint, publishTime: bigint, o: { conf?: bigint; wide?: boolean } = {}): Reading => ({
  kind: 'price',
  price: { price: usd(dollars), conf: o.conf ?? 0n, publishTime, prevPublishTime: publishTime - 1n },
  wide: o.wide ?? false,
});

test('an observation records the window and the last price and moves the breach', () => {
  let v = testVault();
  const seen = simulateObservation(v, reading(89n, 10_000n), undefined, 10_000n);
  assert.equal(seen.transition, BreachTransition.Started);
  assert.equal(seen.recorded, usd(89n));
  assert.deepEqual(seen.vault.lastPrice, { price: usd(89n), publishTime: 10_000n });
  v = seen.vault;
  // A wide update records the top of its band: $85 ± $6 records $91 and straddles the barrier.
  const wide = simulateObservation(v, reading(85n, 10_030n, { conf: usd(6n), wide: true }), undefined, 10_030n);
  assert.equal(wide.transition, BreachTransition.NoInformation);
  assert.equal(wide.recorded, usd(91n));
  v = simulateObservation(wide.vault, reading(88n, 10_061n), undefined, 10_061n).vault;
  assert.notEqual(v.breach.confirmedAt, 0n);
  assert.equal(heldPrice(v), usd(91n), 'the wide update raised the held price');
  // A stale collateral update changes nothing at all; an older one is refused.
  const stale = simulateObservation(v, { kind: 'none' }, undefined, 10_100n);
  assert.equal(stale.vault, v);
  assert.equal(stale.transition, BreachTransition.NoInformation);
  assert.throws(() => simulateObservation(v, reading(88n, 10_060n), undefined, 10_100n), ObservationError);
});
