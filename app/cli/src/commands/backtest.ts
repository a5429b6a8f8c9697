// backstop backtest: replays a price path (a CSV of closes, or a seeded jump-diffusion path with
// an optional crash) through the built program in LiteSVM, with the vault's settings (the flags
// and defaults of `vault create`), a ladder the keeper rolls (strike a percentage of spot, a tenor, an overlap), a
// market maker writing it and a keeper at the given cadence; reports coverage, premiums,
// releases against the protocol's shortfall, writers' P&L and tips, and draws the run as SVG.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateSvi } from '@backstop/sdk';
import { CliError, type GlobalOptions } from '../context';
import { json } from '../format';
import { Progress } from '../table';
import { amount, newVaultSettings, parseDuration, parseSvi } from './desk';
import { checkLadderOverlap, checkLadderTenor } from './ladder';
import { ChainError, MissingProgramError } from '../backtest/chain';
import { PathError, parsePriceCsv } from '../backtest/csv';
import { runBacktest, type BacktestConfig } from '../backtest/engine';
import { COLLATERAL_DECIMALS, FEED, QUOTE_DECIMALS } from '../backtest/market';
import { feedInteger, feedToPriceScale, jumpDiffusionPath, type PricePoint } from '../backtest/paths';
import { duration, renderReport } from '../backtest/report';
import { backtestSvg } from '../backtest/svg';

type Values = Record<string, unknown>;

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const DEFAULT_PROGRAM = resolve(REPO, 'target/deploy/backstop.so');
export const DEFAULT_CHART = resolve(REPO, 'target/backtest.svg');
/** The README's example slice: 60 % at the money with a put skew. */
const DEFAULT_SVI = '0.36,0.1,-0.5,0,0.1';
/** Its skew (b, rho, m, sigma), under a generated path's own variance by default. */
const SKEW = { b: 100_000_000n, rho: -500_000_000n, m: 0n, sigma: 100_000_000n };

/** A slice whose at-the-money total variance per year is `variance` (clamped to the program's
 * 5 %..300 % at-the-money volatility), with the README's skew: writers who price a generated
 * path at its own volatility. */
function sliceForVariance(variance: number) {
  const atm = Math.min(Math.max(variance, 0.05 ** 2), 3 ** 2);
  // At k = m = 0 the raw SVI variance is a + b * sigma.
  const a = BigInt(Math.round(atm * 1e9)) - (SKEW.b * SKEW.sigma) / 1_000_000_000n;
  return { a, ...SKEW };
}
/** A generated path starts here (2023-11-14T22:13:20Z): fixed, so a seed fixes the whole run. */
const GENERATED_START = 1_700_000_000;
/** A year at one tick a minute is about half of it; more would run for hours. */
const MAX_TICKS = 1_000_000n;

const PATH_FLAGS = ['seed', 'days', 'step', 'spot', 'vol', 'drift', 'jump-intensity', 'jump-mean', 'jump-vol', 'crash-at', 'crash-size', 'crash-for'];
const VAULT_FLAGS = ['barrier', 'cap-per-epoch', 'persistence', 'max-age', 'max-conf-bps', 'keeper-tip', 'min-tip-release', 'epoch', 'release-interval', 'write-cutoff'];
const RUN_FLAGS = ['size', 'strike-pct', 'tenor', 'overlap', 'tick', 'budget', 'svi', 'keeper-every', 'conf-bps', 'chart', 'program'];

export const BACKTEST_OPTIONS = {
  csv: { type: 'string' as const },
  'jump-diffusion': { type: 'boolean' as const },
  ...Object.fromEntries([...PATH_FLAGS, ...VAULT_FLAGS, ...RUN_FLAGS].map((o) => [o, { type: 'string' as const }])),
};

export const BACKTEST_HELP =
  'backtest (--csv FILE | --jump-diffusion [--seed N --crash-at 10d ...]) [--keeper-every 60s] ...   replay a price path through the built program in LiteSVM';

