// Read-side wrappers: vaults, series and positions with the numbers people ask about (coverage,
// coverage ratio, premium paid, released, moneyness, what a writer can reclaim).
import {
  getBase58Decoder,
  getBase64Encoder,
  type Address,
  type Base58EncodedBytes,
  type Rpc,
  type SolanaRpcApi,
} from '@solana/kit';
import {
  BACKSTOP_PROGRAM_ADDRESS,
  POSITION_DISCRIMINATOR,
  SERIES_DISCRIMINATOR,
  SeriesStatus,
  VAULT_DISCRIMINATOR,
  fetchMaybeSeries,
  fetchMaybeVault,
  getPositionDecoder,
  getSeriesDecoder,
  getVaultDecoder,
  type Position,
  type Series,
  type Vault,
} from './generated/backstop/index';
import { type OraclePrice } from './oracle';
import { intrinsicFor, quoteAmountDown, strikeToPrice } from './units';

export type BreachPhase = 'healthy' | 'pending' | 'confirmed';

const U64_MAX = (1n << 64n) - 1n;
const min = (a: bigint, b: bigint) => (a < b ? a : b);

export interface Account<T> {
  address: Address;
  data: T;
}

/** The backstop's public strength (mirrors the program's `get_vault_strength`). */
export interface VaultStrengthView {
  /** Writers' capital in escrow, quote base units. */
  coverage: bigint;
  premiumPaid: bigint;
  released: bigint;
  committedPremium: bigint;
  liabilities: bigint;
  /** coverage / liabilities, bps (0 when no liabilities were reported). */
  coverageRatioBps: bigint;
  breach: BreachPhase;
}

export function breachPhase(vault: Vault): BreachPhase {
  if (vault.breach.confirmedAt !== 0n) return 'confirmed';
  return vault.breach.firstSeen !== 0n ? 'pending' : 'healthy';
}

export function vaultStrength(vault: Vault): VaultStrengthView {
  const t = vault.totals;
  const liabilities = vault.report.liabilities;
  return {
    coverage: t.escrowed,
    premiumPaid: t.premiumPaid,
    released: t.released,
    committedPremium: t.committedPremium,
    liabilities,
    coverageRatioBps: liabilities === 0n ? 0n : min((t.escrowed * 10_000n) / liabilities, U64_MAX),
    breach: breachPhase(vault),
  };
}

/** Collateral value / liabilities in bps at `price` (PRICE_SCALE), as the program rounds it. */
export function solvencyRatioBps(vault: Vault, price: bigint): bigint | null {
  const r = vault.report;
  if (r.liabilities === 0n) return null;
  const scale = 10n ** BigInt(vault.collateralDecimals + 12 - vault.quoteDecimals);
  const value = (r.collateralAmount * price + scale - 1n) / scale; // rounded up, as the program does
  return min((value * 10_000n) / r.liabilities, U64_MAX);
}

/** Which of the vault's enabled triggers are breached at these prices (program's rules). */
export function breachedTriggers(vault: Vault, collateral: OraclePrice, depeg?: OraclePrice): string[] {
  const t = vault.trigger;
  const out: string[] = [];
  if (t.barrierPrice > 0n && collateral.price <= t.barrierPrice) out.push('barrier');
  if (t.ratioThresholdBps > 0 && vault.report.liabilities > 0n) {
    const age = collateral.publishTime - vault.report.reportedAt;
    const ratio = solvencyRatioBps(vault, collateral.price);
    if (age <= BigInt(t.maxReportAgeSecs) && ratio !== null && ratio < BigInt(t.ratioThresholdBps)) out.push('ratio');
  }
  if (t.jointCollateralPrice > 0n && t.depegPrice > 0n && depeg) {
    if (collateral.price <= t.jointCollateralPrice && depeg.price <= t.depegPrice) out.push('joint');
  }
  return out;
}

