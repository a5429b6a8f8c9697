// Thin wrappers around the generated instruction builders: they derive every PDA, read what the
// instruction needs from the chain, set a compute-unit limit from measured needs, and turn a
// program failure into a BackstopProgramError.
import { type Address, type Instruction, type Signature, type TransactionSigner } from '@solana/kit';
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import { computeUnitLimit, type MeteredInstruction } from './compute';
import { parseBackstopError } from './errors';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  findCollateralPda,
  findConfigPda,
  findPositionPda,
  getDeliverCollateralInstruction,
  getCloseSeriesInstruction,
  getObserveBreachInstruction,
  getReclaimInstruction,
  getSettleSeriesInstruction,
  getReleaseOutcomeDecoder,
  getReleaseStatusInstruction,
  getTriggerInstruction,
  getTryReleaseInstruction,
  getWritePutInstruction,
  type ReleaseOutcome,
  type Series,
  type Vault,
} from './generated/backstop/index';
import { DEFAULT_ADDRESS, findEventAuthorityPda } from './pdas';
import { fetchWriteQuote, type WriteQuote } from './quote';
import { base64Bytes, sendInstructions, simulateReturnData, type Connection } from './tx';
import { fetchSeriesView, fetchVaultAccount, reclaimable } from './views';
import { deliveryPayment } from './units';
import { fetchMaybePosition } from './generated/backstop/index';

/** Default slippage for writes: the premium only falls as the clock ticks between quote and slot. */
export const DEFAULT_SLIPPAGE_BPS = 50n;

/** Sends `instructions` with a limit for `metered`; a program failure becomes typed. */
export async function sendMetered(
  connection: Connection,
  payer: TransactionSigner,
  instructions: Instruction[],
  metered: MeteredInstruction[],
): Promise<Signature> {
  try {
    return await sendInstructions(connection, payer, instructions, { computeUnitLimit: computeUnitLimit(...metered) });
  } catch (err) {
    throw parseBackstopError(err) ?? err;
  }
}

async function eventAccounts(program: Address) {
  return { eventAuthority: await findEventAuthorityPda(program), program };
}

/** The owner's associated token account for `mint`. */
export async function associatedTokenAddress(owner: Address, mint: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}

async function loadSeries(connection: Connection, series: Address): Promise<{ vault: Vault; vaultAddress: Address; series: Series }> {
  const s = await fetchSeriesView(connection.rpc, series);
  const v = await fetchVaultAccount(connection.rpc, s.data.vault);
  return { vault: v.data, vaultAddress: v.address, series: s.data };
}

export interface WritePutParams {
  writer: TransactionSigner;
  series: Address;
  /** The vault's collateral PriceUpdateV2 account. */
  priceUpdate: Address;
  /** Collateral base units. */
  size: bigint;
  /** Pays the escrow, receives the premium; default: the writer's associated account. */
  writerToken?: Address;
  /** Least premium accepted (quote base units); default: the quote less `slippageBps`. */
  minPremium?: bigint;
  slippageBps?: bigint;
  programAddress?: Address;
}

/** Quotes, then writes with a slippage guard. Returns the quote it was sent with. */
export async function writePut(
  connection: Connection,
  p: WritePutParams,
): Promise<{ signature: Signature; quote: WriteQuote; minPremium: bigint }> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { vault, vaultAddress, series } = await loadSeries(connection, p.series);
  const quote = await fetchWriteQuote(connection.rpc, { series: p.series, priceUpdate: p.priceUpdate, size: p.size });
  const slippage = p.slippageBps ?? DEFAULT_SLIPPAGE_BPS;
  if (slippage < 0n || slippage > 10_000n) throw new RangeError('slippageBps must be within 0..=10000');
  const minPremium = p.minPremium ?? (quote.premium * (10_000n - slippage)) / 10_000n;
  const [config] = await findConfigPda({ programAddress: program });
  const [position] = await findPositionPda({ series: p.series, writer: p.writer.address }, { programAddress: program });
  const ix = getWritePutInstruction(
    {
      writer: p.writer,
      config,
      vault: vaultAddress,
      series: p.series,
      position,
      writerToken: p.writerToken ?? (await associatedTokenAddress(p.writer.address, vault.quoteMint)),
      reserve: vault.reserve,
      escrow: series.escrow,
      putMint: series.putMint,
      holder: series.holder,
      priceUpdate: p.priceUpdate,
      quoteMint: vault.quoteMint,
      ...(await eventAccounts(program)),
      size: p.size,
      minPremium,
    },
    { programAddress: program },
  );
  const signature = await sendMetered(connection, p.writer, [ix], ['write_put']);
  return { signature, quote, minPremium };
}

