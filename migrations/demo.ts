// The crash demo on the local validator: a SOL/USD-like collateral and a USDC-like quote; the
// protocol funds the reserve; three market makers write puts at three strikes through the CLI;
// the oracle price falls 60 % in steps; the keeper confirms the breach and releases capital
// (within the per-epoch cap); the series expire and settle; the writers reclaim; and a report
// checks that every token is accounted for. Run by scripts/demo.sh (which starts and stops
// the validator). Exit 0 only when the conservation check holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
  fetchSeriesView,
  fetchVault,
  formatUnits,
  intrinsicFor,
  listPositions,
  strikeToPrice,
  type Position,
} from '../app/sdk/src/index';
import { loadKeypairFile } from '../app/sdk/src/node';
import { ROOT, connect, deployerKeypairPath, endpoints, parseOptions, run } from './cluster';
import { SOL, SOL_FEED, USDC, createFixture, fundWriter, reportSolvency } from './lib/backstop-fixture';
import { writeFileSync } from 'node:fs';
import { Localnet, newKeypairFile } from './lib/localnet';

const CLI = resolve(ROOT, 'app/cli/bin/backstop.mjs');
const STATE = resolve(process.env.LOCALNET_STATE_DIR ?? resolve(ROOT, '.localnet'), 'demo');
const usd = (x: bigint) => x * 100_000_000n; // Pyth 10^-8
const $ = (amount: bigint) => formatUnits(amount, 6, 2);

function heading(text: string) {
  console.log(`\n== ${text} ${'='.repeat(Math.max(0, 72 - text.length))}`);
}

