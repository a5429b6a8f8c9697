// The SDK wrappers and every CLI command against the local validator: quotes that equal the
// premium charged, the slippage guard, the write refusals the quote predicts (wide confidence,
// the cutoff before expiry), views that match the chain, typed errors and the CLI's error exits
// (unknown series, slippage, paused, not settled, unreachable RPC).
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
  findPositionPda,
  getWritePutInstructionAsync,
  parseBackstopError,
  quoteWrite,
  seriesRelease,
  type QuoteError,
  findConfigPda,
  findEventAuthorityPda,
  getSetPauseFlagsInstruction,
  listPositions,
  listSeries,
  reclaim,
  settleSeries,
  vaultStrength,
  writePut,
  feedIdToHex,
  pushFeedAddress,
  BACKSTOP_PROGRAM_ADDRESS,
} from '../app/sdk/src/index';
import { main } from '../app/cli/src/main';
import { PRICE_ONE, SOL, SOL_FEED, USDC, createFixture, fundWriter, type Fixture } from '../migrations/lib/backstop-fixture';
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
  const s = vaultStrength(vault, await net.chainTime());
  const escrowed = list.reduce((a, x) => a + x.escrowHeld, 0n);
  assert.equal(s.coverage, escrowed);
  assert.equal(s.premiumPaid, list.reduce((a, x) => a + x.data.premiumPaid, 0n));
  assert.equal(s.breach, 'healthy');
  assert.equal(s.heldPrice, null);
  for (const x of list) {
    const r = seriesRelease(vault, x.data, 150n * PRICE_ONE);
    assert.deepEqual([r.advanced, r.stillOwedAtPrice, r.nextStepAt], [0n, 0n, 0n], 'out of the money, never stepped');
    // At $60 every written unit owes strike - $60, none of it advanced yet.
    const deep = seriesRelease(vault, x.data, 60n * PRICE_ONE);
    assert.equal(deep.stillOwedAtPrice, ((x.data.strike - 60n * USDC) * x.data.writtenSize) / SOL);
  }
});

test('CLI: vault show, series list, quote, positions print what the chain holds', async () => {
  const vault = await cli('vault', 'show', f.vault, '--price-account', f.priceAccount);
  assert.equal(vault.code, 0, vault.err);
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.match(vault.out, new RegExp(`coverage \\(escrowed\\)\\s+${Number(v.totals.escrowed / USDC)}(\\.|\\s|$)`));
  assert.match(vault.out, /breach\s+healthy/);
  assert.match(vault.out, /oracle price\s+150\n/);

  assert.match(vault.out, /release steps\s+at most one per series every 60 s; keeper tip 5 for a step of 100 or more/);
  assert.match(vault.out, /writes\s+close 600 s before expiry; refused above 1.00% confidence/);

  const series = await cli('series', 'list', f.vault, '--price-account', f.priceAccount);
  assert.equal(series.code, 0, series.err);
  for (const s of f.series) assert.ok(series.out.includes(s.address), `series ${s.address} listed`);
  assert.match(series.out, /advanced .* next step .* still owed at expiry/);
  assert.match(series.out, /OTM/);
  assert.match(series.out, /no step yet/);
  const listed = JSON.parse((await cli('series', 'list', f.vault, '--price-account', f.priceAccount, '--json')).out) as
    { address: string; advanced: string; release: { stillOwedAtPrice: string; nextStepAt: string } }[];
  for (const x of listed) assert.deepEqual([x.advanced, x.release.stillOwedAtPrice, x.release.nextStepAt], ['0', '0', '0']);

  const quote = await cli('quote', '--series', f.series[1]!.address, '--size', '2.5', '--price-account', f.priceAccount, '--json');
  assert.equal(quote.code, 0, quote.err);
  const q = JSON.parse(quote.out) as { premium: string; escrow: string };
  assert.equal(BigInt(q.escrow), 250n * USDC, '2.5 SOL at $100');
  assert.ok(BigInt(q.premium) > 0n);

  const positions = await cli('positions', '--price-account', f.priceAccount);
  assert.equal(positions.code, 0, positions.err);
  for (const s of f.series) assert.ok(positions.out.includes(s.address));
  assert.match(positions.out, /series advanced .* next step .* reclaimable if settled now/);
  // Out of the money: settled now, each position gets its whole escrow back.
  const mine = JSON.parse((await cli('positions', '--price-account', f.priceAccount, '--json')).out) as { escrowDeposited: string; reclaimable: string }[];
  for (const p of mine) assert.equal(p.reclaimable, p.escrowDeposited);
});

