// The keeper against the local validator: it clears a spike without stepping; it steps at a
// shallow held price, then pays only the increase each time a deeper price has held (tipped only
// for a big enough step); it settles what is still owed at expiry; when the feed dies it settles
// after the deadline without a price; it stops cleanly on SIGTERM; and two keepers racing on one
// vault release once and both stop cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSolanaRpc, generateKeyPairSigner, type Signature } from '@solana/kit';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  SETTLEMENT_DEADLINE_SECS,
  SeriesStatus,
  SettlementSource,
  fetchSeriesView,
  fetchVault,
  observeBreach,
  pushFeedAddress,
  writePut,
  type Connection,
} from '../app/sdk/src/index';
import { Keeper, type KeeperAction } from '../app/cli/src/keeper';
import { PRICE_ONE, SOL, SOL_FEED, USDC, createFixture, fundWriter, type Fixture } from '../migrations/lib/backstop-fixture';
import { newKeypairFile } from '../migrations/lib/localnet';
import { DropProxy } from './support/drop-proxy';
import { theEvent } from './support/events';
import { ROOT, RPC_URL, WS_URL, deployer, rpc, rpcSubscriptions } from './support/localnet';
import { net } from './support/net';

const connection: Connection = { rpc, rpcSubscriptions };
const WRITTEN = 100n * SOL;

/** A $100 series with 100 SOL written; barrier $90 held 60 s; $5 tip for a step of $100 or more. */
async function market(through: Connection = connection): Promise<{ f: Fixture; keeper: Keeper; lines: string[]; tip: Awaited<ReturnType<typeof net.tokenAccount>> }> {
  const f = await createFixture(net, { deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [100n], tenorSecs: 86_400n, reserveUsdc: 100_000n });
  const w = await fundWriter(net, f, 50_000n);
  await writePut(connection, { writer: w.signer, series: f.series[0]!.address, priceUpdate: f.priceAccount, size: WRITTEN });
  const signer = await net.fundedSigner(2n);
  const tip = await net.tokenAccount(f.payer, f.quoteMint, signer.address);
  const lines: string[] = [];
  const keeper = new Keeper({
    connection: through, keeper: signer, vaults: [f.vault], priceAccount: f.priceAccount, tipAccount: tip,
    programAddress: BACKSTOP_PROGRAM_ADDRESS, log: (l) => lines.push(l), backoffMs: 50,
  });
  return { f, keeper, lines, tip };
}

/** Posts `cents` as the collateral price, published now (after moving the clock). */
async function price(f: Fixture, cents: bigint, advanceSecs = 0n) {
  if (advanceSecs > 0n) await net.advance(advanceSecs);
  await net.postPrice(f.priceAccount, SOL_FEED, cents * 1_000_000n);
}

/** What the keeper sent (its waiting notes left out). */
const sent = (actions: KeeperAction[]) => actions.filter((a) => a.kind !== 'skip').map((a) => a.kind);
/** Quote base units owed on the 100 SOL at `cents` on the $100 strike. */
const owedAt = (cents: bigint) => ((10_000n - cents) * WRITTEN * USDC) / (100n * SOL);

/** Holds `cents` with a fresh update every 50 s until the keeper steps; every tick before only
 * observes (the breach holds while a higher price is still in the window). */
async function holdUntilStep(f: Fixture, keeper: Keeper, cents: bigint): Promise<KeeperAction & { kind: 'trigger' }> {
  for (let i = 0; i < 8; i++) {
    await price(f, cents, 50n);
    const done = await keeper.tick();
    const step = done.find((a) => a.kind === 'trigger');
    if (step) return step as KeeperAction & { kind: 'trigger' };
    assert.deepEqual(sent(done), ['observe'], 'waits for the price to hold, keeping the breach alive');
  }
  throw new Error(`no step at ${cents} cents`);
}

/** The keeper's expected step equals the chain's, to the unit. */
async function assertStep(step: KeeperAction & { kind: 'trigger' }, held: bigint, payout: bigint, tip: bigint) {
  const e = await theEvent(step.signature as Signature, 'CapitalReleased');
  assert.deepEqual([e.heldPrice, e.payout, e.keeperTip], [held, payout, tip]);
  assert.deepEqual([step.heldPrice, step.payout, step.tip], [held, payout, tip], 'the keeper predicted the step');
}