export const BACKTEST_USAGE =
  'backstop backtest (--csv FILE | --jump-diffusion [--seed 1 --days 30 --step 1h --spot 150 --vol 0.8 --drift 0 ' +
  '--jump-intensity 6 --jump-mean -0.08 --jump-vol 0.1] [--crash-at 10d --crash-size 40 [--crash-for 12h]]) ' +
  '[--size 1000 --strike-pct 80 --tenor 7d --overlap 1h --tick 0.01 --budget X --svi a,b,rho,m,sigma (default: the generated path\'s variance, or ' +
  `${DEFAULT_SVI})] [--keeper-every 60s] [--conf-bps 5] ` +
  '[vault create\'s settings: --barrier USD --cap-per-epoch X --persistence 60s ...] [--chart target/backtest.svg] [--program target/deploy/backstop.so]';

/** A decimal flag within [min, max] (`open`: the bounds themselves excluded). */
function decimal(values: Values, name: string, fallback: string, min: number, max: number, open = false): number {
  const text = (values[name] as string | undefined) ?? fallback;
  const v = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  const inside = open ? v > min && v < max : v >= min && v <= max;
  if (!Number.isFinite(v) || !inside) {
    throw new CliError(`--${name} must be a number ${open ? 'strictly ' : ''}between ${min} and ${max}, got "${text}"`, 2);
  }
  return v;
}

function seconds(values: Values, name: string, fallback: string): number {
  return Number(parseDuration((values[name] as string | undefined) ?? fallback, `--${name}`));
}

function seed(values: Values): number {
  const text = (values.seed as string | undefined) ?? '1';
  if (!/^\d+$/.test(text) || Number(text) > 0xffff_ffff) throw new CliError(`--seed must be a whole number from 0 to 4294967295, got "${text}"`, 2);
  return Number(text);
}

