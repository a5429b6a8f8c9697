// The protected protocol's desk: fund and withdraw the premium reserve, open series (at an
// explicit strike or a percentage of the oracle price). Thin wrappers: PDAs derived, amounts
// checked against the chain before sending, program failures typed by `sendMetered`.
import {
  createNoopSigner,
  getSolanaErrorFromTransactionError,
  type Address,
  type Rpc,
  type Signature,
  type SolanaRpcApi,
  type TransactionSigner,
} from '@solana/kit';
import { sendMetered, associatedTokenAddress } from './actions';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  SeriesStyle,
  findConfigPda,
  getFundReserveInstruction,
  getOpenSeriesInstructionAsync,
  getWithdrawReserveInstruction,
  findRecoveryPda,
  findReservePda,
  getCreateVaultInstructionAsync,
  getUpdateVaultSettingsInstruction,
  type OracleSettingsArgs,
  type PricingSettingsArgs,
  type ReleaseSettingsArgs,
  type SviSliceArgs,
  type TriggerSettingsArgs,
  type Vault,
} from './generated/backstop/index';
import { BACKSTOP_ERRORS, parseBackstopError } from './errors';
import { fetchChainTime } from './quote';
import { findEventAuthorityPda } from './pdas';
import { customErrorCode, sendInstructions, simulateInstructions, type Connection } from './tx';
import { findSeriesPda, findVaultPda } from './vault-pdas';
import { fetchVaultAccount } from './views';

async function eventAccounts(program: Address) {
  return { eventAuthority: await findEventAuthorityPda(program), program };
}

export interface CreateVaultParams {
  quoteMint: Address;
  /** Given: the vault offers physical delivery series in this mint (its decimals must be
   * `collateralDecimals`). */
  collateralMint?: Address;
  reporter: Address;
  riskAuthority: Address;
  collateralDecimals: number;
  oracle: OracleSettingsArgs;
  /** Shard of the push-feed account a pinned price account is derived on. */
  collateralPriceShard?: number;
  trigger: TriggerSettingsArgs;
  pricing: PricingSettingsArgs;
  release: ReleaseSettingsArgs;
  settingsTimelockSecs: number;
  programAddress?: Address;
}

/** `authority` creates its vault for a quote mint and collateral feed (it pays, and becomes the
 * vault authority); returns the vault and its reserve and recovery accounts. */