test('a one-observation spike is observed and cleared, never stepped', async () => {
  const { f, keeper } = await market();
  assert.deepEqual(sent(await keeper.tick()), [], 'healthy: nothing to do');
  await price(f, 8_000n, 5n);
  assert.deepEqual(sent(await keeper.tick()), ['observe']);
  assert.equal((await fetchVault(rpc, f.vault)).data.breach.firstSeen > 0n, true);
  await price(f, 15_000n, 20n);
  assert.deepEqual(sent(await keeper.tick()), ['observe'], 'recovered: the pending breach is cleared');
  await price(f, 15_000n, 70n);
  assert.deepEqual(sent(await keeper.tick()), []);
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.equal(v.breach.firstSeen, 0n);
  assert.equal(v.totals.released, 0n);
  assert.equal(keeper.actions.filter((a) => a.kind === 'trigger').length, 0);
});

test('the keeper ratchets: a shallow step, a small untipped one, the deep one, then settles what is still owed', async () => {
  const { f, keeper, tip } = await market();
  const s = f.series[0]!;
  await price(f, 8_900n, 5n);
  assert.deepEqual(sent(await keeper.tick()), ['observe'], 'breach seen');
  await price(f, 8_900n, 30n);
  assert.deepEqual(sent(await keeper.tick()), ['observe'], 'pending: keeps the observation chain unbroken');
  assert.equal((await fetchVault(rpc, f.vault)).data.breach.confirmedAt, 0n, 'not confirmed before the window');

  // Persistence elapsed: the crank confirms and steps at the held $89 ($11 x 100 SOL, tipped).
  await price(f, 8_900n, 31n);
  const done = await keeper.tick();
  assert.deepEqual(sent(done), ['trigger']);
  await assertStep(done[0] as KeeperAction & { kind: 'trigger' }, 89n * PRICE_ONE, owedAt(8_900n), 5n * USDC);
  assert.equal(await net.balance(tip), 5n * USDC);
  // Nothing new: no crank (it would pay nothing and be refused).
  assert.deepEqual(sent(await keeper.tick()), []);

  // $88.50 must hold over the window before it pays: then only the $50 increase, too small a
  // step for the tip, which the keeper still cranks for the protocol.
  const small = await holdUntilStep(f, keeper, 8_850n);
  await assertStep(small, 885n * PRICE_ONE / 10n, owedAt(8_850n) - owedAt(8_900n), 0n);
  assert.equal(await net.balance(tip), 5n * USDC, 'no tip for a step under $100');

  // The crash deepens to $60 (-40 %): once it held, the deep step pays the rest of the $40 intrinsic.
  const deep = await holdUntilStep(f, keeper, 6_000n);
  await assertStep(deep, 60n * PRICE_ONE, owedAt(6_000n) - owedAt(8_850n), 5n * USDC);
  assert.equal(await net.balance(tip), 10n * USDC);
  assert.equal((await fetchSeriesView(rpc, s.address)).data.advanced, owedAt(6_000n), 'the deep intrinsic, advanced');
  assert.equal((await fetchVault(rpc, f.vault)).data.totals.released, owedAt(6_000n));

  // Expiry at $50: the first update after it settles; settlement pays $50 - $40 per SOL more.
  await net.timeTravelTo(s.expiry + 2n);
  await net.postPrice(f.priceAccount, SOL_FEED, 50n * 100_000_000n, { publishTime: s.expiry + 1n, prevPublishTime: s.expiry - 1n });
  const settled = (await keeper.tick()).find((a) => a.kind === 'settle');
  assert.ok(settled && settled.kind === 'settle', 'settled');
  assert.equal(settled.source, 'FirstUpdate');
  const e = await theEvent(settled.signature as Signature, 'SeriesSettled');
  assert.deepEqual([e.price, e.payout, e.advanced], [50n * PRICE_ONE, owedAt(5_000n) - owedAt(6_000n), owedAt(6_000n)]);
  const series = (await fetchSeriesView(rpc, s.address)).data;
  assert.equal(series.status, SeriesStatus.Settled);
  assert.equal(series.payoutTotal, owedAt(5_000n));
  assert.equal(await net.balance(f.recovery), owedAt(5_000n));
});

test('a keeper that finds a stale pending breach restarts it instead of cranking forever', async () => {
  const { f, keeper } = await market();
  await price(f, 8_000n, 5n);
  await observeBreach(connection, await net.fundedSigner(1n), { vault: f.vault, priceUpdate: f.priceAccount });
  // Nobody looked for 200 s (more than persistence + max age): the program would restart it.
  await price(f, 8_000n, 200n);
  assert.deepEqual(sent(await keeper.tick()), ['observe'], 'restarts the breach rather than a doomed crank');
  assert.equal((await fetchVault(rpc, f.vault)).data.breach.confirmedAt, 0n);
  await price(f, 8_000n, 30n);
  assert.deepEqual(sent(await keeper.tick()), ['observe']);
  await price(f, 8_000n, 31n);
  assert.deepEqual(sent(await keeper.tick()), ['trigger']);
});

