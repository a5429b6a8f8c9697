// Continuous coverage (docs/DESIGN.md section 7c): the vault's ladder template, which rungs are
// due, the strike and expiry a roll must name (the program's rules, mirrored), and the two
// instructions. A keeper rolls every due rung; the risk authority sets the template.
import { type Address, type Rpc, type Signature, type SolanaRpcApi, type TransactionSigner } from '@solana/kit';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  fetchMaybeLadder,
  findLadderPda,
  getRollSeriesInstructionAsync,
  getSetLadderInstructionAsync,
  type Ladder,
  type LadderTemplateArgs,
  type Vault,
} from './generated/backstop/index';
import { sendMetered } from './actions';
import { DEFAULT_ADDRESS, findEventAuthorityPda } from './pdas';
import { fetchChainTime, fetchOraclePrice, fetchRawAccount } from './quote';
import { findSeriesPda } from './vault-pdas';
import { fetchVaultAccount } from './views';
import { type Connection } from './tx';

/** Rolled series expire on whole hours (`LADDER_EXPIRY_GRID_SECS`). */
export const LADDER_EXPIRY_GRID_SECS = 3_600n;
export const LADDER_RUNGS = 4;

export async function findLadderAddress(vault: Address, programAddress: Address = BACKSTOP_PROGRAM_ADDRESS): Promise<Address> {
  const [ladder] = await findLadderPda({ vault }, { programAddress });
  return ladder;
}

/** The vault's ladder, or null when it has none. */
export async function fetchLadderState(
  rpc: Rpc<SolanaRpcApi>,
  vault: Address,
  programAddress: Address = BACKSTOP_PROGRAM_ADDRESS,
): Promise<{ address: Address; ladder: Ladder; lamports: bigint } | null> {
  const address = await findLadderAddress(vault, programAddress);
  const account = await fetchMaybeLadder(rpc, address);
  if (!account.exists) return null;
  return { address, ladder: account.data, lamports: account.lamports };
}

/** No rung in use: nothing rolls. */
export const isStopped = (t: Pick<LadderTemplateArgs, 'strikesBps'>) => t.strikesBps.every((b) => b === 0);

/** Whether rung `i` may roll at `now` (`roll_series::roll_due`, plus the rung being in use). */
export function rungDue(ladder: Ladder, i: number, now: bigint): boolean {
  const bps = ladder.template.strikesBps[i] ?? 0;
  if (bps === 0) return false;
  const r = ladder.rungs[i];
  return r.series === DEFAULT_ADDRESS || now >= r.expiry - BigInt(ladder.template.overlapSecs);
}

/** Rungs that may roll at `now`. */
export const dueRungs = (ladder: Ladder, now: bigint): number[] =>
  isStopped(ladder.template) ? [] : [...Array(LADDER_RUNGS).keys()].filter((i) => rungDue(ladder, i, now));

/** One rung as views show it: its strike share and the series it last rolled (null: none). */
export interface RungView {
  rung: number;
  strikeBps: number;
  series: Address | null;
  expiry: bigint | null;
  /** The keeper may roll it now. */
  due: boolean;
}

/** Every rung of the ladder at `now`, used or not. */
export const rungViews = (ladder: Ladder, now: bigint): RungView[] =>
  ladder.rungs.map((r, i) => ({
    rung: i,
    strikeBps: ladder.template.strikesBps[i] ?? 0,
    series: r.series === DEFAULT_ADDRESS ? null : r.series,
    expiry: r.series === DEFAULT_ADDRESS ? null : r.expiry,
    due: rungDue(ladder, i, now),
  }));

/** The expiry a roll of rung `i` at `now` names (`roll_series::expiry_ok`). */
export function rollExpiry(ladder: Ladder, i: number, now: bigint): bigint {
  const r = ladder.rungs[i];
  const tenor = BigInt(ladder.template.tenorSecs);
  if (r.series !== DEFAULT_ADDRESS && now < r.expiry) return r.expiry + tenor;
  const latest = now + tenor;
  return latest - (latest % LADDER_EXPIRY_GRID_SECS);
}