export async function createVault(
  connection: Connection,
  authority: TransactionSigner,
  p: CreateVaultParams,
): Promise<{ signature: Signature; vault: Address; reserve: Address; recovery: Address }> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const vault = await findVaultPda(authority.address, p.quoteMint, Uint8Array.from(p.oracle.collateralFeed));
  const [reserve] = await findReservePda({ vault }, { programAddress: program });
  const [recovery] = await findRecoveryPda({ vault }, { programAddress: program });
  const ix = await getCreateVaultInstructionAsync(
    {
      payer: authority,
      authority,
      vault,
      quoteMint: p.quoteMint,
      reserve,
      recovery,
      collateralMint: p.collateralMint,
      reporter: p.reporter,
      riskAuthority: p.riskAuthority,
      collateralDecimals: p.collateralDecimals,
      oracle: p.oracle,
      collateralPriceShard: p.collateralPriceShard ?? 0,
      trigger: p.trigger,
      pricing: p.pricing,
      release: p.release,
      settingsTimelockSecs: p.settingsTimelockSecs,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  const signature = await sendMetered(connection, authority, [ix], ['create_vault']);
  return { signature, vault, reserve, recovery };
}

/** Anyone funds a vault's premium reserve from `from` (default: the funder's associated account). */
export async function fundReserve(
  connection: Connection,
  funder: TransactionSigner,
  p: { vault: Address; amount: bigint; from?: Address; programAddress?: Address },
): Promise<Signature> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { data: v } = await fetchVaultAccount(connection.rpc, p.vault);
  const ix = getFundReserveInstruction(
    {
      funder,
      config: (await findConfigPda({ programAddress: program }))[0],
      vault: p.vault,
      reserve: v.reserve,
      funderToken: p.from ?? (await associatedTokenAddress(funder.address, v.quoteMint)),
      quoteMint: v.quoteMint,
      amount: p.amount,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  return sendMetered(connection, funder, [ix], ['fund_reserve']);
}

/** The vault authority takes back reserve that no open series was promised. */
export async function withdrawReserve(
  connection: Connection,
  authority: TransactionSigner,
  p: { vault: Address; amount: bigint; to?: Address; programAddress?: Address },
): Promise<Signature> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { data: v } = await fetchVaultAccount(connection.rpc, p.vault);
  const ix = getWithdrawReserveInstruction(
    {
      authority,
      vault: p.vault,
      reserve: v.reserve,
      destination: p.to ?? (await associatedTokenAddress(authority.address, v.quoteMint)),
      quoteMint: v.quoteMint,
      amount: p.amount,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  return sendMetered(connection, authority, [ix], ['withdraw_reserve']);
}

export interface OpenSeriesParams {
  vault: Address;
  /** Quote base units per whole collateral unit. */
  strike: bigint;
  /** Unix seconds. */
  expiry: bigint;
  svi: SviSliceArgs;
  /** Collateral base units. */
  sizeCap: bigint;
  /** Quote base units committed from the uncommitted reserve. */
  premiumBudget: bigint;
  style?: SeriesStyle;
  programAddress?: Address;
}

/** The vault's risk authority opens a series; returns its address. */
export async function openSeries(
  connection: Connection,
  riskAuthority: TransactionSigner,
  p: OpenSeriesParams,
): Promise<{ signature: Signature; series: Address }> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const { data: v } = await fetchVaultAccount(connection.rpc, p.vault);
  const series = await findSeriesPda(p.vault, p.strike, p.expiry);
  const ix = await getOpenSeriesInstructionAsync(
    {
      payer: riskAuthority,
      riskAuthority,
      vault: p.vault,
      reserve: v.reserve,
      series,
      quoteMint: v.quoteMint,
      strike: p.strike,
      expiry: p.expiry,
      svi: p.svi,
      sizeCap: p.sizeCap,
      premiumBudget: p.premiumBudget,
      style: p.style ?? SeriesStyle.CashRatchet,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  const signature = await sendMetered(connection, riskAuthority, [ix], ['open_series']);
  return { signature, series };
}

/** A strike at `pct` percent of `price` (`PRICE_SCALE` per collateral unit), in quote base
 * units per collateral unit, rounded down to a whole `tick` (default: one quote base unit). */
export function strikeAtPercent(price: bigint, pct: bigint, quoteDecimals: number, tick = 1n): bigint {
  if (pct <= 0n) throw new RangeError('the strike percentage must be positive');
  // PRICE_SCALE is 10^12 per unit of price; a quote base unit is 10^-quoteDecimals.
  const raw = (price * pct) / 100n / 10n ** BigInt(12 - quoteDecimals);
  return (raw / tick) * tick;
}

/** Asks the program whether `open_series` would accept `svi` for a series of `tenorSecs` at
 * `strike` (quote base units per collateral unit) on this vault, by simulation (nothing is sent
 * or signed): null when it would, else the program's error (`Name (code)`) or the runtime's. */
export async function simulateOpenSeries(
  rpc: Rpc<SolanaRpcApi>,
  p: { vault: Address; v: Vault; svi: SviSliceArgs; tenorSecs: bigint; strike: bigint; programAddress?: Address },
): Promise<string | null> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const expiry = (await fetchChainTime(rpc)) + p.tenorSecs;
  const risk = createNoopSigner(p.v.riskAuthority);
  const ix = await getOpenSeriesInstructionAsync(
    {
      payer: risk,
      riskAuthority: risk,
      vault: p.vault,
      reserve: p.v.reserve,
      series: await findSeriesPda(p.vault, p.strike, expiry),
      quoteMint: p.v.quoteMint,
      strike: p.strike,
      expiry,
      svi: p.svi,
      sizeCap: 10n ** BigInt(p.v.collateralDecimals),
      premiumBudget: 0n,
      ...(await eventAccounts(program)),
    },
    { programAddress: program },
  );
  const { err, logs } = await simulateInstructions(rpc, p.v.riskAuthority, [ix]);
  if (err === null) return null;
  const code = customErrorCode(getSolanaErrorFromTransactionError(err as Parameters<typeof getSolanaErrorFromTransactionError>[0]));
  const known = code === undefined ? undefined : BACKSTOP_ERRORS.get(code);
  if (known) return `${known.name} (${known.code}): ${known.msg}`;
  return `${JSON.stringify(err, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}${logs.length ? `\n${logs.join('\n')}` : ''}`;
}

/** The arguments of `update_vault_settings`. */
export interface VaultSettingsArgs {
  trigger: TriggerSettingsArgs;
  pricing: PricingSettingsArgs;
  release: ReleaseSettingsArgs;
  settingsTimelockSecs: number;
}

/** Stored settings as arguments: the zero-copy vault's padding left out. */
function asArgs(s: Pick<Vault['pendingSettings'], 'trigger' | 'pricing' | 'release' | 'settingsTimelockSecs'>): VaultSettingsArgs {
  const { padding: _t, ...trigger } = s.trigger as typeof s.trigger & { padding?: unknown };
  const { padding: _p, ...pricing } = s.pricing as typeof s.pricing & { padding?: unknown };
  const { padding: _r, ...release } = s.release as typeof s.release & { padding?: unknown };
  return { trigger, pricing, release, settingsTimelockSecs: s.settingsTimelockSecs };
}

/** The settings `update_vault_settings` takes, as a vault holds them now. */
export function currentSettings(v: Vault): VaultSettingsArgs {
  return asArgs(v);
}

/** The pending proposal as `update_vault_settings` arguments (sending them again applies it),
 * or null when nothing is pending. */
export function pendingSettings(v: Vault): VaultSettingsArgs | null {
  return v.pendingSettings.effectiveAt === 0n ? null : asArgs(v.pendingSettings);
}

/** The vault authority proposes settings (they apply after the vault's timelock, by sending the
 * same settings again) or, when `settings` equal the pending proposal and its time has come,
 * applies them. */
export async function updateVaultSettings(
  connection: Connection,
  authority: TransactionSigner,
  p: { vault: Address; settings: VaultSettingsArgs; programAddress?: Address },
): Promise<Signature> {
  const program = p.programAddress ?? BACKSTOP_PROGRAM_ADDRESS;
  const ix = getUpdateVaultSettingsInstruction(
    { authority, vault: p.vault, ...p.settings, ...(await eventAccounts(program)) },
    { programAddress: program },
  );
  // Not in the measured life cycle: the runtime's default limit (a sender policy simulates).
  try {
    return await sendInstructions(connection, authority, [ix]);
  } catch (e) {
    throw parseBackstopError(e) ?? e;
  }
}