test('when the feed is gone at expiry, the keeper settles after the deadline at the last observed price', async () => {
  const { f, keeper } = await market();
  const s = f.series[0]!;
  for (const advance of [5n, 30n, 31n]) {
    await price(f, 8_000n, advance);
    await keeper.tick();
  }
  assert.equal((await fetchSeriesView(rpc, s.address)).data.advanced, owedAt(8_000n), 'stepped at $80');
  await price(f, 7_500n, 20n);
  assert.deepEqual(sent(await keeper.tick()), ['observe'], 'the breach holds at $75 (not yet held long enough to pay)');
  assert.equal((await fetchVault(rpc, f.vault)).data.lastPrice.price, 75n * PRICE_ONE);

  // The receiver migrates: the account is no Pyth update any more.
  await net.setAccount(f.priceAccount, (await generateKeyPairSigner()).address, new Uint8Array(134));
  await net.timeTravelTo(s.expiry + 10n);
  assert.deepEqual(sent(await keeper.tick()), [], 'no price to settle with before the deadline: it waits');
  assert.equal((await fetchSeriesView(rpc, s.address)).settled, false);

  await net.timeTravelTo(s.expiry + SETTLEMENT_DEADLINE_SECS + 5n);
  const settled = (await keeper.tick()).find((a) => a.kind === 'settle');
  assert.ok(settled && settled.kind === 'settle', 'settled without a price account');
  assert.equal(settled.source, 'LastObserved');
  const e = await theEvent(settled.signature as Signature, 'SeriesSettled');
  assert.deepEqual([e.price, e.source, e.payout], [75n * PRICE_ONE, 'LastObserved', owedAt(7_500n) - owedAt(8_000n)]);
  const series = (await fetchSeriesView(rpc, s.address)).data;
  assert.equal(series.settlementSource, SettlementSource.LastObserved);
  assert.equal(series.payoutTotal, owedAt(7_500n));
});

test("without a price account the keeper reads each vault's own sponsored feed account", async () => {
  const { f } = await market();
  const signer = await net.fundedSigner(1n);
  await net.tokenAccount(f.payer, f.quoteMint, signer.address);
  const keeper = new Keeper({ connection, keeper: signer, vaults: [f.vault], programAddress: BACKSTOP_PROGRAM_ADDRESS, log: () => {} });
  // A breach only in the vault feed's account; the fixture's own account stays healthy.
  await net.advance(5n);
  await net.postPrice(await pushFeedAddress(SOL_FEED), SOL_FEED, 80n * 100_000_000n);
  await net.postPrice(f.priceAccount, SOL_FEED, 150n * 100_000_000n);
  assert.deepEqual(sent(await keeper.tick()), ['observe']);
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.ok(v.breach.firstSeen > 0n, 'the breach was seen in the derived account');
  assert.equal(v.lastPrice.price, 80n * PRICE_ONE);
});

test('a failing Hermes endpoint is logged and the tick goes on with what is on chain', async () => {
  const { f } = await market();
  const signer = await net.fundedSigner(1n);
  await net.tokenAccount(f.payer, f.quoteMint, signer.address);
  const asked: string[] = [];
  const lines: string[] = [];
  const keeper = new Keeper({
    connection, keeper: signer, vaults: [f.vault], programAddress: BACKSTOP_PROGRAM_ADDRESS, log: (l) => lines.push(l),
    hermes: { url: 'https://hermes.invalid', fetch: (async (url: string) => { asked.push(url); return new Response('busy', { status: 503 }); }) as typeof fetch },
  });
  // The vault feed's account is 45 s old (over half the 60 s max age): a refresh is tried and
  // fails, and the tick goes on with the update on chain, still within the max age.
  const own = await pushFeedAddress(SOL_FEED);
  await net.advance(60n); // past the write's observation
  const now = await net.chainTime();
  await net.postPrice(own, SOL_FEED, 80n * 100_000_000n, { publishTime: now - 45n });
  assert.deepEqual(sent(await keeper.tick()), ['observe']);
  assert.equal(asked.length, 1);
  assert.match(asked[0]!, /\/v2\/updates\/price\/latest\?ids\[\]=0xefef/);
  assert.ok(lines.some((l) => /Hermes refresh of .* failed \(Hermes .*HTTP 503\): reading what is on chain/.test(l)), lines.join('\n'));
  // A fresh account is not refreshed.
  await net.postPrice(own, SOL_FEED, 150n * 100_000_000n);
  await keeper.tick();
  assert.equal(asked.length, 1);
});