/** The grid strike at or below `spot x bps` (`spot` in `PRICE_SCALE`), quote base units
 * (`roll_series::strike_ok` accepts it and the grid point above, when that is not above spot). */
export function rollStrike(spot: bigint, bps: number, quoteDecimals: number, tick: bigint): bigint {
  return rollStrikes(spot, bps, quoteDecimals, tick)[0]!;
}

/** Every strike `roll_series::strike_ok` accepts, the one below the target first: a grid point
 * less than a tick from `spot x bps`, not above spot. */
export function rollStrikes(spot: bigint, bps: number, quoteDecimals: number, tick: bigint): bigint[] {
  const perQuoteUnit = 10n ** BigInt(12 - quoteDecimals);
  const target = (spot * BigInt(bps)) / 10_000n / perQuoteUnit;
  if (tick <= 0n) return [target];
  const below = (target / tick) * tick;
  const above = below + tick;
  return below === target || above > spot / perQuoteUnit ? [below] : [below, above];
}

/** The risk authority sets the template: applied at once over a stopped ladder, otherwise
 * proposed (sending the same template after the vault's timelock applies it). */
export async function setLadder(
  connection: Connection,
  riskAuthority: TransactionSigner,
  p: { vault: Address; template: LadderTemplateArgs; programAddress?: Address },
): Promise<{ signature: Signature; ladder: Address; applied: boolean; appliesAt: bigint }> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const ix = await getSetLadderInstructionAsync(
    {
      payer: riskAuthority,
      riskAuthority,
      vault: p.vault,
      template: p.template,
      eventAuthority: await findEventAuthorityPda(program),
      program,
    },
    { programAddress: program },
  );
  const signature = await sendMetered(connection, riskAuthority, [ix], ['set_ladder']);
  const after = await fetchLadderState(connection.rpc, p.vault, program);
  const applied = after !== null && after.ladder.pendingAt === 0n;
  return { signature, ladder: await findLadderAddress(p.vault, program), applied, appliesAt: after?.ladder.pendingAt ?? 0n };
}

/** Rolls rung `rung` of the vault's ladder now: strike from the price account (read as the
 * program reads it), expiry by the schedule. Returns the new series. */
export async function rollSeries(
  connection: Connection,
  payer: TransactionSigner,
  p: { vault: Address; rung: number; priceUpdate: Address; vaultData?: Vault; programAddress?: Address },
): Promise<{ signature: Signature; series: Address; strike: bigint; expiry: bigint }> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const v = p.vaultData ?? (await fetchVaultAccount(connection.rpc, p.vault)).data;
  const state = await fetchLadderState(connection.rpc, p.vault, program);
  if (!state) throw new Error(`vault ${p.vault} has no ladder`);
  const now = await fetchChainTime(connection.rpc);
  const price = await fetchOraclePrice(connection.rpc, v, p.priceUpdate, now);
  const t = state.ladder.template;
  const expiry = rollExpiry(state.ladder, p.rung, now);
  // The grid point below the target, or the one above when another rung (or a series opened by
  // hand) already holds that strike and expiry.
  let strike = 0n;
  let series: Address | undefined;
  for (const candidate of rollStrikes(price.price, t.strikesBps[p.rung] ?? 0, v.quoteDecimals, t.strikeTick)) {
    const address = await findSeriesPda(p.vault, candidate, expiry);
    if (!(await fetchRawAccount(connection.rpc, address))) {
      [strike, series] = [candidate, address];
      break;
    }
  }
  if (series === undefined) throw new Error(`rung ${p.rung}: every strike it may roll at expires with a series that already exists`);
  const ix = await getRollSeriesInstructionAsync(
    {
      payer,
      vault: p.vault,
      ladder: state.address,
      priceUpdate: p.priceUpdate,
      reserve: v.reserve,
      series,
      quoteMint: v.quoteMint,
      rung: p.rung,
      strike,
      expiry,
      eventAuthority: await findEventAuthorityPda(program),
      program,
    },
    { programAddress: program },
  );
  const signature = await sendMetered(connection, payer, [ix], ['roll_series']);
  return { signature, series, strike, expiry };
}
