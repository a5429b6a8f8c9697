// The web dashboard in headless Chromium (Debian's, driven by playwright-core) against the local
// validator: the numbers it shows equal the chain's, the plots render, and an unknown vault, a
// bad address and an unreachable RPC each give a clear message instead of a blank page. A
// screenshot of the main view is written to target/dashboard.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateKeyPairSigner } from '@solana/kit';
import {
  SeriesStyle,
  fetchLadderState,
  fetchSeriesView,
  rollSeries,
  setLadder,
  fetchOraclePrice,
  fetchVault,
  heldPrice,
  listPositions,
  listSeries,
  observeBreach,
  pushFeedAddress,
  reclaimable,
  seriesRelease,
  solvencyRatioBps,
  trigger,
  writePut,
} from '../app/sdk/src/index';
import { DEMO_SVI, PRICE_ONE, SOL, SOL_FEED, USDC, createFixture, fundWriter, reportSolvency, type Fixture } from '../migrations/lib/backstop-fixture';
import { ROOT, RPC_URL, deployer, rpc, rpcSubscriptions } from './support/localnet';
import { net } from './support/net';

const connection = { rpc, rpcSubscriptions };
const PORT = Number(process.env.DASHBOARD_TEST_PORT ?? 5187);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let f: Fixture;
let writer: string;
let server: ChildProcess;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(resolve(ROOT, 'app/web/dist/index.html')), 'build the dashboard first (scripts/test.sh does: npm run build -w @backstop/web)');
  // A vault with a report, two written series and one release step (on the $120 series at $85).
  f = await createFixture(net, {
    deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [120n, 100n], tenorSecs: 30n * 86_400n,
    reserveUsdc: 200_000n, ratioThresholdBps: 11_000, maxReportAgeSecs: 86_400,
  });
  const w = await fundWriter(net, f, 100_000n);
  writer = w.signer.address;
  await writePut(connection, { writer: w.signer, series: f.series[0]!.address, priceUpdate: f.priceAccount, size: 200n * SOL });
  await writePut(connection, { writer: w.signer, series: f.series[1]!.address, priceUpdate: f.priceAccount, size: 100n * SOL });
  await reportSolvency(net, f, 2_000n, 200_000n);
  // The report observed $150: let it leave the held-price window (2 x 60 + 60 s) first.
  await net.advance(250n);
  await net.postPrice(f.priceAccount, SOL_FEED, 85n * 100_000_000n);
  const keeper = await net.fundedSigner(1n);
  await net.tokenAccount(f.payer, f.quoteMint, keeper.address);
  await observeBreach(connection, keeper, { vault: f.vault, priceUpdate: f.priceAccount });
  await net.advance(61n);
  await net.postPrice(f.priceAccount, SOL_FEED, 85n * 100_000_000n);
  await trigger(connection, keeper, { series: f.series[0]!.address, priceUpdate: f.priceAccount });

  server = spawn(process.execPath, [resolve(ROOT, 'app/web/serve.mjs'), '--port', String(PORT), '--rpc', RPC_URL], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    server.stdout!.on('data', (d) => String(d).includes('dashboard on') && ok());
    server.on('exit', (c) => fail(new Error(`dashboard server exited ${c}`)));
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function open(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1700 } });
  await page.goto(`${BASE}/?${query}`);
  return page;
}

const raw = async (page: Page, testid: string) => BigInt((await page.getAttribute(`[data-testid=${testid}]`, 'data-raw'))!);

