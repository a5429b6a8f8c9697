// The release-step mirror without a validator: the held-price window (the program's
// `state::price_window` unit tests, replayed), the step grid, the ratchet, the epoch cap and the
// tip rule of `trigger::plan_step`, and the ratchet's promise over random price paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SeriesStatus,
  applyStep,
  breachActive,
  breachConfirmed,
  bucketSecsFor,
  floorDiv,
  heldPrice,
  nextStepAt,
  planStep,
  recordPrice,
  releaseCapLeft,
  stepAllowed,
  stillOwedAt,
  windowHigh,
  type PriceWindow,
  type Series,
  type Vault,
} from '../src/index';
import { USDC, testSeries, testVault, usd } from './accounts';

const SPAN = 160n; // buckets of 20 s
const empty = (): PriceWindow => ({ bucketSecs: 0, padding: new Uint8Array(4), buckets: Array.from({ length: 10 }, () => ({ index: 0n, high: 0n })) });
const record = (w: PriceWindow, ...points: [bigint, bigint][]) => points.reduce((acc, [t, p]) => recordPrice(acc, t, p, SPAN), w);

test('the window high covers the span and forgets older buckets', () => {
  let w = record(empty(), [1_000n, 90n], [1_050n, 70n], [1_100n, 60n]);
  assert.equal(windowHigh(w, 1_100n, SPAN), 90n);
  // 1_000 is in bucket 50, the window at 1_180 starts in bucket 51.
  w = record(w, [1_180n, 55n]);
  assert.equal(windowHigh(w, 1_180n, SPAN), 70n);
  assert.equal(windowHigh(w, 1_250n, SPAN), 60n);
  assert.equal(windowHigh(w, 1_340n, SPAN), 55n);
  assert.equal(windowHigh(w, 1_400n, SPAN), null);
});

test('a single low update cannot lower the high; a reused slot is not an old bucket', () => {
  assert.equal(windowHigh(record(empty(), [2_000n, 95n], [2_001n, 1n]), 2_001n, SPAN), 95n);
  const w = record(empty(), [0n, 500n], [200n, 10n]); // buckets 0 and 10 share slot 0
  assert.equal(windowHigh(w, 200n, SPAN), 10n);
  assert.equal(windowHigh(w, 20n, SPAN), null);
});

test('a new span empties the ring', () => {
  const w = record(empty(), [1_000n, 90n]);
  assert.equal(windowHigh(w, 1_000n, 2n * SPAN), null);
  const wider = recordPrice(w, 1_001n, 80n, 2n * SPAN);
  assert.equal(windowHigh(wider, 1_001n, 2n * SPAN), 80n);
  assert.equal(windowHigh(wider, 1_001n, SPAN), null);
});

test('floor division and bucket widths match the program', () => {
  for (const t of [-41n, -40n, -39n, -1n, 0n, 1n, 39n, 40n, 41n]) {
    for (const w of [1n, 2n, 7n, 20n]) {
      const expected = BigInt(Math.floor(Number(t) / Number(w)));
      assert.equal(floorDiv(t, w), expected, `${t} / ${w}`);
    }
  }
  assert.deepEqual([0n, 8n, 9n, 180n, 1n << 62n].map(bucketSecsFor), [1n, 1n, 2n, 23n, 0xffff_ffffn]);
});

test('the held price is the window high anchored at the last breached observation', () => {
  // persistence 60, max age 60: span 180, buckets of 23 s.
  let v = testVault();
  for (const [t, p] of [[10_000n, 89n], [10_061n, 89n], [10_150n, 60n]] as const) {
    v = { ...v, window: recordPrice(v.window, t, usd(p), 180n) };
  }
  v = { ...v, breach: { ...v.breach, firstSeen: 10_000n, confirmedAt: 10_061n, lastObserved: 10_150n, lastBreached: 10_150n } };
  assert.equal(heldPrice(v), usd(89n), '$89 held within the window: a deeper price must hold first');
  for (const t of [10_250n, 10_350n]) v = { ...v, window: recordPrice(v.window, t, usd(60n), 180n) };
  v = { ...v, breach: { ...v.breach, lastObserved: 10_350n, lastBreached: 10_350n } };
  assert.equal(heldPrice(v), usd(60n), 'the $89 buckets left the window');
});

