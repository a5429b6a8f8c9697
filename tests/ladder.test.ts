// Continuous coverage on the local validator: the risk authority sets a ladder in the CLI, the
// keeper rolls each rung and rolls it again in the overlap window of three expiries (no lapse),
// a change waits the vault's timelock (--apply before it is refused with the time), a stop is
// shown pending, and every bad input of `ladder set` is refused with its own message.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  SeriesStyle,
  fetchChainTime,
  fetchLadderState,
  fetchSeriesView,
  fetchVault,
  findEventAuthorityPda,
  findSeriesPda,
  getRollSeriesInstructionAsync,
  rollExpiry,
  rollSeries,
  sendInstructions,
  setLadder,
  type Connection,
} from '../app/sdk/src/index';
import { Keeper, type KeeperAction } from '../app/cli/src/keeper';
import { main } from '../app/cli/src/main';
import { DEMO_SVI, SETTINGS_TIMELOCK_SECS, SOL, SOL_FEED, USDC, createFixture, type Fixture } from '../migrations/lib/backstop-fixture';
import { newKeypairFile } from '../migrations/lib/localnet';
import { RPC_URL, WS_URL, deployer, rpc, rpcSubscriptions } from './support/localnet';
import { net } from './support/net';

const connection: Connection = { rpc, rpcSubscriptions };
const dir = mkdtempSync(join(tmpdir(), 'backstop-ladder-'));
const keys = { protocol: join(dir, 'protocol.json'), risk: join(dir, 'risk.json') };
const SVI = '0.36,0.1,-0.5,0,0.1';
const DAY = 86_400n;
let f: Fixture;