test("CLI: prices come from the vault's own feed account by default or by --feed; a wrong feed, a bad shard are refused", async () => {
  // Pyth's sponsored account of the vault's feed (the fixture's feed id is made up; the address
  // is derived exactly as for a real one), holding a price the fixture's account does not.
  const own = await pushFeedAddress(SOL_FEED);
  await net.postPrice(own, SOL_FEED, 140n * 100_000_000n);
  const s = f.series[1]!.address;
  const spotOf = (r: { code: number; out: string; err: string }) => {
    assert.equal(r.code, 0, r.err);
    return BigInt((JSON.parse(r.out) as { spot: string }).spot);
  };
  assert.equal(spotOf(await cli('quote', '--series', s, '--size', '1', '--json')), 140n * PRICE_ONE, 'default: the vault feed account');
  assert.equal(spotOf(await cli('quote', '--series', s, '--size', '1', '--feed', 'vault', '--json')), 140n * PRICE_ONE);
  assert.equal(spotOf(await cli('quote', '--series', s, '--size', '1', '--feed', feedIdToHex(SOL_FEED), '--json')), 140n * PRICE_ONE);
  assert.equal(spotOf(await cli('quote', '--series', s, '--size', '1', '--price-account', f.priceAccount, '--json')), 150n * PRICE_ONE);
  const shown = await cli('vault', 'show', f.vault, '--feed', 'vault');
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /oracle price\s+140\n/);

  const wrong = await cli('quote', '--series', s, '--size', '1', '--feed', 'SOL/USD');
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, new RegExp(`--feed SOL/USD is not this vault's collateral feed \\(the vault reads ${feedIdToHex(SOL_FEED)}\\)`));
  const unknown = await cli('quote', '--series', s, '--size', '1', '--feed', 'DOGE/USD');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /bad --feed: unknown feed "DOGE\/USD"/);
  const both = await cli('quote', '--series', s, '--size', '1', '--feed', 'vault', '--price-account', f.priceAccount);
  assert.equal(both.code, 2);
  assert.match(both.err, /give --price-account or --feed, not both/);
  const shard = await cli('quote', '--series', s, '--size', '1', '--feed-shard', '65536');
  assert.equal(shard.code, 2);
  assert.match(shard.err, /--feed-shard must be an integer from 0 to 65535/);
  // Another shard is another account: none exists there, and the quote says so.
  const empty = await cli('quote', '--series', s, '--size', '1', '--feed-shard', '3');
  assert.equal(empty.code, 1);
  assert.ok(empty.err.includes(await pushFeedAddress(SOL_FEED, { shard: 3 })), empty.err);
  await net.postPrice(own, SOL_FEED, 150n * 100_000_000n);
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

test('writes are refused above the write confidence cap and near expiry, by the quote and the program alike', async () => {
  const s = f.series[1]!;
  const v = (await fetchVault(rpc, f.vault)).data;
  /** The program's own refusal of a 1 SOL write (no quote first, no slippage guard). */
  const programRefusal = async () => {
    const [position] = await findPositionPda({ series: s.address, writer: mm.signer.address });
    const series = (await fetchSeriesView(rpc, s.address)).data;
    try {
      await sendInstructions(mm.signer, [await getWritePutInstructionAsync({
        writer: mm.signer, config: (await findConfigPda())[0], vault: f.vault, series: s.address, position, writerToken: mm.token,
        reserve: f.reserve, escrow: series.escrow, putMint: series.putMint, holder: series.holder, priceUpdate: f.priceAccount,
        quoteMint: f.quoteMint, eventAuthority: await findEventAuthorityPda(), program: BACKSTOP_PROGRAM_ADDRESS, size: SOL, minPremium: 0n,
      })]);
      return 'written';
    } catch (e) {
      return parseBackstopError(e)?.errorName ?? String(e);
    }
  };
  const quoteRefusal = () => fetchWriteQuote(rpc, { series: s.address, priceUpdate: f.priceAccount, size: SOL }).then(() => 'quoted', (e) => (e as QuoteError).reason);

  // 1.5 % confidence: within the oracle cap (2 %) but above the vault's write cap (1 %).
  assert.equal(v.pricing.writeConfBps, 100);
  await net.postPrice(f.priceAccount, SOL_FEED, 150n * 100_000_000n, { conf: (150n * 100_000_000n * 150n) / 10_000n });
  assert.equal(await quoteRefusal(), 'WriteConfidenceTooWide');
  assert.equal(await programRefusal(), 'WriteConfidenceTooWide');

  // Within the write cutoff (600 s) of expiry, with a narrow price again.
  await net.timeTravelTo(s.expiry - 300n);
  await net.postPrice(f.priceAccount, SOL_FEED, 150n * 100_000_000n);
  assert.equal(await quoteRefusal(), 'WriteCutoff');
  assert.equal(await programRefusal(), 'WriteCutoff');
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
