// try_release and release_status through the SDK on the local validator: before a breach is
// confirmed both say NotConfirmed and nothing moves (the call still succeeds); once confirmed the
// view's payout is what the send pays into the recovery account; a second call in the same slot
// of the release grid says IntervalNotElapsed. The send fits the SDK's compute-unit limit.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  MEASURED_COMPUTE_UNITS,
  ReleaseStatus,
  observeBreach,
  releaseStatus,
  tryRelease,
  writePut,
} from '../app/sdk/src/index';
import { SOL, SOL_FEED, createFixture, fundWriter, type Fixture } from '../migrations/lib/backstop-fixture';
import { deployer, rpc, rpcSubscriptions } from './support/localnet';
import { net } from './support/net';

const connection = { rpc, rpcSubscriptions };
let f: Fixture;

before(async () => {
  f = await createFixture(net, {
    deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [100n], tenorSecs: 30n * 86_400n,
    reserveUsdc: 100_000n,
  });
  const w = await fundWriter(net, f, 50_000n);
  await writePut(connection, { writer: w.signer, series: f.series[0]!.address, priceUpdate: f.priceAccount, size: 100n * SOL });
});

test('try_release never fails for the backstop state and pays exactly what release_status said', async () => {
  const caller = await net.fundedSigner(1n);
  const keeperToken = await net.tokenAccount(f.payer, f.quoteMint, caller.address);
  const series = f.series[0]!.address;
  const ask = () => releaseStatus(connection, { series, caller: caller.address, priceUpdate: f.priceAccount });
  const send = async () => {
    const before = await net.balance(f.recovery);
    const r = await tryRelease(connection, caller, { series, priceUpdate: f.priceAccount, keeperToken });
    const tx = await rpc.getTransaction(r.signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
    const used = Number(tx?.meta?.computeUnitsConsumed ?? 0n);
    assert.ok(used > 0 && used <= MEASURED_COMPUTE_UNITS.try_release, `try_release used ${used} CU`);
    return { ...r.outcome, paid: (await net.balance(f.recovery)) - before };
  };

  // Healthy: nothing due, the call succeeds and moves nothing.
  assert.equal((await ask()).status, ReleaseStatus.NotConfirmed);
  let r = await send();
  assert.deepEqual([r.status, r.payout, r.paid], [ReleaseStatus.NotConfirmed, 0n, 0n]);

  // $80 after the $150 left the held-price window (2 x 60 + 60 s), seen, then confirmed.
  await net.advance(250n);
  await net.postPrice(f.priceAccount, SOL_FEED, 80n * 100_000_000n);
  await observeBreach(connection, caller, { vault: f.vault, priceUpdate: f.priceAccount });
  await net.advance(61n);
  await net.postPrice(f.priceAccount, SOL_FEED, 80n * 100_000_000n);
  const asked = await ask();
  assert.equal(asked.status, ReleaseStatus.Released);
  r = await send();
  assert.equal(r.status, ReleaseStatus.Released);
  assert.equal(r.payout, asked.payout, 'the view priced the same step');
  assert.equal(r.paid, r.payout, 'the payout is what the recovery account received');
  assert.ok(r.payout > 0n);

  // The same slot of the release grid: nothing due, and again no failure.
  r = await send();
  assert.deepEqual([r.status, r.paid], [ReleaseStatus.IntervalNotElapsed, 0n]);
});