test('the main view shows the chain numbers, the plots and the history', async () => {
  // Re-observe $85 so the breach is fresh (a breach not seen for persistence + max age expires),
  // however long the browser took to start.
  await net.postPrice(f.priceAccount, SOL_FEED, 85n * 100_000_000n);
  await observeBreach(connection, await net.fundedSigner(1n), { vault: f.vault, priceUpdate: f.priceAccount });
  const page = await open(`vault=${f.vault}&price=${f.priceAccount}&writer=${writer}`);
  await page.waitForSelector('[data-testid=coverage]', { timeout: 20_000 });
  await page.waitForSelector('[data-testid=history-table]', { timeout: 20_000 });
  await page.waitForSelector('[data-testid=positions-table]', { timeout: 20_000 });
  const v = (await fetchVault(rpc, f.vault)).data;
  assert.equal(await raw(page, 'coverage'), v.totals.escrowed);
  assert.equal(await raw(page, 'premium-paid'), v.totals.premiumPaid);
  assert.equal(await raw(page, 'released'), v.totals.released);
  assert.equal(await raw(page, 'liabilities'), v.report.liabilities);
  assert.ok(v.totals.released > 0n);
  const price = await fetchOraclePrice(rpc, v, f.priceAccount, await net.chainTime());
  assert.equal(await raw(page, 'ratio'), solvencyRatioBps(v, price.price));
  assert.equal(await page.textContent('[data-testid=breach-state]'), 'released');
  assert.equal(await raw(page, 'held-price'), heldPrice(v));
  assert.equal(heldPrice(v), 85n * PRICE_ONE);
  assert.match((await page.textContent('[data-testid=breached-now]'))!, /barrier/);

  // Series table: one row per series, every number equal to the account's.
  const series = await listSeries(rpc, f.vault);
  assert.equal(await page.locator('[data-testid=series-table] tbody tr').count(), series.length);
  for (const s of series) {
    const row = page.locator(`tr[data-series="${s.address}"]`);
    const cell = async (col: string) => BigInt((await row.locator(`[data-col=${col}]`).getAttribute('data-raw'))!);
    assert.equal(await cell('strike'), s.data.strike);
    assert.equal(await cell('written'), s.data.writtenSize);
    assert.equal(await cell('premium'), s.data.premiumPaid);
    assert.equal(await cell('advanced'), s.data.advanced);
    assert.equal(await cell('payouts'), s.data.payoutTotal);
    // Settled at today's $85, the series would still owe its intrinsic beyond the advances.
    const r = seriesRelease(v, s.data, price.price);
    assert.equal(await cell('owed-at-expiry'), r.stillOwedAtPrice);
    assert.equal(await cell('next-step'), r.nextStepAt);
    assert.equal(await row.locator('[data-col=moneyness]').textContent(), 'ITM', '$85 is below both strikes');
  }
  const [s100, s120] = series; // by strike
  assert.equal(s120!.data.advanced, 35n * 200n * USDC, 'the step advanced ($120 - $85) x 200 SOL');
  assert.equal(s100!.data.advanced, 0n, 'the $100 series was not cranked');
  assert.equal(await page.locator(`tr[data-series="${s100!.address}"] [data-col=owed-at-expiry]`).getAttribute('data-raw'), (15n * 100n * USDC).toString());
  assert.equal(await page.locator(`tr[data-series="${s120!.address}"] [data-col=owed-at-expiry]`).getAttribute('data-raw'), '0', 'fully advanced at $85');
  assert.ok((await page.locator(`tr[data-series="${s120!.address}"] [data-col=next-step]`).textContent())!.includes('UTC'));

  // Plots: the skew over 41 strikes and a premium curve, both drawn.
  assert.equal(await page.getAttribute('[data-testid=skew-chart]', 'data-points'), '41');
  assert.ok(Number(await page.getAttribute('[data-testid=premium-chart]', 'data-points')) > 10);
  // The European put's curve beside the delivered (lookback) one.
  assert.ok(Number(await page.getAttribute('[data-testid=premium-chart]', 'data-compare-points')) > 10);
  for (const chart of ['skew-chart', 'premium-chart']) {
    const d = await page.getAttribute(`[data-testid=${chart}] path.line`, 'd');
    assert.ok(d && (d.match(/L/g) ?? []).length > 10, `${chart} has a drawn line`);
    const box = await page.locator(`[data-testid=${chart}]`).boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `${chart} is visible`);
  }

  // Positions of the writer and the release history.
  const positions = await listPositions(rpc, { writer: writer as never });
  assert.equal(await page.locator('[data-testid=positions-table] tbody tr').count(), positions.length);
  for (const p of positions) {
    // Escrow less the share of the advances and of what settlement at $85 would still pay.
    const s = series.find((x) => x.address === p.data.series)!;
    const expected = reclaimable(s.data, p.data, seriesRelease(v, s.data, price.price).stillOwedAtPrice!);
    assert.equal(await page.locator(`tr[data-position="${p.address}"] [data-col=reclaimable]`).getAttribute('data-raw'), expected.toString());
  }
  const releases = page.locator('[data-testid=history-table] tr[data-kind=release] [data-col=amount]');
  assert.ok((await releases.count()) >= 1);
  let sum = 0n;
  for (const amount of await releases.all()) sum += BigInt((await amount.getAttribute('data-raw'))!);
  assert.equal(sum, v.totals.released);
  const held = page.locator('[data-testid=history-table] tr[data-kind=release] [data-col=price]');
  assert.equal(await held.first().getAttribute('data-raw'), (85n * PRICE_ONE).toString(), 'the step paid at the held price');

  // This vault keeps no ladder: the card says coverage ends with its last series.
  assert.match((await page.textContent('[data-testid=no-ladder]'))!, /No ladder/);

  mkdirSync(resolve(ROOT, 'target'), { recursive: true });
  await page.screenshot({ path: resolve(ROOT, 'target/dashboard.png'), fullPage: true });
  await page.close();
});

