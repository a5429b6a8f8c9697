// Continuous coverage: backstop ladder set | show (docs/DESIGN.md section 7c). The keeper rolls
// the rungs; these commands are the risk authority's template and everyone's view of it.
import {
  DEFAULT_ADDRESS,
  SeriesStyle,
  fetchChainTime,
  fetchLadderState,
  fetchVaultAccount,
  isStopped,
  rungViews,
  setLadder,
  validateSvi,
  type LadderTemplateArgs,
  type Vault,
} from '@backstop/sdk';
import { CliError, connect, need, signer, type GlobalOptions } from '../context';
import { collateral, json, quote, time } from '../format';
import { fields } from '../table';
import { amount, parseDuration, parseSvi, vaultArg } from './desk';

type Values = Record<string, unknown>;

export const LADDER_SET_USAGE =
  'backstop ladder set <VAULT> --tenor 30d --strikes-pct 80,90 --size-cap N --budget X --svi a,b,rho,m,sigma ' +
  '[--tick 1] [--overlap 1d] [--physical] | --stop | --apply';
export const LADDER_SHOW_USAGE = 'backstop ladder show <VAULT>';

/** The program's bounds (constants.rs): overlap, rung strikes, the expiry grid, the tenors. */
const MIN_OVERLAP_SECS = 600n;
const HOUR = 3_600n;
const MAX_TENOR_SECS = 2n * 31_536_000n;

/** A ladder's tenor as `set_ladder` checks it: whole hours, at most two years, and a series
 * rolled after a lapse (whose life is in (tenor - 1 h, tenor]) still valid: at least an hour,
 * longer than the vault's write cutoff. */
export function checkLadderTenor(tenor: bigint, writeCutoffSecs: number): void {
  if (tenor % HOUR !== 0n) throw new CliError(`--tenor must be whole hours (rolled series expire on the hour), got ${tenor} s`, 2);
  if (tenor > MAX_TENOR_SECS) throw new CliError('--tenor is longer than two years', 2);
  if (tenor < 2n * HOUR) throw new CliError('--tenor must be at least 2h (a series rolled after a lapse lives up to an hour less)', 2);
  if (tenor - HOUR <= BigInt(writeCutoffSecs)) {
    throw new CliError(`--tenor must be more than an hour longer than the write cutoff (${writeCutoffSecs} s)`, 2);
  }
}

/** A ladder's overlap as `set_ladder` checks it: 10 minutes to half the tenor, and a series
 * rolled in the window (tenor + overlap) within the longest tenor. */
export function checkLadderOverlap(tenor: bigint, overlap: bigint): void {
  if (overlap < MIN_OVERLAP_SECS || overlap > tenor / 2n) throw new CliError(`--overlap must be 10 minutes to half the tenor (${tenor / 2n} s), got ${overlap} s`, 2);
  if (tenor + overlap > MAX_TENOR_SECS) throw new CliError('--tenor plus --overlap is longer than two years', 2);
}

/** `80,90.5`: one to four rung strikes in percent of spot (10-100, at most two decimals), as
 * basis points, padded with unused rungs. */
export function parseStrikesPct(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.length > 4) throw new CliError(`--strikes-pct takes one to four percentages, got "${text}"`, 2);
  const bps = parts.map((p) => {
    if (!/^\d+(\.\d{1,2})?$/.test(p)) throw new CliError(`--strikes-pct: "${p}" is not a percentage with at most two decimals`, 2);
    const v = Math.round(Number(p) * 100);
    if (v < 1_000 || v > 10_000) throw new CliError(`--strikes-pct: ${p} % is outside 10-100 % of spot`, 2);
    return v;
  });
  if (new Set(bps).size !== bps.length) throw new CliError(`--strikes-pct repeats a strike: "${text}"`, 2);
  return [...bps, 0, 0, 0].slice(0, 4);
}

/** The template from the flags, checked as `set_ladder` checks it (a usage error names the flag). */
export function templateFromFlags(values: Values, v: Vault): LadderTemplateArgs {
  const tenor = parseDuration(need(values, 'tenor', LADDER_SET_USAGE), '--tenor');
  checkLadderTenor(tenor, v.release.writeCutoffSecs);
  const overlap = parseDuration((values.overlap as string | undefined) ?? `${tenor / 4n < 86_400n ? tenor / 4n : 86_400n}s`, '--overlap');
  checkLadderOverlap(tenor, overlap);
  const strikesBps = parseStrikesPct(need(values, 'strikes-pct', LADDER_SET_USAGE));
  const svi = parseSvi(need(values, 'svi', LADDER_SET_USAGE));
  try {
    // The program checks the slice at the longest life a rolled series can have.
    validateSvi(svi, tenor + overlap);
  } catch (e) {
    throw new CliError(`--svi refused: ${(e as Error).message} (the program refuses the same slice)`, 2);
  }
  const physical = Boolean(values.physical);
  if (physical && v.collateralMint === DEFAULT_ADDRESS) throw new CliError('--physical: this vault was created without a collateral mint (it offers cash series only)', 2);
  return {
    tenorSecs: Number(tenor),
    overlapSecs: Number(overlap),
    strikesBps,
    strikeTick: amount((values.tick as string | undefined) ?? '1', v.quoteDecimals, '--tick'),
    style: physical ? SeriesStyle.PhysicalDelivery : SeriesStyle.CashRatchet,
    sizeCap: amount(need(values, 'size-cap', LADDER_SET_USAGE), v.collateralDecimals, '--size-cap'),
    budgetPerSeries: amount(need(values, 'budget', LADDER_SET_USAGE), v.quoteDecimals, '--budget'),
    svi: { a: svi.a, b: svi.b, rho: svi.rho, m: svi.m, sigma: svi.sigma },
  };
}

