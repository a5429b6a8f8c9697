// The protocol's desk in the CLI, on the local validator: vault fund | withdraw and series open
// (an explicit strike or a percentage of the oracle price, cash or physical), each with --json,
// and each bad input refused with its own message (exit 2) or the program's error (exit 1).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeriesStyle, feedSymbol, fetchSeriesView, fetchVault } from '../app/sdk/src/index';
import { main } from '../app/cli/src/main';
import { USDC, SOL, createFixture, type Fixture } from '../migrations/lib/backstop-fixture';
import { newKeypairFile } from '../migrations/lib/localnet';
import { RPC_URL, WS_URL, deployer } from './support/localnet';
import { net } from './support/net';

const dir = mkdtempSync(join(tmpdir(), 'backstop-desk-'));
const keys = { protocol: join(dir, 'protocol.json'), risk: join(dir, 'risk.json') };
let f: Fixture;

async function cli(key: keyof typeof keys, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--url', RPC_URL, '--ws', WS_URL, '--keypair', keys[key]], (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const SVI = '0.36,0.1,-0.5,0,0.1';

before(async () => {
  const protocol = await newKeypairFile(keys.protocol);
  const risk = await newKeypairFile(keys.risk);
  await net.airdrop(protocol.address, 5n);
  await net.airdrop(risk.address, 5n);
  f = await createFixture(net, {
    deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [], tenorSecs: 86_400n,
    reserveUsdc: 20_000n, offerDelivery: true, protocol, risk,
  });
  await net.mintTo(f.payer, f.quoteMint, f.mintAuthority, f.protocolToken, 5_000n * USDC);
});

test('vault fund and withdraw move the reserve; withdrawing more than is uncommitted, or as someone else, is refused', async () => {
  const fund = await cli('protocol', 'vault', 'fund', f.vault, '--amount', '1000', '--json');
  assert.equal(fund.code, 0, fund.err);
  assert.equal(JSON.parse(fund.out).amount, String(1_000n * USDC));
  assert.equal(await net.balance(f.reserve), 21_000n * USDC);
  const back = await cli('protocol', 'vault', 'withdraw', f.vault, '--amount', '500.5');
  assert.equal(back.code, 0, back.err);
  assert.match(back.out, /withdrew\s+500.5/);
  assert.equal(await net.balance(f.protocolToken), 4_500_500_000n);
  const tooMuch = await cli('protocol', 'vault', 'withdraw', f.vault, '--amount', '1000000');
  assert.equal(tooMuch.code, 1);
  assert.match(tooMuch.err, /program error InsufficientUncommittedReserve/);
  const stranger = await cli('risk', 'vault', 'withdraw', f.vault, '--amount', '1');
  assert.equal(stranger.code, 1);
  assert.match(stranger.err, /program error/);
  for (const [args, message] of [
    [['vault', 'fund', f.vault, '--amount', '0'], /--amount must be positive/],
    [['vault', 'fund', f.vault, '--amount', 'ten'], /bad --amount/],
    [['vault', 'fund', f.vault], /missing --amount/],
    [['vault', 'withdraw', 'not-a-vault', '--amount', '1'], /vault is not a valid address/],
  ] as const) {
    const r = await cli('protocol', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
  }
});

test('series open: an explicit strike and expiry, or a percentage of the oracle price and a tenor, cash or physical', async () => {
  const explicit = await cli('risk', 'series', 'open', f.vault, '--strike', '100', '--tenor', '30d', '--size-cap', '1000', '--budget', '5000', '--svi', SVI, '--json');
  assert.equal(explicit.code, 0, explicit.err);
  const e = JSON.parse(explicit.out) as { series: string; expiry: string };
  const s = (await fetchSeriesView(net.connection.rpc, e.series as never)).data;
  assert.deepEqual(
    [s.strike, s.sizeCap, s.premiumBudget, s.style, s.svi.a, s.svi.rho],
    [100n * USDC, 1_000n * SOL, 5_000n * USDC, SeriesStyle.CashRatchet, 360_000_000n, -500_000_000n],
  );
  assert.equal(s.expiry, BigInt(e.expiry));
  // 80 % of the $150 oracle price: a $120 physical series a week out.
  const pct = await cli('risk', 'series', 'open', f.vault, '--strike-pct', '80', '--tenor', '7d', '--size-cap', '50', '--budget', '1000', '--svi', SVI,
    '--physical', '--price-account', f.priceAccount);
  assert.equal(pct.code, 0, pct.err);
  assert.match(pct.out, /strike\s+120\n/);
  assert.match(pct.out, /style\s+physical delivery/);
  // Only the risk authority opens series.
  const wrong = await cli('protocol', 'series', 'open', f.vault, '--strike', '90', '--tenor', '30d', '--size-cap', '10', '--budget', '10', '--svi', SVI);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /program error NotRiskAuthority/);
});

test('series open refuses each bad input with its own message and sends nothing', async () => {
  const base = ['--size-cap', '10', '--budget', '10'];
  for (const [args, message] of [
    [['--strike', '100', '--strike-pct', '80', '--tenor', '30d', '--svi', SVI], /--strike or --strike-pct, exactly one/],
    [['--tenor', '30d', '--svi', SVI], /--strike or --strike-pct, exactly one/],
    [['--strike', '100', '--svi', SVI], /--expiry or --tenor, exactly one/],
    [['--strike', '100', '--tenor', '30x', '--svi', SVI], /--tenor must be a duration like 30d/],
    [['--strike', '100', '--expiry', '30d', '--svi', SVI], /--expiry must be a unix time in seconds/],
    [['--strike', '100', '--expiry', '1', '--svi', SVI], /is not in the future/],
    [['--strike', '100', '--tenor', '30d', '--svi', '0.36,0.1,-0.5,0'], /--svi needs five numbers/],
    [['--strike', '100', '--tenor', '30d', '--svi', '0.36,-0.1,-0.5,0,0.1'], /--svi refused: .*SviNegativeB/],
    [['--strike-pct', '0', '--tenor', '30d', '--svi', SVI, '--price-account', 'x'], /--strike-pct must be a whole positive percentage/],
    [['--strike', '0', '--tenor', '30d', '--svi', SVI], /--strike must be positive/],
  ] as const) {
    const r = await cli('risk', 'series', 'open', f.vault, ...base, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
  const missing = await cli('risk', 'series', 'open', f.vault, '--strike', '100', '--tenor', '30d', '--svi', SVI, '--size-cap', '10');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /missing --budget/);
});

/** A quotes file of the annualised raw-SVI slice `s` at spot $150, 30 days. */
function quotesFile(name: string, s: { a: number; b: number; rho: number; m: number; sigma: number }, strikes = [90, 105, 120, 135, 150, 165, 180, 210]) {
  const T = (30 * 86_400) / (365 * 86_400);
  const lines = strikes.map((strike) => {
    const k = Math.log(strike / 150);
    const w = T * (s.a + s.b * (s.rho * (k - s.m) + Math.sqrt((k - s.m) ** 2 + s.sigma ** 2)));
    return `${strike},${(Math.sqrt(w / T) * 100).toFixed(6)}%`;
  });
  const path = join(dir, name);
  writeFileSync(path, ['strike,iv', ...lines].join('\n') + '\n');
  return path;
}

test('svi fit calibrates a slice to quotes; the program accepts it and a series opens on it', async () => {
  const file = quotesFile('skew.csv', { a: 0.3, b: 0.6, rho: -0.5, m: 0.02, sigma: 0.12 });
  const fit = await cli('risk', 'svi', 'fit', '--quotes', file, '--spot', '150', '--tenor', '30d', '--vault', f.vault);
  assert.equal(fit.code, 0, fit.err);
  assert.match(fit.out, /accepted by the program \(open_series simulated/);
  const rmse = Number(/rmse ([\d.]+) vol pts/.exec(fit.out)![1]);
  assert.ok(rmse < 0.001, `rmse ${rmse}`);
  const svi = /--svi (\S+)/.exec(fit.out)![1]!;
  const open = await cli('risk', 'series', 'open', f.vault, '--strike', '130', '--tenor', '30d', '--size-cap', '10', '--budget', '10', '--svi', svi, '--json');
  assert.equal(open.code, 0, open.err);
  const json = JSON.parse((await cli('risk', 'svi', 'fit', '--quotes', file, '--spot', '150', '--tenor', '30d', '--json')).out) as { params: { rho: string }; points: unknown[] };
  assert.equal(json.points.length, 8);
  assert.ok(Math.abs(Number(json.params.rho) / 1e9 + 0.5) < 0.01);
});

test('svi fit refuses what the program would refuse, and each bad input with its own message', async () => {
  // A 400 % at-the-money volatility: the slice rules pass, the program's series check does not.
  const wild = quotesFile('wild.csv', { a: 16, b: 0, rho: 0, m: 0, sigma: 0.1 });
  const refused = await cli('risk', 'svi', 'fit', '--quotes', wild, '--spot', '150', '--tenor', '30d', '--vault', f.vault);
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.err, /the program refuses the fitted slice: MathSviAtmVolOutOfRange/);
  const few = quotesFile('few.csv', { a: 0.3, b: 0.6, rho: -0.5, m: 0, sigma: 0.1 }, [100, 150, 200]);
  const badLine = join(dir, 'bad.csv');
  writeFileSync(badLine, 'strike,iv\n100,0.6\n120;0.5\n');
  const ok = quotesFile('ok.csv', { a: 0.3, b: 0.6, rho: -0.5, m: 0, sigma: 0.1 });
  for (const [args, message] of [
    [['--spot', '150', '--tenor', '30d'], /missing --quotes/],
    [['--quotes', join(dir, 'none.csv'), '--spot', '150', '--tenor', '30d'], /cannot read --quotes/],
    [['--quotes', few, '--spot', '150', '--tenor', '30d'], /at least five quotes at five strikes/],
    [['--quotes', badLine, '--spot', '150', '--tenor', '30d'], /line 3: expected "strike,iv"/],
    [['--quotes', ok, '--spot', 'x', '--tenor', '30d'], /--spot must be a positive number/],
    [['--quotes', ok, '--spot', '150', '--tenor', 'soon'], /--tenor must be a duration/],
    [['--quotes', ok, '--spot', '150', '--tenor', '30d', '--rate', '2'], /--rate must be a decimal annual rate/],
  ] as const) {
    const r = await cli('risk', 'svi', 'fit', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
});

test('vault create: a vault from the CLI with its reserve and recovery, delivery offered; bad inputs refused', async () => {
  const quoteMint = await net.createMint(f.payer, f.mintAuthority.address, 6);
  const collateralMint = await net.createMint(f.payer, f.mintAuthority.address, 9);
  const created = await cli('protocol', 'vault', 'create', '--quote-mint', quoteMint, '--feed', 'SOL/USD', '--barrier', '90', '--cap-per-epoch', '50000',
    '--collateral-mint', collateralMint, '--persistence', '2m', '--json');
  assert.equal(created.code, 0, created.err);
  const { vault } = JSON.parse(created.out) as { vault: string };
  const v = (await fetchVault(net.connection.rpc, vault as never)).data;
  assert.deepEqual(
    [v.quoteMint, v.collateralMint, v.collateralDecimals, v.trigger.barrierPrice, v.trigger.persistenceSecs, v.release.capPerEpoch, v.settingsTimelockSecs],
    [quoteMint, collateralMint, 9, 90n * 10n ** 12n, 120, 50_000n * USDC, 86_400],
  );
  assert.equal(feedSymbol(Uint8Array.from(v.oracle.collateralFeed)), 'SOL/USD');
  const shown = await cli('protocol', 'vault', 'show', vault);
  assert.match(shown.out, new RegExp(`physical delivery\\s+collateral mint ${collateralMint}`));
  // The same vault twice: the program refuses (one vault per authority, quote mint and feed).
  const again = await cli('protocol', 'vault', 'create', '--quote-mint', quoteMint, '--feed', 'SOL/USD', '--barrier', '90', '--cap-per-epoch', '50000');
  assert.equal(again.code, 1);
  const base = ['vault', 'create', '--quote-mint', quoteMint, '--feed', 'ETH/USD', '--cap-per-epoch', '50000'];
  for (const [args, code, message] of [
    [[...base], 2, /missing --barrier/],
    [['vault', 'create', '--quote-mint', quoteMint, '--feed', 'NOPE/USD', '--barrier', '90', '--cap-per-epoch', '1'], 2, /bad --feed/],
    [[...base, '--barrier', '90', '--max-conf-bps', 'wide'], 2, /--max-conf-bps must be whole basis points/],
    [[...base, '--barrier', '90', '--persistence', 'long'], 2, /--persistence must be a duration/],
    [['vault', 'create', '--quote-mint', f.vault, '--feed', 'ETH/USD', '--barrier', '90', '--cap-per-epoch', '1'], 1, /is not an SPL Token mint/],
    [[...base, '--barrier', '90', '--persistence', '5s'], 1, /program error/],
  ] as const) {
    const r = await cli('protocol', ...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
});

test('vault settings: shows them, proposes overrides, refuses --apply before the timelock and applies after it', async () => {
  const show = await cli('protocol', 'vault', 'settings', f.vault);
  assert.equal(show.code, 0, show.err);
  assert.match(show.out, /barrier\s+90\n/);
  assert.match(show.out, /pending\s+none/);
  const proposed = await cli('protocol', 'vault', 'settings', f.vault, '--barrier', '85', '--cap-per-epoch', '20000');
  assert.equal(proposed.code, 0, proposed.err);
  assert.match(proposed.out, /applies\s+from .*--apply then/);
  const early = await cli('protocol', 'vault', 'settings', f.vault, '--apply');
  assert.equal(early.code, 1);
  assert.match(early.err, /the pending settings apply from/);
  await net.timeTravelTo((await net.chainTime()) + 86_401n);
  const applied = await cli('protocol', 'vault', 'settings', f.vault, '--apply');
  assert.equal(applied.code, 0, applied.err);
  const v = (await fetchVault(net.connection.rpc, f.vault)).data;
  assert.deepEqual([v.trigger.barrierPrice, v.release.capPerEpoch, v.pendingSettings.effectiveAt], [85n * 10n ** 12n, 20_000n * USDC, 0n]);
  for (const [key, args, code, message] of [
    ['protocol', ['--apply', '--barrier', '80'], 2, /not both/],
    ['protocol', ['--tail-loading-bps', 'x'], 2, /--tail-loading-bps must be whole basis points/],
    ['protocol', ['--apply'], 1, /no pending settings to apply/],
    ['risk', ['--barrier', '80'], 1, /program error/],
  ] as const) {
    const r = await cli(key, 'vault', 'settings', f.vault, ...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
});
