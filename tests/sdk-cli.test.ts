// The SDK wrappers and every CLI command against the local validator: quotes that equal the
// premium charged, the slippage guard, views that match the chain, typed errors and the CLI's
// error exits (unknown series, slippage, paused, not settled, unreachable RPC).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSigner, type Address, type KeyPairSigner } from '@solana/kit';
import {
  BackstopProgramError,
  PauseFlag,
  closeSeries,
  computeUnitLimit,
  fetchSeriesView,
  fetchTransactionEvents,
  fetchVault,
  fetchWriteQuote,
  fetchOraclePrice,
  quoteWrite,
  findConfigPda,
  findEventAuthorityPda,
  getSetPauseFlagsInstruction,
  listPositions,
  listSeries,
  reclaim,
  settleSeries,
  vaultStrength,
  writePut,
  BACKSTOP_PROGRAM_ADDRESS,
} from '../app/sdk/src/index';
import { main } from '../app/cli/src/main';
import { SOL, SOL_FEED, USDC, createFixture, fundWriter, type Fixture } from '../migrations/lib/backstop-fixture';
import { newKeypairFile } from '../migrations/lib/localnet';
import { RPC_URL, WS_URL, deployer, rpc, rpcSubscriptions, sendInstructions } from './support/localnet';
import { net } from './support/net';

const connection = { rpc, rpcSubscriptions };
const dir = mkdtempSync(join(tmpdir(), 'backstop-cli-'));
let f: Fixture;
let mm: { signer: KeyPairSigner; token: Address; keypairPath: string };

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--url', RPC_URL, '--ws', WS_URL, '--keypair', mm.keypairPath], (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

before(async () => {
  f = await createFixture(net, { deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [120n, 100n], tenorSecs: 2n * 86_400n, reserveUsdc: 300_000n });
  const keypairPath = join(dir, 'mm.json');
  const signer = await newKeypairFile(keypairPath);
  const w = await fundWriter(net, f, 100_000n, signer);
  mm = { signer, token: w.token, keypairPath };
});

test('quote equals the premium the program charges in the same slot, to the unit', async () => {
  const series = f.series[0]!.address;
  const size = 10n * SOL;
  const s = (await fetchSeriesView(rpc, series)).data;
  const v = (await fetchVault(rpc, f.vault)).data;
  const before = await net.chainTime();
  const quote = await fetchWriteQuote(rpc, { series, priceUpdate: f.priceAccount, size });
  const price = await fetchOraclePrice(rpc, v, f.priceAccount, before);
  const r = await writePut(connection, { writer: mm.signer, series, priceUpdate: f.priceAccount, size, slippageBps: 100n });
  const after = await net.chainTime();
  const [ev] = (await fetchTransactionEvents(rpc, r.signature)).filter((e) => e.name === 'PutWritten');
  assert.ok(ev, 'PutWritten emitted');
  // The slot's clock is somewhere in [before, after]; the off-chain quote for that second must
  // equal what the program charged, to the unit (premium, per-unit premium, escrow, spot).
  const matches = [];
  for (let t = before; t <= after; t++) {
    const q = quoteWrite(v, s, price, t, size);
    if (q.premium === ev.data.premium && q.premiumPerUnit === ev.data.premiumPerUnit) matches.push(t);
  }
  assert.ok(matches.length > 0, `no second in [${before}, ${after}] reproduces premium ${ev.data.premium}`);
  assert.equal(ev.data.escrow, quote.escrow);
  assert.equal(ev.data.spot, quote.spot);
  assert.ok(quote.premium > 0n && ev.data.premium as bigint > 0n);
});

test('transactions carry a compute-unit limit from the measured table', async () => {
  const r = await writePut(connection, { writer: mm.signer, series: f.series[1]!.address, priceUpdate: f.priceAccount, size: SOL });
  const tx = await rpc.getTransaction(r.signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 }).send();
  assert.ok(tx?.meta);
  const used = Number(tx.meta.computeUnitsConsumed);
  assert.ok(used > 0 && used <= computeUnitLimit('write_put'), `${used} CU within the limit ${computeUnitLimit('write_put')}`);
  const keys = tx.transaction.message.accountKeys;
  const budget = tx.transaction.message.instructions.find((ix) => keys[ix.programIdIndex] === 'ComputeBudget111111111111111111111111111111');
  assert.ok(budget, 'a SetComputeUnitLimit instruction is sent');
});

test('the slippage guard refuses a premium below the minimum, and nothing moves', async () => {
  const series = f.series[0]!.address;
  const before = await fetchSeriesView(rpc, series);
  const quote = await fetchWriteQuote(rpc, { series, priceUpdate: f.priceAccount, size: SOL });
  await assert.rejects(
    writePut(connection, { writer: mm.signer, series, priceUpdate: f.priceAccount, size: SOL, minPremium: quote.premium + 1n }),
    (e) => e instanceof BackstopProgramError && e.errorName === 'SlippageExceeded',
  );
  const after = await fetchSeriesView(rpc, series);
  assert.equal(after.data.writtenSize, before.data.writtenSize);
});