test("the ladder card shows each rung's live series and when every rung is covered until", async () => {
  const g = await createFixture(net, { deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [], tenorSecs: 86_400n, reserveUsdc: 50_000n });
  await setLadder(connection, g.risk, {
    vault: g.vault,
    template: {
      tenorSecs: 7 * 86_400, overlapSecs: 86_400, strikesBps: [8_000, 9_000, 0, 0], strikeTick: USDC, style: SeriesStyle.CashRatchet,
      sizeCap: 500n * SOL, budgetPerSeries: 2_000n * USDC, svi: DEMO_SVI,
    },
  });
  const keeper = await net.fundedSigner(1n);
  await net.postPrice(g.priceAccount, SOL_FEED, 150n * 100_000_000n);
  for (const rung of [0, 1]) await rollSeries(connection, keeper, { vault: g.vault, rung, priceUpdate: g.priceAccount });
  const page = await open(`vault=${g.vault}`);
  await page.waitForSelector('[data-testid=ladder-table]', { timeout: 20_000 });
  const l = (await fetchLadderState(rpc, g.vault))!.ladder;
  for (const rung of [0, 1]) {
    const row = page.locator(`tr[data-rung="${rung}"]`);
    const cell = (col: string) => row.locator(`[data-col=${col}]`).getAttribute('data-raw');
    assert.equal(await cell('strike-bps'), String(l.template.strikesBps[rung]));
    assert.equal(await cell('series'), l.rungs[rung]!.series);
    assert.equal(await cell('expiry'), String(l.rungs[rung]!.expiry));
    assert.equal(await row.locator('[data-col=state]').textContent(), 'live');
    const s = (await fetchSeriesView(rpc, l.rungs[rung]!.series)).data;
    assert.equal(s.strike, [120n, 135n][rung]! * USDC, 'rolled at 80 % and 90 % of $150');
  }
  assert.equal(await page.locator('[data-testid=ladder-table] tbody tr').count(), 2, 'unused rungs are not listed');
  const until = l.rungs[0]!.expiry < l.rungs[1]!.expiry ? l.rungs[0]!.expiry : l.rungs[1]!.expiry;
  assert.equal(await raw(page, 'covered-until'), until);
  assert.match((await page.textContent('[data-testid=ladder-template]'))!, /Puts of 7 days, rolled 1 day before expiry.*2 rolled so far/);
  await page.close();
});

test("the price field takes a feed: the vault's own, from its sponsored push-feed account", async () => {
  await net.postPrice(await pushFeedAddress(SOL_FEED), SOL_FEED, 84n * 100_000_000n);
  await net.postPrice(f.priceAccount, SOL_FEED, 85n * 100_000_000n);
  const page = await open(`vault=${f.vault}&price=vault`);
  await page.waitForSelector('[data-testid=spot]', { timeout: 20_000 });
  const own = await page.textContent('[data-testid=spot]');
  await page.goto(`${BASE}/?vault=${f.vault}&price=${f.priceAccount}`);
  await page.waitForFunction((before) => {
    const spot = document.querySelector('[data-testid=spot]');
    return spot !== null && spot.textContent !== before;
  }, own, { timeout: 20_000 });
  assert.match(own!, /^\$84(\.0+)?$/, 'the vault feed account holds 84');
  assert.match((await page.textContent("[data-testid=spot]"))!, /^\$85(\.0+)?$/);
  await page.close();
});

test('an unknown vault and a bad address are explained, not blank', async () => {
  const unknown = (await generateKeyPairSigner()).address;
  const page = await open(`vault=${unknown}`);
  await page.waitForSelector('[data-testid=error]', { timeout: 20_000 });
  assert.equal(await page.getAttribute('[data-testid=error]', 'data-kind'), 'not-found');
  assert.match((await page.textContent('[data-testid=error]'))!, new RegExp(`no vault account at ${unknown}`));
  await page.goto(`${BASE}/?vault=not-a-vault`);
  await page.waitForSelector('[data-testid=error][data-kind=bad-input]', { timeout: 20_000 });
  await page.goto(`${BASE}/?vault=${f.vault}&price=DOGE/USD`);
  await page.waitForSelector('[data-testid=error][data-kind=bad-input]', { timeout: 20_000 });
  assert.match((await page.textContent('[data-testid=error]'))!, /neither a price account address nor a feed/);
  await page.goto(`${BASE}/`);
  assert.match((await page.textContent('[data-testid=status]'))!, /Enter a vault address/);
  await page.close();
});

test('an unreachable RPC is named on the page', async () => {
  const page = await open(`vault=${f.vault}&rpc=${encodeURIComponent('http://127.0.0.1:9/')}`);
  await page.waitForSelector('[data-testid=error]', { timeout: 20_000 });
  assert.equal(await page.getAttribute('[data-testid=error]', 'data-kind'), 'unreachable');
  assert.match((await page.textContent('[data-testid=error]'))!, /RPC unreachable/);
  // The server's own proxy answering for a dead validator reads the same way.
  await page.close();
});

test('the /rpc proxy serves only local pages and read methods', async () => {
  const call = (method: string, headers: Record<string, string> = {}) =>
    fetch(`${BASE}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }) });
  assert.equal((await call('getSlot')).status, 200);
  assert.equal((await call('requestAirdrop')).status, 403, 'writes are not forwarded');
  assert.equal((await call('getSlot', { origin: 'https://evil.example' })).status, 403, 'foreign origins are refused');
});