/** The path: a CSV file, or a generated jump-diffusion path; with a description for the report. */
function pricePath(values: Values): { points: PricePoint[]; source: string; variance?: number } {
  const csv = values.csv as string | undefined;
  if ((csv === undefined) === !values['jump-diffusion']) throw new CliError(`give --csv FILE or --jump-diffusion, exactly one\nusage: ${BACKTEST_USAGE}`, 2);
  if (csv !== undefined) {
    const stray = PATH_FLAGS.find((f) => values[f] !== undefined);
    if (stray) throw new CliError(`--${stray} shapes a generated path: it does not apply to --csv`, 2);
    let text: string;
    try {
      text = readFileSync(csv, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --csv ${csv}: ${(e as Error).message}`, 2);
    }
    try {
      const points = parsePriceCsv(text);
      return { points, source: `${csv} (${points.length} closes)` };
    } catch (e) {
      if (e instanceof PathError) throw new CliError(`${csv}: ${e.message}`, 2);
      throw e;
    }
  }
  const durationSecs = decimal(values, 'days', '30', 0, 3_650, true) * 86_400;
  const stepSecs = seconds(values, 'step', '1h');
  if (stepSecs >= durationSecs) throw new CliError(`--step ${stepSecs} s must be shorter than the path (--days)`, 2);
  if (durationSecs / stepSecs > 1_000_000) throw new CliError('the path would have more than a million steps: raise --step or lower --days', 2);
  const s = seed(values);
  let crash: { atSecs: number; size: number; forSecs?: number } | undefined;
  if (values['crash-at'] !== undefined) {
    const atSecs = seconds(values, 'crash-at', '0');
    if (atSecs >= durationSecs) throw new CliError(`--crash-at must fall inside the path (--days ${durationSecs / 86_400})`, 2);
    crash = { atSecs, size: decimal(values, 'crash-size', '40', 0, 100, true) / 100 };
    if (values['crash-for'] !== undefined) crash.forSecs = seconds(values, 'crash-for', '0');
  } else if (values['crash-size'] !== undefined || values['crash-for'] !== undefined) {
    throw new CliError('--crash-size and --crash-for need --crash-at', 2);
  }
  const model = {
    vol: decimal(values, 'vol', '0.8', 0, 5),
    drift: decimal(values, 'drift', '0', -5, 5),
    jumpIntensity: decimal(values, 'jump-intensity', '6', 0, 10_000),
    jumpMean: decimal(values, 'jump-mean', '-0.08', -1, 1),
    jumpVol: decimal(values, 'jump-vol', '0.1', 0, 2),
  };
  const points = jumpDiffusionPath({ seed: s, start: GENERATED_START, durationSecs, stepSecs, spot: decimal(values, 'spot', '150', 0, 1e9, true), ...model, crash });
  // The log-return variance per year of the model (diffusion plus jumps; the crash is not in it).
  const variance = model.vol ** 2 + model.jumpIntensity * (model.jumpMean ** 2 + model.jumpVol ** 2);
  const crashText = crash ? `, a ${crash.size * 100} % crash after ${duration(crash.atSecs)}${crash.forSecs ? ` for ${duration(crash.forSecs)}` : ''}` : '';
  return { points, source: `jump diffusion, seed ${s}${crashText}`, variance };
}

/** Everything the run needs from the flags, each bad value a usage error naming its flag. */
export function backtestConfig(values: Values): { config: BacktestConfig; source: string; chart: string } {
  const { points, source, variance } = pricePath(values);
  const first = feedToPriceScale(feedInteger(points[0]!.price));
  const insuredSize = amount((values.size as string | undefined) ?? '1000', COLLATERAL_DECIMALS, '--size');
  // Defaults that scale with the path: the barrier at 80 % of the first close, a release cap of
  // 10 % of the insured notional at the first close per epoch.
  const barrier = values.barrier !== undefined ? amount(values.barrier as string, 12, '--barrier') : (first * 80n) / 100n;
  const firstNotional = (first * insuredSize) / 10n ** BigInt(COLLATERAL_DECIMALS + 12 - QUOTE_DECIMALS);
  const cap = values['cap-per-epoch'] !== undefined ? amount(values['cap-per-epoch'] as string, QUOTE_DECIMALS, '--cap-per-epoch')
    : firstNotional / 10n > 0n ? firstNotional / 10n : 1n;
  const settings = newVaultSettings(values, QUOTE_DECIMALS, barrier, cap);

  // The ladder's bounds (docs/DESIGN.md section 7c): a rung at 10-100 % of spot, whole-hour
  // tenors, an overlap of 10 minutes to half the tenor.
  const pctText = (values['strike-pct'] as string | undefined) ?? '80';
  if (!/^\d+$/.test(pctText) || Number(pctText) < 10 || Number(pctText) > 100) throw new CliError(`--strike-pct must be a whole percentage from 10 to 100, got "${pctText}"`, 2);
  const tenorSecs = parseDuration((values.tenor as string | undefined) ?? '7d', '--tenor');
  checkLadderTenor(tenorSecs, settings.release.writeCutoffSecs);
  const overlapSecs = parseDuration((values.overlap as string | undefined) ?? '1h', '--overlap');
  checkLadderOverlap(tenorSecs, overlapSecs);
  const strikeTick = amount((values.tick as string | undefined) ?? '0.01', QUOTE_DECIMALS, '--tick');
  // Without --svi: a generated path's own variance, a CSV's the README's example slice.
  const svi = values.svi !== undefined || variance === undefined ? parseSvi((values.svi as string | undefined) ?? DEFAULT_SVI) : sliceForVariance(variance);
  try {
    validateSvi(svi, tenorSecs + overlapSecs); // as set_ladder checks it: the longest life a series can have
  } catch (e) {
    throw new CliError(`--svi refused: ${(e as Error).message} (the program refuses the same slice)`, 2);
  }
  const budget = values.budget === undefined ? undefined : amount(values.budget as string, QUOTE_DECIMALS, '--budget');

  const keeperEverySecs = parseDuration((values['keeper-every'] as string | undefined) ?? '60s', '--keeper-every');
  const window = BigInt(settings.trigger.persistenceSecs + settings.oracle.maxAgeSecs);
  if (keeperEverySecs > window) {
    throw new CliError(`--keeper-every ${keeperEverySecs} s is longer than persistence + max age (${window} s): breached observations that far apart ` +
      'restart the breach, so it could never confirm; tick more often or raise --persistence', 2);
  }
  const span = BigInt(points[points.length - 1]!.time - points[0]!.time);
  if (keeperEverySecs >= span) throw new CliError(`--keeper-every ${keeperEverySecs} s is not shorter than the path (${span} s)`, 2);
  if (span / keeperEverySecs > MAX_TICKS) {
    throw new CliError(`the path would take ${span / keeperEverySecs} keeper ticks (at most ${MAX_TICKS}): raise --keeper-every or shorten the path`, 2);
  }
  const confText = (values['conf-bps'] as string | undefined) ?? '5';
  if (!/^\d+$/.test(confText) || BigInt(confText) > BigInt(settings.pricing.writeConfBps)) {
    throw new CliError(`--conf-bps must be whole basis points up to the vault's write cap (${settings.pricing.writeConfBps}), got "${confText}"`, 2);
  }
  return {
    config: {
      path: points, programPath: resolve((values.program as string | undefined) ?? DEFAULT_PROGRAM), settings, insuredSize,
      strikePct: BigInt(pctText), tenorSecs, overlapSecs, strikeTick, budget, svi, keeperEverySecs, confBps: BigInt(confText),
    },
    source,
    chart: resolve((values.chart as string | undefined) ?? DEFAULT_CHART),
  };
}

export async function backtestCommand(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  if (positionals.length > 0) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${BACKTEST_USAGE}`, 2);
  const { config, source, chart } = backtestConfig(values);
  const progress = new Progress();
  const quiet = !process.stderr.isTTY;
  let shown = -1;
  config.onProgress = ({ time, start, end, transactions }) => {
    const done = Number(time - start) / Math.max(1, Number(end - start));
    // One line per tenth on a pipe; a live line on a terminal.
    if (quiet && Math.floor(done * 10) === shown) return;
    shown = Math.floor(done * 10);
    progress.step(`backtest: day ${(Number(time - start) / 86_400).toFixed(1)} of ${(Number(end - start) / 86_400).toFixed(1)}, ${transactions} transactions`);
  };
  let result;
  try {
    result = await runBacktest(config);
  } catch (e) {
    progress.done();
    if (e instanceof MissingProgramError) throw new CliError(e.message);
    if (e instanceof ChainError && e.what === 'create_vault') throw new CliError(`the program refuses these vault settings: ${e.errorName}`, 2);
    if (e instanceof ChainError && (e.what === 'set_ladder' || e.what === 'roll_series')) {
      throw new CliError(`the program refuses the ladder's series (check --svi, --strike-pct, --tenor, --overlap, --budget): ${e.errorName}`, 2);
    }
    throw e;
  }
  progress.done(`backtest: ${result.ticks} ticks, ${result.transactions} transactions`);
  mkdirSync(dirname(chart), { recursive: true });
  writeFileSync(chart, backtestSvg(result, `Backstop backtest: ${source}`));
  if (opts.json) {
    return json({
      path: { source, points: config.path.length, feed: FEED },
      settings: { ...config.settings, insuredSize: config.insuredSize, strikePct: config.strikePct, tenorSecs: config.tenorSecs, overlapSecs: config.overlapSecs, strikeTick: config.strikeTick, keeperEverySecs: config.keeperEverySecs },
      chart,
      ...result,
    });
  }
  return renderReport(result, { source, strikePct: config.strikePct, tenorSecs: config.tenorSecs, keeperEverySecs: config.keeperEverySecs, svi: config.svi, chart });
}