/** Returns a writer's escrow less its payout share after settlement; closes the position. */
export async function reclaim(
  connection: Connection,
  payer: TransactionSigner,
  p: { series: Address; writer: Address; writerToken?: Address; writerCollateral?: Address; programAddress?: Address },
): Promise<{ signature: Signature; amount: bigint }> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { vault, vaultAddress, series } = await loadSeries(connection, p.series);
  const [position] = await findPositionPda({ series: p.series, writer: p.writer }, { programAddress: program });
  const pos = await fetchMaybePosition(connection.rpc, position, { commitment: 'confirmed' });
  if (!pos.exists) throw new Error(`${p.writer} has no position in series ${p.series}`);
  const ix = getReclaimInstruction(
    {
      vault: vaultAddress,
      series: p.series,
      position,
      writer: p.writer,
      writerToken: p.writerToken ?? (await associatedTokenAddress(p.writer, vault.quoteMint)),
      escrow: series.escrow,
      quoteMint: vault.quoteMint,
      // A physical series that took deliveries returns collateral too.
      ...(series.collateral !== DEFAULT_ADDRESS
        ? {
            collateral: series.collateral,
            writerCollateral: p.writerCollateral ?? (await associatedTokenAddress(p.writer, vault.collateralMint)),
            collateralMint: vault.collateralMint,
          }
        : {}),
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  const signature = await sendMetered(connection, payer, [ix], ['reclaim']);
  return { signature, amount: reclaimable(series, pos.data) };
}

/** The protected protocol (the vault's reporter or authority) sells `size` collateral base units
 * to a physical delivery series at the strike: collateral in, `floor(strike x size)` quote to the
 * vault's recovery account, put tokens burned (docs/DESIGN.md section 7b). */
export async function deliverCollateral(
  connection: Connection,
  deliverer: TransactionSigner,
  p: { series: Address; size: bigint; delivererCollateral?: Address; payer?: TransactionSigner; programAddress?: Address },
): Promise<{ signature: Signature; paid: bigint }> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { vault, vaultAddress, series } = await loadSeries(connection, p.series);
  if (vault.collateralMint === DEFAULT_ADDRESS) throw new Error(`vault ${vaultAddress} offers no physical delivery (no collateral mint)`);
  const [collateral] = await findCollateralPda({ series: p.series }, { programAddress: program });
  const ix = getDeliverCollateralInstruction(
    {
      // Rent of the series' collateral account at the first delivery.
      payer: p.payer ?? deliverer,
      deliverer,
      vault: vaultAddress,
      series: p.series,
      collateral,
      delivererCollateral: p.delivererCollateral ?? (await associatedTokenAddress(deliverer.address, vault.collateralMint)),
      escrow: series.escrow,
      putMint: series.putMint,
      holder: series.holder,
      recovery: vault.recovery,
      collateralMint: vault.collateralMint,
      quoteMint: vault.quoteMint,
      size: p.size,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  const signature = await sendMetered(connection, p.payer ?? deliverer, [ix], ['deliver_collateral']);
  return { signature, paid: deliveryPayment(series.strike, p.size, vault.collateralDecimals) };
}

export interface PriceAccounts {
  priceUpdate: Address;
  /** The stablecoin's PriceUpdateV2 for a vault with the joint depeg trigger. Without it the
   * joint trigger is undecided (neither starts, confirms nor clears a breach); the others work. */
  depegPriceUpdate?: Address;
}

/** One observation of the vault's solvency triggers. */
export async function observeBreach(
  connection: Connection,
  payer: TransactionSigner,
  p: PriceAccounts & { vault: Address; programAddress?: Address },
): Promise<Signature> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const ix = getObserveBreachInstruction(
    { vault: p.vault, priceUpdate: p.priceUpdate, depegPriceUpdate: p.depegPriceUpdate, ...(await eventAccounts(program)) },
    { programAddress: program },
  );
  return sendMetered(connection, payer, [ix], ['observe_breach']);
}

/** One release step on a confirmed breach: advances what the series owes at the held price
 * beyond what it already advanced (within the epoch cap); the tip, when due, goes to
 * `keeperToken`. Plan it first with `planStep` (after `simulateObservation`). */
export async function trigger(
  connection: Connection,
  keeper: TransactionSigner,
  p: ReleaseParams,
): Promise<Signature> {
  const ix = getTriggerInstruction(await releaseInput(connection, keeper, p), { programAddress: p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS });
  return sendMetered(connection, keeper, [ix], ['trigger']);
}

type ReleaseParams = PriceAccounts & { series: Address; keeperToken?: Address; programAddress?: Address };

/** The accounts `trigger` and `try_release` share (the same accounts struct on chain). */
async function releaseInput(connection: Connection, keeper: TransactionSigner, p: ReleaseParams) {
  const { vault, vaultAddress, series } = await loadSeries(connection, p.series);
  return {
    keeper,
    vault: vaultAddress,
    series: p.series,
    escrow: series.escrow,
    recovery: vault.recovery,
    reserve: vault.reserve,
    keeperToken: p.keeperToken ?? (await associatedTokenAddress(keeper.address, vault.quoteMint)),
    priceUpdate: p.priceUpdate,
    depegPriceUpdate: p.depegPriceUpdate,
    quoteMint: vault.quoteMint,
    ...(await eventAccounts(p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS)),
  };
}

/** What `try_release` by `caller` would do now (`release_status`, simulated: nothing is
 * written): `Released` with the payout and tip, or why nothing is due. */
export async function releaseStatus(
  connection: Connection,
  p: PriceAccounts & { series: Address; caller: Address; programAddress?: Address },
): Promise<ReleaseOutcome> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { vault, vaultAddress } = await loadSeries(connection, p.series);
  const ix = getReleaseStatusInstruction(
    { vault: vaultAddress, series: p.series, reserve: vault.reserve, priceUpdate: p.priceUpdate, depegPriceUpdate: p.depegPriceUpdate, caller: p.caller },
    { programAddress: program },
  );
  return getReleaseOutcomeDecoder().decode(await simulateReturnData(connection.rpc, p.caller, [ix]));
}

