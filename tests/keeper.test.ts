// The keeper against the local validator: it clears a spike without firing, fires exactly once
// on a confirmed breach (one tip), settles at expiry, and stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fetchVault, fetchSeriesView, SeriesStatus } from '../app/sdk/src/index';
import { Keeper } from '../app/cli/src/keeper';
import { SOL, SOL_FEED, USDC, createFixture, fundWriter, type Fixture } from '../migrations/lib/backstop-fixture';
import { newKeypairFile } from '../migrations/lib/localnet';
import { observeBreach, writePut } from '../app/sdk/src/index';
import { ROOT, RPC_URL, WS_URL, deployer, rpc, rpcSubscriptions } from './support/localnet';
import { net } from './support/net';

const connection = { rpc, rpcSubscriptions };
const usd = (x: bigint) => x * 100_000_000n; // Pyth 10^-8

async function market(): Promise<{ f: Fixture; keeper: Keeper; lines: string[]; tip: Awaited<ReturnType<typeof net.tokenAccount>> }> {
  const f = await createFixture(net, { deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [100n], tenorSecs: 86_400n, reserveUsdc: 100_000n });
  const w = await fundWriter(net, f, 50_000n);
  await writePut(connection, { writer: w.signer, series: f.series[0]!.address, priceUpdate: f.priceAccount, size: 100n * SOL });
  const signer = await net.fundedSigner(2n);
  const tip = await net.tokenAccount(f.payer, f.quoteMint, signer.address);
  const lines: string[] = [];
  const keeper = new Keeper({
    connection, keeper: signer, vaults: [f.vault], priceAccount: f.priceAccount, tipAccount: tip,
    programAddress: (await import('../app/sdk/src/index')).BACKSTOP_PROGRAM_ADDRESS, log: (l) => lines.push(l), backoffMs: 50,
  });
  return { f, keeper, lines, tip };
}

async function price(f: Fixture, dollars: bigint, advanceSecs = 0n) {
  if (advanceSecs > 0n) await net.advance(advanceSecs);
  await net.postPrice(f.priceAccount, SOL_FEED, usd(dollars));
}

const kinds = (actions: { kind: string }[]) => actions.map((a) => a.kind);

test('a one-observation spike is observed and cleared, never triggered', async () => {
  const { f, keeper } = await market();
  assert.deepEqual(kinds(await keeper.tick()), [], 'healthy: nothing to do');
  await price(f, 80n, 5n);
  const seen = await keeper.tick();
  assert.deepEqual(kinds(seen), ['observe']);
  assert.equal((await fetchVault(rpc, f.vault)).data.breach.firstSeen > 0n, true);
  await price(f, 150n, 20n);
  const cleared = await keeper.tick();
  assert.deepEqual(kinds(cleared), ['observe']);
  await price(f, 150n, 70n);
  assert.deepEqual(kinds(await keeper.tick()), []);
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.equal(v.breach.firstSeen, 0n);
  assert.equal(v.totals.released, 0n);
  assert.equal(keeper.actions.filter((a) => a.kind === 'trigger').length, 0);
});

test('a confirmed breach fires once, pays one tip, and expiry is settled', async () => {
  const { f, keeper, tip } = await market();
  await price(f, 80n, 5n);
  assert.deepEqual(kinds(await keeper.tick()), ['observe']);
  await price(f, 80n, 30n);
  assert.deepEqual(kinds(await keeper.tick()), ['observe'], 'pending: keeps the observation chain unbroken');
  assert.equal((await fetchVault(rpc, f.vault)).data.breach.confirmedAt, 0n, 'not confirmed before the window');
  await price(f, 80n, 31n);
  const fired = await keeper.tick();
  assert.deepEqual(kinds(fired), ['trigger']);
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.equal(v.totals.released, 20n * 100n * USDC, '($100 - $80) x 100 SOL');
  assert.equal(await net.balance(tip), 5n * USDC);
  // Later ticks at the same or a lower price find nothing left to exercise: no second tip.
  await price(f, 70n, 5n);
  assert.deepEqual(kinds(await keeper.tick()), []);
  assert.equal(await net.balance(tip), 5n * USDC);
  assert.equal(keeper.actions.filter((a) => a.kind === 'trigger').length, 1);

  // Expiry: the first update after it settles the series.
  const s = f.series[0]!;
  await net.timeTravelTo(s.expiry + 2n);
  await net.postPrice(f.priceAccount, SOL_FEED, usd(75n), { publishTime: s.expiry + 1n, prevPublishTime: s.expiry - 1n });
  assert.ok(kinds(await keeper.tick()).includes('settle'));
  assert.equal((await fetchSeriesView(rpc, s.address)).data.status, SeriesStatus.Settled);
});

test('a keeper that finds a stale pending breach restarts it instead of cranking forever', async () => {
  const { f, keeper } = await market();
  await price(f, 80n, 5n);
  await observeBreach(connection, await net.fundedSigner(1n), { vault: f.vault, priceUpdate: f.priceAccount });
  // Nobody looked for 200 s (more than persistence + max age): the program would restart it.
  await price(f, 80n, 200n);
  assert.deepEqual(kinds(await keeper.tick()), ['observe'], 'restarts the breach rather than a doomed trigger');
  assert.equal((await fetchVault(rpc, f.vault)).data.breach.confirmedAt, 0n);
  await price(f, 80n, 30n);
  assert.deepEqual(kinds(await keeper.tick()), ['observe']);
  await price(f, 80n, 31n);
  assert.deepEqual(kinds(await keeper.tick()), ['trigger']);
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