function table(header: string[], rows: string[][]) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  console.log([line(header), '  ' + w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n'));
}

run(async () => {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.cluster !== 'localnet') throw new Error('the demo runs on localnet only');
  const { rpc: rpcUrl, ws } = endpoints('localnet');
  const connection = connect('localnet');
  const net = new Localnet(connection, rpcUrl);
  const deployer = await loadKeypairFile(deployerKeypairPath(opts));
  const cliBase = ['--url', rpcUrl, '--ws', ws];

  /** Runs the CLI as a market maker would, echoing its output indented. */
  const cli = (keypair: string, ...args: string[]) =>
    new Promise<string>((ok, fail) => {
      const child = spawn(process.execPath, [CLI, ...args, ...cliBase, '--keypair', keypair], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => {
        console.log(out.trimEnd().split('\n').map((l) => `    │ ${l}`).join('\n'));
        code === 0 ? ok(out) : fail(new Error(`backstop ${args.join(' ')} exited ${code}`));
      });
    });

  heading('1. The protected protocol creates its backstop');
  const spot = 150n;
  const f = await createFixture(net, {
    deployer, spotUsd: spot, barrierUsd: 90n, strikesUsd: [120n, 100n, 80n], tenorSecs: 30n * 86_400n,
    reserveUsdc: 250_000n, capPerEpochUsdc: 25_000n, premiumBudgetUsdc: 60_000n,
    ratioThresholdBps: 11_000, maxReportAgeSecs: 31 * 86_400,
  });
  const [s120, s100, s80] = f.series;
  console.log(`  vault ${f.vault}: SOL/USD at $${spot}, barrier $90 held 60 s, release cap $25,000 per hour`);
  console.log(`  reserve funded with $${$(f.minted)}; series at $120, $100 and $80 expiring in 30 days`);
  await reportSolvency(net, f, 1_500n, 150_000n);
  console.log('  the protocol reports its books: 1,500 SOL of collateral against $150,000 of liabilities (150 %; trigger below 110 %)');
  const dashboard = process.env.DASHBOARD_URL;
  if (dashboard) {
    const url = `${dashboard}/?vault=${f.vault}&price=${f.priceAccount}`;
    writeFileSync(resolve(STATE, '..', 'dashboard-url'), url + '\n');
    console.log(`  dashboard: ${url}`);
  }

  heading('2. Three market makers write puts through the CLI');
  const makers = [
    { name: 'maker A', writes: [[s120!, '200']] },
    { name: 'maker B', writes: [[s120!, '100'], [s100!, '300']] },
    { name: 'maker C', writes: [[s80!, '400']] },
  ] as const;
  const wallets: { name: string; keypair: string; token: Awaited<ReturnType<typeof fundWriter>>['token']; address: string }[] = [];
  for (const m of makers) {
    const keypair = resolve(STATE, `${m.name.replace(' ', '-')}.json`);
    const signer = await newKeypairFile(keypair);
    const { token } = await fundWriter(net, f, 60_000n, signer);
    wallets.push({ name: m.name, keypair, token, address: signer.address });
    for (const [series, size] of m.writes) {
      console.log(`  ${m.name}: backstop write --series ${series.address.slice(0, 8)}… --size ${size}`);
      await cli(keypair, 'write', '--series', series.address, '--size', size, '--price-account', f.priceAccount);
    }
  }
  if (process.env.DASHBOARD_URL) {
    writeFileSync(resolve(STATE, '..', 'dashboard-url'), `${process.env.DASHBOARD_URL}/?vault=${f.vault}&price=${f.priceAccount}&writer=${wallets[1]!.address}\n`);
  }
  const keeperKey = resolve(STATE, 'keeper.json');
  const keeperSigner = await newKeypairFile(keeperKey);
  await net.airdrop(keeperSigner.address, 2n);
  const keeperToken = await net.tokenAccount(f.payer, f.quoteMint, keeperSigner.address);

  const premiums = [];
  for (const s of f.series) {
    const v = await fetchSeriesView(connection.rpc, s.address);
    premiums.push([`$${s.strike / USDC}`, formatUnits(v.data.writtenSize, 9, 0), `$${$(v.data.premiumPaid)}`,
      `$${$((v.data.premiumPaid * SOL) / v.data.writtenSize)}`, `$${$(v.data.escrowDeposited)}`]);
  }
  table(['strike', 'SOL written', 'premium paid', 'per SOL', 'escrowed'], premiums);

  heading('3. The keeper watches; SOL falls 60 % in steps');
  const keeper = spawn(process.execPath, [CLI, 'keeper', 'run', '--vault', f.vault, '--price-account', f.priceAccount,
    '--interval-ms', '300', ...cliBase, '--keypair', keeperKey], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keeperExit = new Promise<number | null>((r) => keeper.on('exit', (c) => r(c)));
  const echo = (d: Buffer) => process.stdout.write(d.toString().trimEnd().split('\n').map((l) => `    keeper │ ${l.replace(/^\S+Z /, '')}\n`).join(''));
  keeper.stdout.on('data', echo);
  keeper.stderr.on('data', echo);
  const stopKeeper = (c: ChildProcess) => { if (c.exitCode === null) c.kill('SIGTERM'); };
  process.once('exit', () => stopKeeper(keeper));
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await pause(1_500);
  for (const price of [135n, 120n, 105n, 90n, 75n, 60n]) {
    await net.advance(20n);
    await net.postPrice(f.priceAccount, SOL_FEED, usd(price));
    console.log(`  SOL/USD $${price}`);
    await pause(1_200);
  }
  // Hold at $60 until the breach has persisted and the keeper released what the cap allows.
  for (let i = 0; i < 12; i++) {
    const v = (await fetchVault(connection.rpc, f.vault)).data;
    if (v.totals.released > 0n) break;
    await net.advance(20n);
    await net.postPrice(f.priceAccount, SOL_FEED, usd(60n));
    console.log('  SOL/USD $60 (holding)');
    await pause(1_500);
  }
  await pause(1_500);
  let vault = (await fetchVault(connection.rpc, f.vault)).data;
  if (vault.totals.released === 0n) throw new Error('the keeper released nothing');
  console.log(`  released $${$(vault.totals.released)} to the protocol's recovery account (cap $25,000 this hour)`);

  heading('4. Expiry: SOL is back at $100; the keeper settles every series');
  const expiry = s120!.expiry;
  await net.timeTravelTo(expiry + 2n);
  await net.postPrice(f.priceAccount, SOL_FEED, usd(100n), { publishTime: expiry + 1n, prevPublishTime: expiry - 1n });
  for (let i = 0; i < 40; i++) {
    const settled = await Promise.all(f.series.map((s) => fetchSeriesView(connection.rpc, s.address)));
    if (settled.every((s) => s.settled)) break;
    await pause(500);
  }
  stopKeeper(keeper);
  const code = await keeperExit;
  if (code !== 0) throw new Error(`keeper exited ${code}`);
  const views = await Promise.all(f.series.map((s) => fetchSeriesView(connection.rpc, s.address)));
  if (!views.every((s) => s.settled)) throw new Error('not every series settled');

  heading('5. The writers reclaim what is left of their escrow');
  const positions = new Map<string, { series: string; p: Position }[]>();
  for (const w of wallets) {
    positions.set(w.name, (await listPositions(connection.rpc, { writer: w.address as never })).map((p) => ({ series: p.data.series, p: p.data })));
  }
  const reclaimed = new Map<string, bigint>();
  for (const w of wallets) {
    const before = await net.balance(w.token);
    for (const { series } of positions.get(w.name)!) {
      console.log(`  ${w.name}: backstop reclaim --series ${series.slice(0, 8)}…`);
      await cli(w.keypair, 'reclaim', '--series', series);
    }
    reclaimed.set(w.name, (await net.balance(w.token)) - before);
  }

  heading('Report');
  vault = (await fetchVault(connection.rpc, f.vault)).data;
  const rows = views.map((s) => {
    const k = strikeToPrice(s.data.strike, 6);
    const atExpiry = intrinsicFor(k, s.data.settlementPrice, s.data.writtenSize - s.data.exercisedSize, 9, 6);
    return [`$${s.data.strike / USDC}`, formatUnits(s.data.exercisedSize, 9, 0), `$${$(s.data.payoutTotal - atExpiry)}`,
      `$${$(atExpiry)}`, `$${$(s.data.payoutTotal)}`];
  });
  console.log('  Released capital by series');
  table(['strike', 'SOL exercised on breach', 'released on breach', 'paid at expiry', 'total'], rows);
  console.log(`  total to the protocol: $${$(vault.totals.released)}; keeper tips: $${$(vault.totals.tipsPaid)}`);

  console.log('\n  Writers');
  table(['writer', 'premium', 'escrowed', 'reclaimed', 'P&L'], wallets.map((w) => {
    const ps = positions.get(w.name)!;
    const premium = ps.reduce((a, x) => a + x.p.premiumReceived, 0n);
    const escrow = ps.reduce((a, x) => a + x.p.escrowDeposited, 0n);
    const back = reclaimed.get(w.name)!;
    return [w.name, `$${$(premium)}`, `$${$(escrow)}`, `$${$(back)}`, `${premium + back - escrow < 0n ? '-' : '+'}$${$((premium + back - escrow) < 0n ? escrow - premium - back : premium + back - escrow)}`];
  }));

  const accounts = [f.protocolToken, f.reserve, f.recovery, keeperToken, ...f.series.map((s) => s.escrow), ...wallets.map((w) => w.token)];
  const held = (await Promise.all(accounts.map((a) => net.balance(a)))).reduce((a, b) => a + b, 0n);
  console.log(`\n  Token conservation: protocol + reserve + recovery + escrows + writers + keeper = $${$(held)}; minted $${$(f.minted)}`);
  if (held !== f.minted) throw new Error(`conservation FAILED: ${held} held vs ${f.minted} minted`);
  console.log('  ✓ every token accounted for, to the unit');
});
