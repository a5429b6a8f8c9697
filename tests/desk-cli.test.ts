// The protocol's desk in the CLI, on the local validator: vault fund | withdraw and series open
// (an explicit strike or a percentage of the oracle price, cash or physical), each with --json,
// and each bad input refused with its own message (exit 2) or the program's error (exit 1).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeriesStyle, fetchSeriesView } from '../app/sdk/src/index';
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