/** Whether the joint trigger is on (then every observation needs the stablecoin's price). */
export function needsDepegPrice(vault: Vault): boolean {
  return vault.trigger.jointCollateralPrice > 0n && vault.trigger.depegPrice > 0n;
}

export interface SeriesView extends Account<Series> {
  settled: boolean;
  /** Put units neither exercised nor expired. */
  unexercised: bigint;
  /** Escrow not yet paid out nor reclaimed, quote base units. */
  escrowHeld: bigint;
}

export function seriesView(address: Address, data: Series): SeriesView {
  return {
    address,
    data,
    settled: data.status === SeriesStatus.Settled,
    unexercised: data.writtenSize - data.exercisedSize,
    escrowHeld: data.escrowDeposited - data.payoutTotal - data.escrowReclaimed,
  };
}

/** Intrinsic value of the series' unexercised puts at `price` (PRICE_SCALE), quote base units. */
export function seriesIntrinsic(vault: Vault, series: Series, price: bigint): bigint {
  const k = strikeToPrice(series.strike, vault.quoteDecimals);
  return intrinsicFor(k, price, series.writtenSize - series.exercisedSize, vault.collateralDecimals, vault.quoteDecimals);
}

export function isInTheMoney(vault: Vault, series: Series, price: bigint): boolean {
  return price < strikeToPrice(series.strike, vault.quoteDecimals);
}

/** What a writer gets back at reclaim: escrow minus its pro-rata share of payouts (share rounds up). */
export function reclaimable(series: Series, position: Position): bigint {
  if (series.writtenSize === 0n) return position.escrowDeposited;
  const share = (series.payoutTotal * position.size + series.writtenSize - 1n) / series.writtenSize;
  return position.escrowDeposited > share ? position.escrowDeposited - share : 0n;
}

/** Premium for `size` at a per-unit premium (PRICE_SCALE), as the program pays it. */
export function premiumFor(vault: Vault, perUnit: bigint, size: bigint): bigint {
  return quoteAmountDown(perUnit, size, vault.collateralDecimals, vault.quoteDecimals);
}

export class NotFoundError extends Error {
  constructor(readonly kind: string, readonly address: Address) {
    super(`no ${kind} account at ${address}`);
    this.name = 'NotFoundError';
  }
}

export async function fetchVaultAccount(rpc: Rpc<SolanaRpcApi>, address: Address): Promise<Account<Vault>> {
  const v = await fetchMaybeVault(rpc, address, { commitment: 'confirmed' });
  if (!v.exists) throw new NotFoundError('vault', address);
  return { address, data: v.data };
}

export async function fetchSeriesView(rpc: Rpc<SolanaRpcApi>, address: Address): Promise<SeriesView> {
  const s = await fetchMaybeSeries(rpc, address, { commitment: 'confirmed' });
  if (!s.exists) throw new NotFoundError('series', address);
  return seriesView(address, s.data);
}

const b58 = (bytes: Uint8Array) => getBase58Decoder().decode(bytes) as Base58EncodedBytes;

async function programAccounts<T>(
  rpc: Rpc<SolanaRpcApi>,
  discriminator: Uint8Array,
  memcmp: { offset: number; address: Address }[],
  decode: (data: Uint8Array) => T,
  programAddress: Address,
): Promise<Account<T>[]> {
  const filters = [
    { memcmp: { offset: 0n, bytes: b58(discriminator), encoding: 'base58' as const } },
    ...memcmp.map((m) => ({ memcmp: { offset: BigInt(m.offset), bytes: m.address as unknown as Base58EncodedBytes, encoding: 'base58' as const } })),
  ];
  const res = await rpc.getProgramAccounts(programAddress, { encoding: 'base64', commitment: 'confirmed', filters }).send();
  const list = (Array.isArray(res) ? res : (res as { value: typeof res }).value) as unknown as {
    pubkey: Address;
    account: { data: [string, string] };
  }[];
  return list.map((a) => ({ address: a.pubkey, data: decode(Uint8Array.from(getBase64Encoder().encode(a.account.data[0]))) }));
}