test('a breach is active until persistence + max age passes without a breached observation', () => {
  const v = testVault({ breach: { ...testVault().breach, firstSeen: 100n, confirmedAt: 160n, lastBreached: 200n } });
  assert.ok(breachActive(v, 320n) && breachConfirmed(v, 320n));
  assert.ok(!breachActive(v, 321n) && !breachConfirmed(v, 321n));
  assert.ok(!breachActive(testVault(), 0n), 'healthy');
});

test('one step per slot of the fixed grid, whoever cranks and whenever', () => {
  assert.ok(stepAllowed(0n, 60, 5n), 'never stepped');
  assert.ok(!stepAllowed(100n, 60, 119n), 'the same slot [60, 120)');
  assert.ok(stepAllowed(119n, 60, 120n), 'the next slot opens at 120');
  const v = testVault();
  assert.equal(nextStepAt(v, testSeries({ lastStepAt: 0n })), 0n);
  assert.equal(nextStepAt(v, testSeries({ lastStepAt: 119n })), 120n);
  assert.equal(nextStepAt(v, testSeries({ lastStepAt: 120n })), 180n);
});

/** A vault with a confirmed breach that held at `held` dollars at time `t`. */
function breachedAt(held: bigint, t: bigint, o: Partial<Vault> = {}): Vault {
  const v = testVault(o);
  return {
    ...v,
    window: recordPrice(v.window, t, usd(held), 180n),
    breach: { ...v.breach, firstSeen: t - 60n, firstSeenClock: t - 60n, confirmedAt: t, lastObserved: t, lastBreached: t },
  };
}

test('a step pays the increase over the advances, within the cap, and tips only a big enough step', () => {
  const t = 50_000n;
  const series = testSeries({ expiry: t + 86_400n });
  const reserve = 1_000n * USDC;
  // $89 held on a $100 strike: $11 x 100 SOL owed.
  const first = planStep(breachedAt(89n, t), series, t, { reserveBalance: reserve });
  assert.deepEqual(first, { ok: true, step: { heldPrice: usd(89n), owed: 1_100n * USDC, payout: 1_100n * USDC, tip: 5n * USDC } });
  const after = applyStep(breachedAt(89n, t), series, first.ok ? first.step : (undefined as never), t);
  assert.equal(after.series.advanced, 1_100n * USDC);
  assert.equal(after.series.lastStepAt, t);
  // The same held price again, in the next slot: nothing more is owed.
  assert.deepEqual(planStep({ ...after.vault, breach: { ...after.vault.breach, lastObserved: t + 60n, lastBreached: t + 60n } }, after.series, t + 60n), { ok: false, refusal: 'NothingToRelease' });
  // Deeper ($88): only the increase, $100, is paid, which just earns the tip.
  const deeper = planStep(breachedAt(88n, t + 120n), { ...after.series }, t + 120n, { reserveBalance: reserve });
  assert.ok(deeper.ok);
  assert.equal(deeper.step.payout, 1_200n * USDC - 1_100n * USDC);
  assert.equal(deeper.step.tip, 5n * USDC, '$100 released: exactly the tip threshold');
  const shallower = planStep(breachedAt(88n, t + 120n), { ...after.series, advanced: 1_150n * USDC }, t + 120n, { reserveBalance: reserve });
  assert.ok(shallower.ok);
  assert.deepEqual([shallower.step.payout, shallower.step.tip], [50n * USDC, 0n], 'a $50 step earns no tip');
  // The protocol's own crank never earns one; an empty uncommitted reserve pays none.
  const own = planStep(breachedAt(89n, t), series, t, { byReporter: true, reserveBalance: reserve });
  assert.ok(own.ok && own.step.tip === 0n);
  const poor = planStep(breachedAt(89n, t, { totals: { ...testVault().totals, committedPremium: reserve } }), series, t, { reserveBalance: reserve });
  assert.ok(poor.ok && poor.step.tip === 0n);
  // The cap: $400 left of this epoch.
  const capped = breachedAt(89n, t, { epochStart: t - 10n, releasedInEpoch: 1_000_000n * USDC - 400n * USDC });
  assert.equal(releaseCapLeft(capped, t), 400n * USDC);
  const c = planStep(capped, series, t, { reserveBalance: reserve });
  assert.ok(c.ok && c.step.payout === 400n * USDC);
  assert.deepEqual(planStep({ ...capped, releasedInEpoch: 1_000_000n * USDC }, series, t), { ok: false, refusal: 'ReleaseCapReached' });
  assert.equal(releaseCapLeft(capped, t - 10n + 3_600n), 1_000_000n * USDC, 'a new epoch has the whole cap');
});