test('views match the chain: series, positions, strength', async () => {
  const list = await listSeries(rpc, f.vault);
  assert.deepEqual(list.map((s) => s.address).sort(), f.series.map((s) => s.address).sort());
  const positions = await listPositions(rpc, { writer: mm.signer.address });
  assert.equal(positions.length, 2);
  const vault = (await fetchVault(rpc, f.vault)).data;
  const s = vaultStrength(vault);
  const escrowed = list.reduce((a, x) => a + x.escrowHeld, 0n);
  assert.equal(s.coverage, escrowed);
  assert.equal(s.premiumPaid, list.reduce((a, x) => a + x.data.premiumPaid, 0n));
  assert.equal(s.breach, 'healthy');
});

test('CLI: vault show, series list, quote, positions print what the chain holds', async () => {
  const vault = await cli('vault', 'show', f.vault, '--price-account', f.priceAccount);
  assert.equal(vault.code, 0, vault.err);
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.match(vault.out, new RegExp(`coverage \\(escrowed\\)\\s+${Number(v.totals.escrowed / USDC)}(\\.|\\s|$)`));
  assert.match(vault.out, /breach\s+healthy/);
  assert.match(vault.out, /oracle price\s+150\n/);

  const series = await cli('series', 'list', f.vault, '--price-account', f.priceAccount);
  assert.equal(series.code, 0, series.err);
  for (const s of f.series) assert.ok(series.out.includes(s.address), `series ${s.address} listed`);
  assert.match(series.out, /OTM/);

  const quote = await cli('quote', '--series', f.series[1]!.address, '--size', '2.5', '--price-account', f.priceAccount, '--json');
  assert.equal(quote.code, 0, quote.err);
  const q = JSON.parse(quote.out) as { premium: string; escrow: string };
  assert.equal(BigInt(q.escrow), 250n * USDC, '2.5 SOL at $100');
  assert.ok(BigInt(q.premium) > 0n);

  const positions = await cli('positions');
  assert.equal(positions.code, 0, positions.err);
  for (const s of f.series) assert.ok(positions.out.includes(s.address));
});

test('CLI: write succeeds, then fails clearly on slippage, an unknown series and a pause', async () => {
  const s = f.series[1]!.address;
  const ok = await cli('write', '--series', s, '--size', '1', '--price-account', f.priceAccount);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /escrowed\s+100\n/);

  const slip = await cli('write', '--series', s, '--size', '1', '--price-account', f.priceAccount, '--min-premium', '1000');
  assert.equal(slip.code, 1);
  assert.match(slip.err, /SlippageExceeded/);

  const unknown = await cli('write', '--series', (await generateKeyPairSigner()).address, '--size', '1', '--price-account', f.priceAccount);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /unknown series/);

  const admin = await deployer();
  const [config] = await findConfigPda();
  const eventAuthority = await findEventAuthorityPda();
  const pause = (pauseFlags: number) => getSetPauseFlagsInstruction({ admin, config, eventAuthority, program: BACKSTOP_PROGRAM_ADDRESS, pauseFlags });
  await sendInstructions(admin, [pause(PauseFlag.WritePut)]);
  try {
    const paused = await cli('write', '--series', s, '--size', '1', '--price-account', f.priceAccount);
    assert.equal(paused.code, 1);
    assert.match(paused.err, /OperationPaused.*paused/);
  } finally {
    await sendInstructions(admin, [pause(0)]);
  }
});

test('CLI and SDK: reclaim before settlement is refused; after it returns the escrow', async () => {
  const s = f.series[0]!;
  const early = await cli('reclaim', '--series', s.address);
  assert.equal(early.code, 1);
  assert.match(early.err, /SeriesNotSettled/);

  // Expire at $110: the $120 puts pay $10 each; settle from the first update after expiry.
  await net.timeTravelTo(s.expiry + 2n);
  await net.postPrice(f.priceAccount, SOL_FEED, 110n * 100_000_000n, { publishTime: s.expiry + 1n, prevPublishTime: s.expiry - 1n });
  const keeper = await net.fundedSigner(1n);
  for (const x of f.series) await settleSeries(connection, keeper, { series: x.address, priceUpdate: f.priceAccount });
  const settled = await fetchSeriesView(rpc, s.address);
  assert.ok(settled.settled);

  const before = await net.balance(mm.token);
  const r = await cli('reclaim', '--series', s.address, '--json');
  assert.equal(r.code, 0, r.err);
  const { amount } = JSON.parse(r.out) as { amount: string };
  assert.equal((await net.balance(mm.token)) - before, BigInt(amount));
  const written = settled.data.writtenSize;
  assert.equal(BigInt(amount), (written * 110n * USDC) / SOL, 'escrow at $120 minus the $10 payout per SOL');

  // The SDK reclaims the other series for the writer (permissionless).
  const other = await reclaim(connection, keeper, { series: f.series[1]!.address, writer: mm.signer.address });
  assert.ok(other.amount > 0n);
  assert.equal((await listPositions(rpc, { writer: mm.signer.address })).length, 0, 'positions closed');

  // Every position reclaimed: the series close, the escrow dust goes to the reserve.
  for (const x of f.series) await closeSeries(connection, keeper, { series: x.address });
  assert.deepEqual(await listSeries(rpc, f.vault), [], 'series accounts closed');
  assert.equal((await fetchVault(rpc, f.vault)).data.totals.escrowed, 0n);
});