/** Every vault of the program. */
export function listVaults(rpc: Rpc<SolanaRpcApi>, programAddress: Address = BACKSTOP_PROGRAM_ADDRESS) {
  return programAccounts(rpc, VAULT_DISCRIMINATOR, [], (d) => getVaultDecoder().decode(d), programAddress);
}

/** A vault's series, by strike then expiry. */
export async function listSeries(rpc: Rpc<SolanaRpcApi>, vault: Address, programAddress: Address = BACKSTOP_PROGRAM_ADDRESS): Promise<SeriesView[]> {
  const list = await programAccounts(rpc, SERIES_DISCRIMINATOR, [{ offset: 8, address: vault }], (d) => getSeriesDecoder().decode(d), programAddress);
  return list
    .map((s) => seriesView(s.address, s.data))
    .sort((a, b) => (a.data.strike === b.data.strike ? Number(a.data.expiry - b.data.expiry) : a.data.strike < b.data.strike ? -1 : 1));
}

/** Open positions, filtered by writer and/or series. */
export function listPositions(
  rpc: Rpc<SolanaRpcApi>,
  filter: { writer?: Address; series?: Address },
  programAddress: Address = BACKSTOP_PROGRAM_ADDRESS,
): Promise<Account<Position>[]> {
  const memcmp: { offset: number; address: Address }[] = [];
  if (filter.series) memcmp.push({ offset: 8, address: filter.series });
  if (filter.writer) memcmp.push({ offset: 40, address: filter.writer });
  return programAccounts(rpc, POSITION_DISCRIMINATOR, memcmp, (d) => getPositionDecoder().decode(d), programAddress);
}

/** What is left of the vault's release cap at `now` (a new epoch starts with the whole cap). */
export function releaseCapLeft(vault: Vault, now: bigint): bigint {
  const epochOver = now >= vault.epochStart + BigInt(vault.release.epochSecs);
  const used = epochOver ? 0n : vault.releasedInEpoch;
  return vault.release.capPerEpoch > used ? vault.release.capPerEpoch - used : 0n;
}

/** Units and payout one `trigger` would release at `price` within `capLeft` (the program's
 * sizing: units whose intrinsic value fits the cap, rounded down, then the payout rounded down). */
export function releaseSize(vault: Vault, series: Series, price: bigint, capLeft: bigint): { units: bigint; payout: bigint } {
  const strike = strikeToPrice(series.strike, vault.quoteDecimals);
  const unexercised = series.writtenSize - series.exercisedSize;
  if (price >= strike || unexercised <= 0n) return { units: 0n, payout: 0n };
  const scale = 10n ** BigInt(vault.collateralDecimals + 12 - vault.quoteDecimals);
  const affordable = (capLeft * scale) / (strike - price);
  const units = affordable < unexercised ? affordable : unexercised;
  return { units, payout: intrinsicFor(strike, price, units, vault.collateralDecimals, vault.quoteDecimals) };
}

/** After expiry, how long only the first update at/after expiry (or the earliest shown) can
 * settle a series (the program's `SETTLEMENT_GRACE_SECS`). */
export const SETTLEMENT_GRACE_SECS = 3_600n;

/** Whether an observation of a still-breached vault at `publishTime` (cluster clock `now`) would
 * confirm its pending breach: persistence elapsed by publish time and by the cluster clock, and
 * no gap longer than persistence + max age since the last observation (`BreachState::observe`). */
export function breachConfirmsAt(vault: Vault, publishTime: bigint, now: bigint): boolean {
  const b = vault.breach;
  if (b.confirmedAt !== 0n) return true;
  if (b.firstSeen === 0n) return false;
  const p = BigInt(vault.trigger.persistenceSecs);
  const maxGap = p + BigInt(vault.oracle.maxAgeSecs);
  return publishTime - b.lastObserved <= maxGap && publishTime - b.firstSeen >= p && now - b.firstSeenClock >= p;
}