test('step refusals come in the program order', () => {
  const t = 50_000n;
  const series = testSeries({ expiry: t + 86_400n });
  const refusal = (v: Vault, s: Series, now = t) => {
    const p = planStep(v, s, now);
    return p.ok ? 'ok' : p.refusal;
  };
  assert.equal(refusal(breachedAt(89n, t), { ...series, status: SeriesStatus.Settled }), 'SeriesNotOpen');
  assert.equal(refusal(breachedAt(89n, t), { ...series, expiry: t }), 'SeriesExpired');
  assert.equal(refusal(testVault(), series), 'BreachNotConfirmed');
  assert.equal(refusal(breachedAt(89n, t), series, t + 121n), 'BreachNotConfirmed', 'expired: not re-observed');
  assert.equal(refusal(breachedAt(89n, t), { ...series, lastStepAt: t - 60n }, t), 'ok', 'the previous slot');
  assert.equal(refusal(breachedAt(89n, t + 10n), { ...series, lastStepAt: t + 1n }, t + 10n), 'ReleaseIntervalNotElapsed');
  assert.equal(refusal({ ...breachedAt(89n, t), window: testVault().window }, series), 'NoHeldPrice');
  assert.equal(refusal(breachedAt(100n, t), series), 'NotInTheMoney');
});

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

test('the ratchet: no crank schedule lowers the receipt; uncapped it is max(steps, expiry)', () => {
  const random = rng(13);
  for (let run = 0; run < 2_000; run++) {
    // Held prices a step may see, then the expiry price; cranks on a random subset of slots.
    const held = Array.from({ length: 1 + Math.floor(random() * 8) }, () => BigInt(40 + Math.floor(random() * 80)));
    const expiryPrice = BigInt(30 + Math.floor(random() * 100));
    let series = testSeries({ expiry: 10n ** 9n });
    let vault = testVault();
    let best = 0n;
    held.forEach((h, i) => {
      if (random() < 0.4) return; // nobody cranked this slot
      const t = 100_000n + 60n * BigInt(i);
      const plan = planStep(breachedAt(h, t, { epochStart: vault.epochStart, releasedInEpoch: vault.releasedInEpoch }), series, t);
      if (!plan.ok) return;
      ({ vault, series } = applyStep(vault, series, plan.step, t));
      best = plan.step.owed > best ? plan.step.owed : best;
    });
    const atExpiry = stillOwedAt(vault, series, usd(expiryPrice));
    const receipt = series.advanced + atExpiry;
    const noCrank = stillOwedAt(vault, testSeries(), usd(expiryPrice));
    const owedAtExpiry = noCrank;
    assert.ok(receipt >= noCrank, `run ${run}: ${receipt} < ${noCrank}`);
    assert.equal(receipt, best > owedAtExpiry ? best : owedAtExpiry, `run ${run}`);
    assert.ok(receipt <= 10_000n * USDC, 'never more than K x size');
  }
});
