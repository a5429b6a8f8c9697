// backstop backtest, in LiteSVM (no validator): two generated crash paths through the built
// program, each of the run's numbers (measured from token balances) equal to an independent sum
// over the program's own event log, to the unit; capital released during the crash and never
// more than the protocol's shortfall; quote conserved; coverage before the crash; the chart
// well-formed. Then the CLI: the happy path as a process (--json), a CSV path, each bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { CapitalReleased, PositionReclaimed, PutWritten, SeriesSettled } from '../app/sdk/src/index';
import { main } from '../app/cli/src/main';
import { backtestConfig } from '../app/cli/src/commands/backtest';
import { runBacktest, type BacktestResult } from '../app/cli/src/backtest/engine';
import { jumpDiffusionPath } from '../app/cli/src/backtest/paths';
import { parsePriceCsv } from '../app/cli/src/backtest/csv';
import { backtestSvg } from '../app/cli/src/backtest/svg';

const dir = mkdtempSync(join(tmpdir(), 'backstop-backtest-'));
const DAY = 86_400n;

/** Ten days of hourly prices with a 40 % crash on day 4, a keeper every 5 minutes, a 10-minute
 * persistence, series of 3 days at 80 % of spot. */
const CRASH = {
  'jump-diffusion': true, days: '10', step: '1h', 'crash-at': '4d', 'crash-size': '40',
  'keeper-every': '5m', persistence: '10m', 'release-interval': '5m', 'write-cutoff': '1h', tenor: '3d',
};
/** A flash crash undone after 12 hours (writes resume, later series are written), and one that
 * lasts (the breach holds to the end: later series stay unwritten; settlement pays beyond the
 * advances when the price kept falling). */
const PATHS = [
  { seed: '7', extra: { 'crash-for': '12h' } },
  { seed: '2024', extra: {} },
];
const CRASH_AT = 1_700_000_000n + 4n * DAY;

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
const total = <T>(events: T[], f: (e: T) => bigint) => sum(events.map(f));

/** The bodies of the run's events of one kind, as the program emitted them. */
function named<T>(r: BacktestResult, name: string): T[] {
  return r.events.filter((e) => e.name === name).map((e) => e.data as unknown as T);
}

/** Every number of the report against the event log, to the unit. */
function assertMatchesEventLog(r: BacktestResult) {
  const written = named<PutWritten>(r, 'PutWritten');
  const steps = named<CapitalReleased>(r, 'CapitalReleased');
  const settled = named<SeriesSettled>(r, 'SeriesSettled');
  const reclaimed = named<PositionReclaimed>(r, 'PositionReclaimed');
  const closed = named<{ dust: bigint }>(r, 'SeriesClosed');
  const funded = named<{ amount: bigint }>(r, 'ReserveFunded');
  const t = r.totals;
  assert.equal(t.premiums, total(written, (e) => e.premium), 'premiums = sum of PutWritten.premium');
  assert.equal(t.escrowDeposited, total(written, (e) => e.escrow), 'escrow = sum of PutWritten.escrow');
  assert.equal(t.released.ratchet, total(steps, (e) => e.payout), 'step releases = sum of CapitalReleased.payout');
  assert.equal(t.keeperTips, total(steps, (e) => e.keeperTip), 'tips = sum of CapitalReleased.keeperTip');
  assert.equal(t.released.settlement, total(settled, (e) => e.payout), 'settlement = sum of SeriesSettled.payout');
  assert.equal(t.reclaimed, total(reclaimed, (e) => e.reclaimed), 'reclaims = sum of PositionReclaimed.reclaimed');
  assert.equal(t.dustSwept, total(closed, (e) => e.dust), 'dust = sum of SeriesClosed.dust');
  assert.equal(t.reserveFunded, total(funded, (e) => e.amount), 'funding = sum of ReserveFunded.amount');
  assert.equal(t.writerPnl, total(written, (e) => e.premium) + total(reclaimed, (e) => e.reclaimed) - total(written, (e) => e.escrow));
  for (const s of r.series) {
    const mine = <E extends { series: string }>(es: E[]) => es.filter((e) => e.series === s.address);
    assert.equal(s.premium, total(mine(written), (e) => e.premium), `premium of ${s.address}`);
    assert.equal(s.ratchetReleased, total(mine(steps), (e) => e.payout), `steps of ${s.address}`);
    assert.equal(s.settlementPaid, total(mine(settled), (e) => e.payout), `settlement of ${s.address}`);
    assert.equal(s.written, total(mine(written), (e) => e.size), `size of ${s.address}`);
    // A writer's share of the payouts is exactly what the series paid out (one writer).
    assert.equal(total(mine(reclaimed), (e) => e.payoutShare), s.written > 0n ? s.ratchetReleased + s.settlementPaid : 0n);
  }
}

