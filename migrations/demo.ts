// The crash demo on the local validator: a SOL/USD-like collateral and a USDC-like quote; the
// protocol funds the reserve; three market makers write puts at three strikes through the CLI;
// SOL slips to $99, 1 % below the $100 strike, and the keeper cranks a first release step at
// that shallow price; the crash deepens to $60 (-40 %) and, once $60 has held, the keeper's deep
// step advances the rest of the deep intrinsic (an early crank never costs the protocol its
// tail); side by side, the protocol sells collateral seized in the crash to a physical delivery
// series at its $90 strike instead of dumping it; SOL recovers to $100 by expiry, the series
// settle owing nothing more, the writers reclaim (maker D its SOL too), and a report checks that
// every token of both mints is accounted for. Run by scripts/demo.sh (which
// starts and stops the validator). Exit 0 only when the conservation check holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
  SeriesStyle,
  deliverCollateral,
  fetchSeriesView,
  fetchVault,
  formatUnits,
  listPositions,
  owedAt,
  type Position,
  type SeriesView,
} from '../app/sdk/src/index';
import { loadKeypairFile } from '../app/sdk/src/node';
import { ROOT, connect, deployerKeypairPath, endpoints, parseOptions, run } from './cluster';
import { PRICE_ONE, SOL, SOL_FEED, USDC, createFixture, fundWriter, reportSolvency } from './lib/backstop-fixture';
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
    deployer, spotUsd: spot, barrierUsd: 99n, strikesUsd: [120n, 100n, 80n], physicalStrikesUsd: [90n], tenorSecs: 30n * 86_400n,
    reserveUsdc: 250_000n, capPerEpochUsdc: 50_000n, premiumBudgetUsdc: 60_000n,
    ratioThresholdBps: 11_000, maxReportAgeSecs: 31 * 86_400,
  });
  const [s120, s100, s80, s90] = f.series;
  console.log(`  vault ${f.vault}: SOL/USD at $${spot}, barrier $99 held 60 s, release cap $50,000 per hour`);
  console.log('  release steps: one per series per minute, paid at the price that held over the breach window;');
  console.log('  keeper tip $5 for a step of $100 or more; writes close 10 minutes before expiry');
  console.log(`  reserve funded with $${$(f.minted)}; cash series at $120, $100 and $80, and a physical delivery series at $90, expiring in 30 days`);
  await reportSolvency(net, f, 1_500n, 125_000n);
  console.log('  the protocol reports its books: 1,500 SOL of collateral against $125,000 of liabilities (180 %; trigger below 110 %)');
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
    { name: 'maker D', writes: [[s90!, '300']] },
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
    premiums.push([`$${s.strike / USDC}${s.physical ? ' physical' : ''}`, formatUnits(v.data.writtenSize, 9, 0), `$${$(v.data.premiumPaid)}`,
      `$${$((v.data.premiumPaid * SOL) / v.data.writtenSize)}`, `$${$(v.data.escrowDeposited)}`]);
  }
  table(['strike', 'SOL written', 'premium paid', 'per SOL', 'escrowed'], premiums);

  heading('3. The keeper watches; SOL slips to $99, 1 % below the $100 strike');
  // The solvency report observed $150: let it leave the held-price window before the crash.
  await net.advance(300n);
  const keeper = spawn(process.execPath, [CLI, 'keeper', 'run', '--vault', f.vault, '--price-account', f.priceAccount,
    '--interval-ms', '300', ...cliBase, '--keypair', keeperKey], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keeperExit = new Promise<number | null>((r) => keeper.on('exit', (c) => r(c)));
  const echo = (d: Buffer) => process.stdout.write(d.toString().trimEnd().split('\n').map((l) => `    keeper │ ${l.replace(/^\S+Z /, '')}\n`).join(''));
  keeper.stdout.on('data', echo);
  keeper.stderr.on('data', echo);
  const stopKeeper = (c: ChildProcess) => { if (c.exitCode === null) c.kill('SIGTERM'); };
  process.once('exit', () => stopKeeper(keeper));
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const seriesNow = () => Promise.all(f.series.map((s) => fetchSeriesView(connection.rpc, s.address)));
  /** Posts `price` every 20 s of chain time until `done` holds (at most `rounds` times). */
  const holdUntil = async (price: bigint, rounds: number, done: () => Promise<boolean>) => {
    for (let i = 0; i < rounds && !(await done()); i++) {
      await net.advance(20n);
      await net.postPrice(f.priceAccount, SOL_FEED, usd(price));
      console.log(`  SOL/USD $${price}${i > 0 ? ' (holding)' : ''}`);
      await pause(1_200);
    }
    await pause(1_500);
    return done();
  };
  await pause(1_500);
  for (const price of [135n, 120n, 105n]) {
    await net.advance(20n);
    await net.postPrice(f.priceAccount, SOL_FEED, usd(price));
    console.log(`  SOL/USD $${price}`);
    await pause(1_200);
  }
  // $99 holds past the persistence window: the keeper confirms the breach and cranks a step on
  // every series in the money at the held price.
  const stepped = async () => (await seriesNow()).filter((s) => s.data.advanced > 0n).length === 2;
  if (!(await holdUntil(99n, 12, stepped))) throw new Error('the keeper did not step at $99');
  const shallow = await seriesNow();
  console.log(`  first step at $99: $${$(shallow[0]!.data.advanced)} advanced on the $120 series, $${$(shallow[1]!.data.advanced)} on the $100 series (the $80 series is out of the money)`);

  heading('4. The crash deepens to $60 (-40 % below the $100 strike)');
  // A step pays at the price that held over the window (2 x persistence + max age), never at a
  // wick: the keeper keeps observing $60 and steps once $99 has left the window.
  const vaultData = (await fetchVault(connection.rpc, f.vault)).data;
  const deepIntrinsic = shallow.filter((s) => s.data.style === SeriesStyle.CashRatchet).reduce((a, s) => a + owedAt(vaultData, s.data, 60n * PRICE_ONE), 0n);
  const deepDone = async () => (await fetchVault(connection.rpc, f.vault)).data.totals.released === deepIntrinsic;
  if (!(await holdUntil(60n, 20, deepDone))) throw new Error('the keeper did not take the deep step at $60');
  const deep = await seriesNow();
  let vault = (await fetchVault(connection.rpc, f.vault)).data;
  console.log(`  deep step at $60: the protocol has $${$(vault.totals.released)}, the whole intrinsic at $60 (cap $50,000 this hour)`);

  heading('4b. Side by side: the protocol sells seized collateral to its physical series at $90');
  // The cash series paid the intrinsic as the price fell; the physical series' writers buy the
  // collateral the protocol seized from bad loans at the strike, so none of it is dumped into a
  // falling market (no liquidation cascade).
  const seizedSol = 250n;
  const seized = await net.tokenAccount(f.payer, f.collateralMint!, f.protocol.address);
  await net.mintTo(f.payer, f.collateralMint!, f.mintAuthority, seized, seizedSol * SOL);
  const releasedBefore = vault.totals.released;
  const delivery = await deliverCollateral(connection, f.protocol, { series: s90!.address, size: seizedSol * SOL });
  vault = (await fetchVault(connection.rpc, f.vault)).data;
  console.log(`  ${seizedSol} SOL seized from bad loans sold to the $90 series: $${$(delivery.paid)} to the recovery account,`);
  console.log(`  where the market at $60 would have paid $${$(seizedSol * 60n * USDC)} (and pushed the price lower still)`);
  if (vault.totals.released - releasedBefore !== delivery.paid) throw new Error('delivery payment not booked');

  heading('5. Expiry: SOL is back at $100; the keeper settles every series');
  const expiry = s120!.expiry;
  await net.timeTravelTo(expiry + 2n);
  await net.postPrice(f.priceAccount, SOL_FEED, usd(100n), { publishTime: expiry + 1n, prevPublishTime: expiry - 1n });
  const settled = async (which: (s: (typeof f.series)[number]) => boolean) => {
    for (let i = 0; i < 40; i++) {
      const now = await seriesNow();
      if (f.series.every((s, j) => !which(s) || now[j]!.settled)) return true;
      await pause(500);
    }
    return false;
  };
  if (!(await settled((s) => !s.physical))) throw new Error('the cash series did not settle');
  // The physical series takes deliveries until the grace hour after expiry closes, then the
  // keeper settles it without a price: the undelivered puts lapse.
  console.log('  the physical series keeps its delivery window open for an hour after expiry, then settles');
  await net.timeTravelTo(expiry + 3_602n);
  await net.postPrice(f.priceAccount, SOL_FEED, usd(100n));
  await settled(() => true);
  stopKeeper(keeper);
  const code = await keeperExit;
  if (code !== 0) throw new Error(`keeper exited ${code}`);
  const views = await seriesNow();
  if (!views.every((s) => s.settled)) throw new Error('not every series settled');
  console.log('  the advances are final: settlement at $100 owes nothing more, and the put tokens are burned');

  heading('6. The writers reclaim what is left of their escrow');
  const positions = new Map<string, { series: string; p: Position }[]>();
  for (const w of wallets) {
    positions.set(w.name, (await listPositions(connection.rpc, { writer: w.address as never })).map((p) => ({ series: p.data.series, p: p.data })));
  }
  // Maker D's collateral comes back to its own associated account.
  const makerD = wallets.find((w) => w.name === 'maker D')!;
  const makerDCollateral = await net.tokenAccount(f.payer, f.collateralMint!, makerD.address as never);
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
  const at = (list: SeriesView[], i: number) => list[i]!.data.advanced;
  const rows = views.filter((s) => s.data.style === SeriesStyle.CashRatchet).map((s, i) => [
    `$${s.data.strike / USDC}`, `$${$(at(shallow, i))}`, `$${$(at(deep, i) - at(shallow, i))}`, `$${$(s.data.payoutTotal - s.data.advanced)}`,
    `$${$(s.data.payoutTotal)}`, `$${$(owedAt(vault, s.data, 60n * PRICE_ONE))}`,
  ]);
  console.log('  Released capital by series');
  table(['strike', 'step at $99', 'deep step at $60', 'paid at expiry ($100)', 'total', 'intrinsic at $60'], rows);
  console.log(`  total to the protocol: $${$(vault.totals.released)} (cash steps and settlements, and the $${$(delivery.paid)} physical sale); keeper tips: $${$(vault.totals.tipsPaid)}`);
  const makerDSol = await net.balance(makerDCollateral);
  console.log(`  physical $90 series: ${seizedSol} SOL delivered for $${$(delivery.paid)}; maker D took back ${formatUnits(makerDSol, 9, 0)} SOL and the rest of its escrow`);
  if (makerDSol + (await net.balance(seized)) !== seizedSol * SOL) throw new Error('collateral conservation FAILED');

  console.log('\n  Writers');
  table(['writer', 'premium', 'escrowed', 'reclaimed', 'P&L'], wallets.map((w) => {
    const ps = positions.get(w.name)!;
    const premium = ps.reduce((a, x) => a + x.p.premiumReceived, 0n);
    const escrow = ps.reduce((a, x) => a + x.p.escrowDeposited, 0n);
    const back = reclaimed.get(w.name)!;
    return [w.name, `$${$(premium)}`, `$${$(escrow)}`, `$${$(back)}`, `${premium + back - escrow < 0n ? '-' : '+'}$${$((premium + back - escrow) < 0n ? escrow - premium - back : premium + back - escrow)}`];
  }));

  const d = positions.get('maker D')!;
  const dQuote = d.reduce((a, x) => a + x.p.premiumReceived - x.p.escrowDeposited, 0n) + reclaimed.get('maker D')!;
  const dAllIn = dQuote + (makerDSol * 100n * USDC) / SOL;
  console.log(`  maker D's P&L in quote leaves out the ${formatUnits(makerDSol, 9, 0)} SOL it bought at $90: worth $${$((makerDSol * 100n * USDC) / SOL)} at $100, ${dAllIn < 0n ? '-' : '+'}$${$(dAllIn < 0n ? -dAllIn : dAllIn)} all in`);

  const accounts = [f.protocolToken, f.reserve, f.recovery, keeperToken, ...f.series.map((s) => s.escrow), ...wallets.map((w) => w.token)];
  const held = (await Promise.all(accounts.map((a) => net.balance(a)))).reduce((a, b) => a + b, 0n);
  console.log(`\n  Token conservation: protocol + reserve + recovery + escrows + writers + keeper = $${$(held)}; minted $${$(f.minted)}`);
  if (held !== f.minted) throw new Error(`conservation FAILED: ${held} held vs ${f.minted} minted`);
  console.log('  ✓ every token accounted for, to the unit');
});