const STOPPED: LadderTemplateArgs = {
  tenorSecs: 0, overlapSecs: 0, strikesBps: [0, 0, 0, 0], strikeTick: 0n, style: SeriesStyle.CashRatchet,
  sizeCap: 0n, budgetPerSeries: 0n, svi: { a: 0n, b: 0n, rho: 0n, m: 0n, sigma: 0n },
};

/** The risk authority sets the vault's template (at once over a stopped ladder), proposes a
 * change or a stop (applied by --apply after the vault's timelock). */
export async function ladderSet(opts: GlobalOptions, positionals: string[], values: Values): Promise<string> {
  const vault = vaultArg(positionals, LADDER_SET_USAGE);
  const modes = [values.stop, values.apply].filter(Boolean).length;
  const templateFlags = ['tenor', 'strikes-pct', 'size-cap', 'budget', 'svi', 'tick', 'overlap', 'physical'].filter((k) => values[k] !== undefined);
  if (modes > 1 || (modes === 1 && templateFlags.length > 0)) throw new CliError(`give a template, --stop or --apply, one of them\nusage: ${LADDER_SET_USAGE}`, 2);
  const connection = connect(opts);
  const { data: v } = await fetchVaultAccount(connection.rpc, vault);
  const state = await fetchLadderState(connection.rpc, vault, opts.programId);
  let template: LadderTemplateArgs;
  if (values.apply) {
    if (!state || state.ladder.pendingAt === 0n) throw new CliError(`vault ${vault} has no pending ladder template to apply`);
    const now = await fetchChainTime(connection.rpc);
    if (now < state.ladder.pendingAt) throw new CliError(`the pending template applies from ${time(state.ladder.pendingAt)} (in ${state.ladder.pendingAt - now} s)`);
    template = state.ladder.pending;
  } else {
    template = values.stop ? STOPPED : templateFromFlags(values, v);
  }
  const r = await setLadder(connection, await signer(opts), { vault, template, programAddress: opts.programId });
  if (opts.json) return json({ signature: r.signature, ladder: r.ladder, applied: r.applied, appliesAt: r.appliesAt, template });
  return fields([
    ['ladder', r.ladder],
    [
      r.applied ? 'applied' : 'proposed',
      r.applied
        ? isStopped(template) ? 'stopped: nothing rolls' : 'in force now: the keeper rolls each rung'
        : `${isStopped(template) ? 'a stop' : 'a new template'}, applies from ${time(r.appliesAt)}: run backstop ladder set ${vault} --apply then`,
    ],
    ['signature', r.signature],
  ]);
}

function describeTemplate(v: Vault, t: LadderTemplateArgs): [string, string][] {
  if (isStopped(t)) return [['template', 'stopped (nothing rolls)']];
  return [
    ['tenor', `${t.tenorSecs} s, the next opens ${t.overlapSecs} s before expiry`],
    ['strikes', t.strikesBps.filter((b) => b !== 0).map((b) => `${b / 100} %`).join(', ') + ` of spot, on a ${quote(v, BigInt(t.strikeTick))} grid`],
    ['style', t.style === SeriesStyle.PhysicalDelivery ? 'physical delivery' : 'cash ratchet'],
    ['size cap', collateral(v, BigInt(t.sizeCap))],
    ['budget', `${quote(v, BigInt(t.budgetPerSeries))} per series`],
  ];
}

/** Anyone: the vault's template, any pending one, and each rung's live series. */
export async function ladderShow(opts: GlobalOptions, positionals: string[]): Promise<string> {
  const vault = vaultArg(positionals, LADDER_SHOW_USAGE);
  const connection = connect(opts);
  const { data: v } = await fetchVaultAccount(connection.rpc, vault);
  const state = await fetchLadderState(connection.rpc, vault, opts.programId);
  if (!state) {
    if (opts.json) return json({ vault, ladder: null });
    return `vault ${vault} has no ladder: its risk authority sets one with ${LADDER_SET_USAGE}`;
  }
  const now = await fetchChainTime(connection.rpc);
  const l = state.ladder;
  const rungs = rungViews(l, now);
  if (opts.json) {
    return json({ vault, ladder: state.address, template: l.template, pending: l.pendingAt === 0n ? null : l.pending, pendingAt: l.pendingAt, rungs, rolled: l.rolled, lamports: state.lamports });
  }
  const rows: [string, string][] = [['ladder', state.address], ...describeTemplate(v, l.template)];
  if (l.pendingAt !== 0n) {
    rows.push(['pending', `${isStopped(l.pending) ? 'a stop' : 'a new template'}, applies from ${time(l.pendingAt)}`]);
  }
  for (const r of rungs.filter((x) => x.strikeBps !== 0 || x.series)) {
    const live = r.series ? `${r.series}, expires ${time(r.expiry!)}` : 'no series yet';
    rows.push([`rung ${r.rung}`, `${live}${r.due ? ' (due: the keeper rolls it)' : ''}`]);
  }
  rows.push(['rolled', `${l.rolled} series`]);
  return fields(rows);
}