async function cli(key: keyof typeof keys, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--url', RPC_URL, '--ws', WS_URL, '--keypair', keys[key]], (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const TEMPLATE = ['--tenor', '1d', '--strikes-pct', '80,90', '--size-cap', '100', '--budget', '1000', '--svi', SVI, '--overlap', '2h'];

before(async () => {
  const protocol = await newKeypairFile(keys.protocol);
  const risk = await newKeypairFile(keys.risk);
  await net.airdrop(protocol.address, 5n);
  await net.airdrop(risk.address, 5n);
  f = await createFixture(net, {
    deployer: await deployer(), spotUsd: 150n, barrierUsd: 90n, strikesUsd: [], tenorSecs: DAY, reserveUsdc: 50_000n, protocol, risk,
  });
});

test('ladder set refuses each bad input with its own message and sends nothing', async () => {
  const none = await cli('risk', 'ladder', 'show', f.vault);
  assert.equal(none.code, 0, none.err);
  assert.match(none.out, /has no ladder/);
  const without = (flag: string) => {
    const i = TEMPLATE.indexOf(flag);
    return [...TEMPLATE.slice(0, i), ...TEMPLATE.slice(i + 2)];
  };
  const withFlag = (flag: string, value: string) => [...without(flag), flag, value];
  for (const [args, message] of [
    [withFlag('--tenor', '90m'), /--tenor must be whole hours/],
    [withFlag('--tenor', '1h'), /--tenor must be at least 2h/],
    [withFlag('--tenor', '5m'), /--tenor must be whole hours/],
    [withFlag('--tenor', '3y'), /--tenor must be a duration/],
    [withFlag('--tenor', '800d'), /--tenor is longer than two years/],
    [withFlag('--overlap', '5m'), /--overlap must be 10 minutes to half the tenor/],
    [withFlag('--overlap', '13h'), /--overlap must be 10 minutes to half the tenor/],
    [withFlag('--strikes-pct', '80,80'), /repeats a strike/],
    [withFlag('--strikes-pct', '5'), /outside 10-100 % of spot/],
    [withFlag('--strikes-pct', '101'), /outside 10-100 % of spot/],
    [withFlag('--strikes-pct', '60,70,80,90,95'), /one to four percentages/],
    [withFlag('--strikes-pct', '80.125'), /at most two decimals/],
    [withFlag('--svi', '0.36,-0.1,-0.5,0,0.1'), /--svi refused: .*SviNegativeB/],
    [withFlag('--size-cap', '0'), /--size-cap must be positive/],
    [withFlag('--budget', 'lots'), /bad --budget/],
    [[...TEMPLATE, '--tick', '0'], /--tick must be positive/],
    [[...TEMPLATE, '--physical'], /created without a collateral mint/],
    [without('--svi'), /missing --svi/],
    [[...TEMPLATE, '--stop'], /a template, --stop or --apply, one of them/],
    [['--stop', '--apply'], /a template, --stop or --apply, one of them/],
  ] as const) {
    const r = await cli('risk', 'ladder', 'set', f.vault, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
  const nothingPending = await cli('risk', 'ladder', 'set', f.vault, '--apply');
  assert.equal(nothingPending.code, 1);
  assert.match(nothingPending.err, /no pending ladder template/);
  const notRisk = await cli('protocol', 'ladder', 'set', f.vault, ...TEMPLATE);
  assert.equal(notRisk.code, 1);
  assert.match(notRisk.err, /program error NotRiskAuthority/);
  assert.equal(await fetchLadderState(rpc, f.vault), null, 'nothing was created');
});

test('the keeper rolls each rung at once and again in the overlap window of three expiries: coverage never lapses', async () => {
  const set = await cli('risk', 'ladder', 'set', f.vault, ...TEMPLATE, '--json');
  assert.equal(set.code, 0, set.err);
  assert.equal(JSON.parse(set.out).applied, true, 'a first template applies at once');
  const signer = await net.fundedSigner(2n);
  const lines: string[] = [];
  const keeper = new Keeper({ connection, keeper: signer, vaults: [f.vault], priceAccount: f.priceAccount, programAddress: BACKSTOP_PROGRAM_ADDRESS, log: (l) => lines.push(l) });
  const rolls = (done: KeeperAction[]) => done.filter((a): a is KeeperAction & { kind: 'roll' } => a.kind === 'roll');
  let spot = 150_00n;
  let live: { rung: number; series: string; expiry: bigint }[] = [];
  for (let round = 0; round < 4; round++) {
    await net.postPrice(f.priceAccount, SOL_FEED, spot * 1_000_000n);
    const done = rolls(await keeper.tick());
    assert.deepEqual(done.map((r) => r.rung).sort(), [0, 1], `round ${round}: both rungs roll`);
    const now = await net.chainTime();
    for (const r of done) {
      const s = (await fetchSeriesView(rpc, r.series)).data;
      const bps = [8_000n, 9_000n][r.rung]!;
      assert.equal(s.strike, ((spot * USDC) / 100n) * bps / 10_000n / USDC * USDC, 'strike from this spot on the $1 grid');
      assert.deepEqual([s.sizeCap, s.premiumBudget], [100n * SOL, 1_000n * USDC]);
      const before = live.find((l) => l.rung === r.rung);
      if (before) {
        assert.equal(s.expiry, before.expiry + DAY, 'on schedule');
        assert.ok(before.expiry > now, 'the previous series still covers: no lapse');
      }
    }
    live = done.map((r) => ({ rung: r.rung, series: r.series, expiry: r.expiry }));
    assert.deepEqual(rolls(await keeper.tick()), [], 'nothing is due until the next window');
    if (round === 3) break;
    // The next overlap window: two hours before expiry.
    await net.timeTravelTo(live[0]!.expiry - 2n * 3_600n + 30n);
    spot = [120_00n, 135_50n, 99_00n][round]!;
  }
  assert.ok(lines.some((l) => /^roll .* \(rung 1\): strike 89, expires/.test(l)), lines.join('\n'));
  const show = await cli('risk', 'ladder', 'show', f.vault, '--json');
  assert.equal(show.code, 0, show.err);
  const s = JSON.parse(show.out);
  assert.equal(s.rolled, '8');
  assert.deepEqual(s.rungs.slice(0, 2).map((r: { series: string }) => r.series).sort(), live.map((l) => l.series).sort());
  const text = await cli('risk', 'ladder', 'show', f.vault);
  assert.match(text.out, /strikes\s+80 %, 90 % of spot, on a 1 grid/);
  assert.match(text.out, /rung 0\s+\S+, expires/);
});

test('a change waits the vault timelock (--apply before it is refused with the time) and a stop is shown pending', async () => {
  const propose = await cli('risk', 'ladder', 'set', f.vault, ...TEMPLATE.map((a) => (a === '80,90' ? '70,80,90' : a)));
  assert.equal(propose.code, 0, propose.err);
  assert.match(propose.out, /proposed\s+a new template, applies from/);
  const shown = await cli('risk', 'ladder', 'show', f.vault);
  assert.match(shown.out, /pending\s+a new template, applies from/);
  const early = await cli('risk', 'ladder', 'set', f.vault, '--apply');
  assert.equal(early.code, 1);
  assert.match(early.err, /applies from .* \(in \d+ s\)/);
  await net.advance(BigInt(SETTINGS_TIMELOCK_SECS) + 1n);
  const apply = await cli('risk', 'ladder', 'set', f.vault, '--apply', '--json');
  assert.equal(apply.code, 0, apply.err);
  assert.equal(JSON.parse(apply.out).applied, true);
  const l = (await fetchLadderState(rpc, f.vault))!.ladder;
  assert.deepEqual(l.template.strikesBps, [7_000, 8_000, 9_000, 0]);
  const stop = await cli('risk', 'ladder', 'set', f.vault, '--stop');
  assert.equal(stop.code, 0, stop.err);
  assert.match(stop.out, /proposed\s+a stop, applies from/);
  assert.match((await cli('risk', 'ladder', 'show', f.vault)).out, /pending\s+a stop/);
});

test("a neighbour rung holding the lower grid strike does not block a roll: the keeper takes the grid point above", async () => {
  const g = await createFixture(net, { deployer: await deployer(), spotUsd: 103n, barrierUsd: 60n, strikesUsd: [], tenorSecs: DAY, reserveUsdc: 50_000n });
  await setLadder(connection, g.risk, {
    vault: g.vault,
    template: {
      tenorSecs: 86_400, overlapSecs: 7_200, strikesBps: [9_000, 9_500, 0, 0], strikeTick: 5n * USDC, style: SeriesStyle.CashRatchet,
      sizeCap: 100n * SOL, budgetPerSeries: 1_000n * USDC, svi: DEMO_SVI,
    },
  });
  await net.postPrice(g.priceAccount, SOL_FEED, 103n * 100_000_000n);
  // Someone rolls rung 0 (target $92.70) at the grid point above, $95: rung 1's lower choice.
  const attacker = await net.fundedSigner(1n);
  const l = (await fetchLadderState(rpc, g.vault))!;
  const v = (await fetchVault(rpc, g.vault)).data;
  const expiry = rollExpiry(l.ladder, 0, await fetchChainTime(rpc));
  const ix = await getRollSeriesInstructionAsync({
    payer: attacker, vault: g.vault, ladder: l.address, priceUpdate: g.priceAccount, reserve: v.reserve,
    series: await findSeriesPda(g.vault, 95n * USDC, expiry), quoteMint: v.quoteMint, rung: 0, strike: 95n * USDC, expiry,
    eventAuthority: await findEventAuthorityPda(), program: BACKSTOP_PROGRAM_ADDRESS,
  });
  await sendInstructions(connection, attacker, [ix]);
  // Rung 1 (target $97.85) still rolls, at $100.
  const keeper = await net.fundedSigner(1n);
  const r = await rollSeries(connection, keeper, { vault: g.vault, rung: 1, priceUpdate: g.priceAccount });
  assert.equal(r.strike, 100n * USDC);
  assert.equal(r.expiry, expiry);
  const after = (await fetchLadderState(rpc, g.vault))!.ladder;
  assert.deepEqual(after.rungs.slice(0, 2).map((x) => x.series), [await findSeriesPda(g.vault, 95n * USDC, expiry), r.series]);
});