/** Quote in = quote out: what the run minted is where the flows put it, each holding equal to
 * its own sum of the event log. */
function assertConserved(r: BacktestResult) {
  const t = r.totals;
  const h = r.conservation.holdings;
  assert.ok(r.conservation.ok);
  assert.equal(r.conservation.minted, t.reserveFunded + t.writerCapitalIn);
  assert.equal(h.protocol + h.writer + h.keeper + h.reserve + h.recovery + h.escrows, r.conservation.minted);
  assert.equal(h.recovery, t.released.total, 'the recovery account holds every release');
  assert.equal(h.keeper, t.keeperTips, 'the keeper holds its tips');
  assert.equal(h.reserve, t.reserveFunded - t.premiums - t.keeperTips + t.dustSwept, 'reserve = funded - premiums - tips + dust');
  assert.equal(h.writer, t.writerCapitalIn + t.premiums - t.escrowDeposited + t.reclaimed, 'writer = capital + premiums - escrow + reclaims');
  assert.equal(h.escrows, t.escrowDeposited - t.released.total - t.reclaimed - t.dustSwept, 'escrows = deposits - payouts - reclaims - dust');
  assert.equal(h.protocol, 0n, 'the protocol funded exactly what it brought');
}

/** A tag-balance check of the chart: every element closed in order, the root an <svg>. */
function assertWellFormedSvg(svg: string) {
  assert.match(svg, /^<svg xmlns='http:\/\/www.w3.org\/2000\/svg' viewBox='0 0 \d+ \d+'/);
  assert.ok(svg.endsWith('</svg>\n'));
  const stack: string[] = [];
  for (const [, close, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (close) assert.equal(stack.pop(), name, `</${name}> closes what was opened`);
    else if (!selfClosing) stack.push(name!);
  }
  assert.deepEqual(stack, []);
  assert.doesNotMatch(svg.replace(/&(amp|lt|gt|apos);/g, ''), /&/, 'every & is an entity');
  assert.equal(svg.match(/<path /g)?.length, 5, 'price, barrier, strike, coverage, release');
}

for (const { seed, extra } of PATHS) {
  test(`crash path (seed ${seed}${'crash-for' in extra ? ', flash' : ', lasting'}): the numbers are the event log's, released during the crash, within the shortfall, conserved`, async () => {
    const { config } = backtestConfig({ ...CRASH, ...extra, seed });
    const r = await runBacktest(config);
    assertMatchesEventLog(r);
    assertConserved(r);

    // The crash released capital while it lasted (release steps, before any settlement).
    const during = r.events.filter((e) => e.name === 'CapitalReleased' && e.time >= CRASH_AT && e.time <= CRASH_AT + DAY / 2n + 3_600n);
    assert.ok(during.length > 0 && total(during, (e) => (e.data as unknown as CapitalReleased).payout) > 0n, 'release steps paid during the crash');
    assert.ok(r.totals.released.total > 0n);
    // Never more than a perfect put on the insured size: per series and in all.
    for (const s of r.series) assert.ok(s.released <= s.shortfall, `${s.address}: released ${s.released} <= shortfall ${s.shortfall}`);
    assert.ok(r.totals.shortfall > 0n && r.totals.released.total <= r.totals.shortfall);
    // Every series settled and was closed. The ladder rolled each next series inside the
    // overlap window of the live one, on schedule: coverage never lapsed; the last one covers
    // the path's end (the run winds down to its expiry).
    assert.ok(r.series.every((s) => s.settledAt !== null && s.closed));
    assert.ok(r.series.length >= 3);
    for (let i = 1; i < r.series.length; i++) {
      const [prev, next] = [r.series[i - 1]!, r.series[i]!];
      assert.ok(next.openedAt < prev.expiry && next.openedAt >= prev.expiry - config.overlapSecs, `series ${i} opened in the overlap window`);
      assert.equal(next.expiry, prev.expiry + config.tenorSecs, 'on schedule');
    }
    const last = r.series[r.series.length - 1]!.expiry;
    assert.ok(last >= r.end && last <= r.end + config.tenorSecs);
    if ('crash-for' in extra) {
      assert.equal(r.coverage.coveredSecs, r.coverage.totalSecs, 'written cover all along');
    } else {
      // A lasting breach freezes writes (docs/DESIGN.md section 7c): the series rolled while it
      // holds open on schedule but stay unwritten; cover is what was written before the crash.
      const during = r.series.filter((s) => s.openedAt > CRASH_AT + DAY);
      assert.ok(during.length > 0 && during.every((s) => s.written === 0n), 'rolled in the breach, unwritten');
      assert.ok(r.coverage.coveredSecs < r.coverage.totalSecs);
    }
    const rolled = r.events.filter((e) => e.name === 'SeriesRolled');
    assert.deepEqual(rolled.map((e) => (e.data as unknown as { series: string }).series), r.series.map((s) => s.address), 'one roll per series');

    // Covered before the crash: every sample before it has writers' capital in escrow.
    const before = r.samples.filter((s) => s.time < CRASH_AT);
    assert.ok(before.length > 10 && before.every((s) => s.coverage > 0n && s.coverageBps > 0n));
    assert.ok(r.coverage.averageBps > 0n && r.coverage.coveredSecs > 0n);
    // The recovery account's balance only grows, and ends at what was released.
    for (let i = 1; i < r.samples.length; i++) assert.ok(r.samples[i]!.released >= r.samples[i - 1]!.released);
    assert.equal(r.samples[r.samples.length - 1]!.released, r.totals.released.total);

    assertWellFormedSvg(backtestSvg(r, `seed ${seed} <crash> & recovery`));
  });
}

test('generated paths: one seed, one path; another seed, another; the crash drops and comes back', () => {
  const p = { seed: 7, start: 0, durationSecs: 10 * 86_400, stepSecs: 3_600, spot: 150, vol: 0.8, drift: 0, jumpIntensity: 6, jumpMean: -0.08, jumpVol: 0.1 };
  assert.deepEqual(jumpDiffusionPath(p), jumpDiffusionPath(p));
  assert.notDeepEqual(jumpDiffusionPath(p), jumpDiffusionPath({ ...p, seed: 8 }));
  const crashed = jumpDiffusionPath({ ...p, crash: { atSecs: 4 * 86_400, size: 0.4, forSecs: 12 * 3_600 } });
  const plain = jumpDiffusionPath(p);
  assert.equal(crashed.length, 241);
  const at = 4 * 24;
  assert.ok(Math.abs(crashed[at]!.price / plain[at]!.price - 0.6) < 1e-9, 'down 40 % at the crash');
  assert.ok(Math.abs(crashed[at + 12]!.price / plain[at + 12]!.price - 1) < 1e-9, 'back 12 hours later');
  assert.ok(crashed.every((x) => x.price > 0 && Number.isFinite(x.price)));
});

test('CSV paths: unix seconds or ISO dates, each mistake with its line', () => {
  assert.deepEqual(parsePriceCsv('timestamp,close\n1700000000,150\n2023-11-14T23:13:20Z,149.5\n'), [
    { time: 1_700_000_000, price: 150 }, { time: 1_700_003_600, price: 149.5 },
  ]);
  assert.deepEqual(parsePriceCsv('Close,Timestamp,Volume\n1.5,2024-01-01,7\n2,2024-01-02 00:00:00,8\n').map((p) => p.time), [1_704_067_200, 1_704_153_600]);
  for (const [text, message] of [
    ['', /empty/],
    ['time,price\n1,2\n', /line 1: the header must name the columns timestamp and close/],
    ['timestamp,close\n1700000000,150\n', /at least 2 rows/],
    ['timestamp,close\n1700000000,150\n1700000000,151\n', /line 3: timestamp 1700000000 is not after/],
    ['timestamp,close\n1700000000,150\n1699999999,151\n', /line 3: .*not after/],
    ['timestamp,close\n1700000000,150\n\n1700003600,-1\n', /line 4: close "-1" is not a positive number/],
    ['timestamp,close\n1700000000,0\n1700003600,1\n', /line 2: close "0"/],
    ['timestamp,close\n1700000000,NaN\n1700003600,1\n', /line 2: close "NaN"/],
    ['timestamp,close\nyesterday,150\n1700003600,1\n', /line 2: timestamp "yesterday"/],
    ['timestamp,close\n1700000000000,150\n1700003600000,1\n', /line 2: .*milliseconds/],
    ['timestamp,close\n1700000000,150,3\n', /line 2: expected 2 columns, got 3/],
  ] as const) {
    assert.throws(() => parsePriceCsv(text), message);
  }
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../app/cli/bin/backstop.mjs', import.meta.url));
const SHORT = ['--jump-diffusion', '--seed', '11', '--days', '2', '--keeper-every', '2m', '--tenor', '1d', '--crash-at', '1d', '--crash-size', '30', '--crash-for', '6h'];

test('backstop backtest --json as a process: the report, its events and the chart', async () => {
  const chart = join(dir, 'cli.svg');
  const { stdout, stderr } = await run(process.execPath, [BIN, 'backtest', ...SHORT, '--chart', chart, '--json'], { maxBuffer: 64 << 20 });
  assert.match(stderr, /backtest: day 0\.0 of 2\.0/, 'a progress line on stderr');
  const r = JSON.parse(stdout);
  assert.equal(r.chart, chart);
  assert.equal(r.conservation.ok, true);
  assert.ok(r.series.length >= 2, 'a series after the first expiry');
  const big = (xs: { data: Record<string, string> }[], field: string) => sum(xs.map((e) => BigInt(e.data[field]!)));
  const of = (name: string) => r.events.filter((e: { name: string }) => e.name === name);
  assert.equal(BigInt(r.totals.premiums), big(of('PutWritten'), 'premium'));
  assert.equal(BigInt(r.totals.released.ratchet), big(of('CapitalReleased'), 'payout'));
  assert.equal(BigInt(r.totals.released.settlement), big(of('SeriesSettled'), 'payout'));
  assert.equal(BigInt(r.totals.reclaimed), big(of('PositionReclaimed'), 'reclaimed'));
  assert.ok(BigInt(r.totals.released.total) > 0n, 'the 30 % crash released capital');
  assertWellFormedSvg(readFileSync(chart, 'utf8'));
});

test('backstop backtest --csv: a table of series and the definitions', async () => {
  const csv = join(dir, 'path.csv');
  const rows = Array.from({ length: 48 }, (_, i) => `${1_704_067_200 + i * 3_600},${i >= 20 && i < 26 ? 60 : 100 + (i % 3)}`);
  writeFileSync(csv, `timestamp,close\n${rows.join('\n')}\n`);
  const chart = join(dir, 'csv.svg');
  const r = await cli('backtest', '--csv', csv, '--tenor', '12h', '--keeper-every', '2m', '--chart', chart);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /path\s+.*path\.csv \(48 closes\)/);
  assert.match(r.out, /released\s+\d/);
  assert.match(r.out, /conservation\s+ok/);
  assert.match(r.out, /#\s+opened\s+expiry\s+strike/);
  assert.match(r.out, /shortfall: per series, insured size x \(strike - lowest feed price/);
  assert.ok(existsSync(chart));
});

test('backstop backtest: every bad input has its own message and exit code', async () => {
  const write = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const unsorted = write('unsorted.csv', 'timestamp,close\n1700000000,150\n1700003600,140\n1700000100,130\n');
  const negative = write('negative.csv', 'timestamp,close\n1700000000,150\n1700003600,-3\n');
  const jd = ['--jump-diffusion', '--days', '1'];
  for (const [args, message, code] of [
    [['backtest'], /give --csv FILE or --jump-diffusion, exactly one/, 2],
    [['backtest', '--csv', unsorted, '--jump-diffusion'], /exactly one/, 2],
    [['backtest', '--csv', unsorted], /unsorted\.csv: line 4: timestamp 1700000100 is not after the previous row's \(1700003600\)/, 2],
    [['backtest', '--csv', negative], /negative\.csv: line 3: close "-3" is not a positive number/, 2],
    [['backtest', '--csv', join(dir, 'missing.csv')], /cannot read --csv .*missing\.csv/, 2],
    [['backtest', '--csv', negative, '--seed', '3'], /--seed shapes a generated path: it does not apply to --csv/, 2],
    [['backtest', ...jd, '--bogus'], /Unknown option '--bogus'/, 2],
    [['backtest', ...jd, '--seed=-1'], /--seed must be a whole number from 0 to 4294967295, got "-1"/, 2],
    [['backtest', ...jd, '--seed', '1.5'], /--seed must be a whole number/, 2],
    [['backtest', ...jd, '--seed', '4294967296'], /--seed must be a whole number/, 2],
    [['backtest', ...jd, '--seed', 'abc'], /--seed must be a whole number/, 2],
    [['backtest', ...jd, '--vol', 'high'], /--vol must be a number between 0 and 5, got "high"/, 2],
    [['backtest', ...jd, '--step', '2d'], /--step 172800 s must be shorter than the path/, 2],
    [['backtest', ...jd, '--crash-size', '40'], /--crash-size and --crash-for need --crash-at/, 2],
    [['backtest', ...jd, '--crash-at', '2d'], /--crash-at must fall inside the path/, 2],
    [['backtest', ...jd, '--crash-at', '6h', '--crash-size', '100'], /--crash-size must be a number strictly between 0 and 100/, 2],
    [['backtest', ...jd, '--keeper-every', '5m'], /--keeper-every 300 s is longer than persistence \+ max age \(120 s\)/, 2],
    [['backtest', ...jd, '--strike-pct', '0'], /--strike-pct must be a whole percentage from 10 to 100/, 2],
    [['backtest', ...jd, '--size', '0'], /--size must be positive/, 2],
    [['backtest', ...jd, '--svi', '0.36,0.1,-1.5,0,0.1'], /--svi refused: .*Rho/i, 2],
    [['backtest', ...jd, '--conf-bps', '150'], /--conf-bps must be whole basis points up to the vault's write cap \(100\)/, 2],
    [['backtest', ...jd, '--tenor', 'soon'], /--tenor must be a duration like 30d/, 2],
    [['backtest', ...jd, '--strike-pct', '120'], /--strike-pct must be a whole percentage from 10 to 100/, 2],
    [['backtest', ...jd, '--tenor', '90m'], /--tenor must be whole hours/, 2],
    [['backtest', ...jd, '--tenor', '1h'], /--tenor must be at least 2h/, 2],
    [['backtest', ...jd, '--tenor', '2h', '--write-cutoff', '1h'], /--tenor must be more than an hour longer than the write cutoff \(3600 s\)/, 2],
    [['backtest', ...jd, '--overlap', '5m'], /--overlap must be 10 minutes to half the tenor/, 2],
    [['backtest', ...jd, '--tenor', '2h', '--overlap', '2h'], /--overlap must be 10 minutes to half the tenor \(3600 s\)/, 2],
    [['backtest', ...jd, '--tick', '0'], /--tick must be positive/, 2],
    [['backtest', ...jd, 'extra'], /unexpected argument extra/, 2],
    [['backtest', ...jd, '--write-cutoff', '1m'], /the program refuses these vault settings: WriteCutoffTooShort/, 2],
    // Raw-SVI admissible, but 316 % at the money: only the program's own check refuses it.
    [['backtest', ...jd, '--svi', '10,0.1,-0.5,0,0.1'], /the program refuses the ladder's series .*: MathSviAtmVolOutOfRange/, 2],
    [['backtest', ...jd, '--program', join(dir, 'nowhere.so')], /no program at .*nowhere\.so: build it first with scripts\/build-sbf\.sh/, 1],
  ] as const) {
    const r = await cli(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
});