/** `try_release`: the step when one is due, otherwise nothing moves and the outcome says why
 * (never fails for the backstop's state; wrong accounts still do). The outcome is the
 * transaction's own return data, read back once it is confirmed. */
export async function tryRelease(
  connection: Connection,
  caller: TransactionSigner,
  p: ReleaseParams,
): Promise<{ signature: Signature; outcome: ReleaseOutcome }> {
  const ix = getTryReleaseInstruction(await releaseInput(connection, caller, p), { programAddress: p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS });
  const signature = await sendMetered(connection, caller, [ix], ['try_release']);
  const tx = await connection.rpc
    .getTransaction(signature, { commitment: 'confirmed', encoding: 'json', maxSupportedTransactionVersion: 0 })
    .send();
  const data = tx?.meta?.returnData?.data[0];
  if (data === undefined) throw new Error(`try_release ${signature} left no return data`);
  return { signature, outcome: getReleaseOutcomeDecoder().decode(base64Bytes(data)) };
}

/** Expiry settlement by the ladder (see `decideSettlement`): the first update at/after expiry,
 * the earliest shown during the grace, a fresh one after it. After the deadline `priceUpdate`
 * may be left out: the candidate or the vault's last observed price then settles. */
export async function settleSeries(
  connection: Connection,
  payer: TransactionSigner,
  p: { series: Address; priceUpdate?: Address; programAddress?: Address },
): Promise<Signature> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { vault, vaultAddress, series } = await loadSeries(connection, p.series);
  const ix = getSettleSeriesInstruction(
    {
      vault: vaultAddress,
      series: p.series,
      escrow: series.escrow,
      putMint: series.putMint,
      holder: series.holder,
      recovery: vault.recovery,
      priceUpdate: p.priceUpdate,
      quoteMint: vault.quoteMint,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  return sendMetered(connection, payer, [ix], ['settle_series']);
}

/** After settlement and every reclaim: dust to the reserve, series accounts closed, rent to the
 * vault authority. */
export async function closeSeries(
  connection: Connection,
  payer: TransactionSigner,
  p: { series: Address; programAddress?: Address },
): Promise<Signature> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { vault, vaultAddress, series } = await loadSeries(connection, p.series);
  const ix = getCloseSeriesInstruction(
    {
      vault: vaultAddress,
      series: p.series,
      escrow: series.escrow,
      holder: series.holder,
      reserve: vault.reserve,
      rentReceiver: vault.authority, // the program requires it
      quoteMint: vault.quoteMint,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  return sendMetered(connection, payer, [ix], ['close_series']);
}