test('backstop keeper run stops cleanly on SIGTERM', async () => {
  const { f } = await market();
  const dir = mkdtempSync(join(tmpdir(), 'backstop-keeper-'));
  const key = join(dir, 'keeper.json');
  const signer = await newKeypairFile(key);
  await net.airdrop(signer.address, 1n);
  await net.tokenAccount(f.payer, f.quoteMint, signer.address);
  const child = spawn(process.execPath, [resolve(ROOT, 'app/cli/bin/backstop.mjs'), 'keeper', 'run', '--vault', f.vault,
    '--price-account', f.priceAccount, '--interval-ms', '200', '--url', RPC_URL, '--ws', WS_URL, '--keypair', key], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; i < 100 && !out.includes('watching'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /watching/);
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, out);
  assert.match(out, /SIGTERM: finishing the current tick/);
  assert.match(out, /keeper stopped/);
});

test('two keepers racing on one vault release once per step and both stop cleanly', async () => {
  const { f } = await market();
  const dir = mkdtempSync(join(tmpdir(), 'backstop-keepers-'));
  const run = async (name: string) => {
    const key = join(dir, `${name}.json`);
    const signer = await newKeypairFile(key);
    await net.airdrop(signer.address, 1n);
    await net.tokenAccount(f.payer, f.quoteMint, signer.address);
    const child = spawn(process.execPath, [resolve(ROOT, 'app/cli/bin/backstop.mjs'), 'keeper', 'run', '--vault', f.vault,
      '--price-account', f.priceAccount, '--interval-ms', '200', '--url', RPC_URL, '--ws', WS_URL, '--keypair', key], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = { out: '' };
    child.stdout.on('data', (d) => (log.out += d));
    child.stderr.on('data', (d) => (log.out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, log, exited };
  };
  const keepers = [await run('a'), await run('b')];
  for (let i = 0; i < 100 && !keepers.every((k) => k.log.out.includes('watching')); i++) await new Promise((r) => setTimeout(r, 100));
  // $80 held until the healthy $150 leaves the window: both keepers observe and race to step.
  for (let i = 0; i < 10 && (await net.balance(f.recovery)) === 0n; i++) {
    await price(f, 8_000n, 50n);
    await new Promise((r) => setTimeout(r, 1_500));
  }
  // Let both tick again in the same slot and the next: nothing more is owed at $80.
  await new Promise((r) => setTimeout(r, 1_500));
  await price(f, 8_000n, 61n);
  await new Promise((r) => setTimeout(r, 1_500));
  for (const k of keepers) k.child.kill('SIGTERM');
  const codes = await Promise.all(keepers.map((k) => k.exited));
  assert.deepEqual(codes, [0, 0], keepers.map((k) => k.log.out).join('\n---\n'));
  for (const k of keepers) assert.match(k.log.out, /keeper stopped/);
  // Released exactly what is owed at $80, once: a second step by the other keeper would have
  // needed a deeper price.
  assert.equal(await net.balance(f.recovery), owedAt(8_000n));
  const steps = keepers.map((k) => (k.log.out.match(/ step [^\n]* at held /g) ?? []).length);
  assert.equal(steps[0]! + steps[1]!, 1, `one step between them: ${keepers.map((k) => k.log.out).join('\n---\n')}`);
});

test('through an RPC that loses the first send of every transaction, the keeper observes, confirms and steps exactly what is owed', async () => {
  const proxy = await new DropProxy(RPC_URL).start();
  proxy.drop = (_, nth) => nth === 1;
  try {
    const lossy: Connection = { rpc: createSolanaRpc(proxy.url), rpcSubscriptions, sender: { rebroadcastMs: 300, pollMs: 100 } };
    const { f, keeper } = await market(lossy);
    await price(f, 8_900n, 5n);
    assert.deepEqual(sent(await keeper.tick()), ['observe']);
    await price(f, 8_900n, 30n);
    assert.deepEqual(sent(await keeper.tick()), ['observe']);
    await price(f, 8_900n, 31n);
    const done = await keeper.tick();
    assert.deepEqual(sent(done), ['trigger']);
    await assertStep(done[0] as KeeperAction & { kind: 'trigger' }, 89n * PRICE_ONE, owedAt(8_900n), 5n * USDC);
    assert.equal(await net.balance(f.recovery), owedAt(8_900n), 'released once, in full');
    assert.ok(proxy.dropped >= 3, `every send lost once: ${proxy.dropped} lost, ${proxy.forwarded} forwarded`);
  } finally {
    await proxy.stop();
  }
});
