// Read-side wrappers: vaults, series and positions with the numbers people ask about (coverage,
// coverage ratio, premium paid, released, moneyness, what was advanced, what settlement would
// still pay, when a series may step next, what a writer can reclaim).
import {
  getBase58Decoder,
  type Address,
  type Base58EncodedBytes,
  type Rpc,
  type SolanaRpcApi,
} from '@solana/kit';
import { base64Bytes } from './tx';
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
import { breachActive, heldPrice, nextStepAt, owedAt, stillOwedAt } from './release';
import { quoteAmountDown, strikeToPrice } from './units';

/** `expired`: a pending or confirmed breach not re-observed within persistence + max age; the
 * program treats it as over (writes reopen, no release step) until a new breach starts. */
export type BreachPhase = 'healthy' | 'pending' | 'confirmed' | 'expired';

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
  /** The price the breach held at (what a release step pays at); null when none was recorded. */
  heldPrice: bigint | null;
}

/** The breach at cluster time `now` (the program's `breach_active` / `breach_confirmed`). */
export function breachPhase(vault: Vault, now: bigint): BreachPhase {
  if (vault.breach.firstSeen === 0n) return 'healthy';
  if (!breachActive(vault, now)) return 'expired';
  return vault.breach.confirmedAt !== 0n ? 'confirmed' : 'pending';
}

export function vaultStrength(vault: Vault, now: bigint): VaultStrengthView {
  const t = vault.totals;
  const liabilities = vault.report.liabilities;
  return {
    coverage: t.escrowed,
    premiumPaid: t.premiumPaid,
    released: t.released,
    committedPremium: t.committedPremium,
    liabilities,
    coverageRatioBps: liabilities === 0n ? 0n : min((t.escrowed * 10_000n) / liabilities, U64_MAX),
    breach: breachPhase(vault, now),
    heldPrice: vault.breach.firstSeen === 0n ? null : heldPrice(vault),
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
  /** Quote base units advanced to the recovery account by release steps. */
  advanced: bigint;
  /** Escrow not yet paid out nor reclaimed, quote base units. */
  escrowHeld: bigint;
}

export function seriesView(address: Address, data: Series): SeriesView {
  return {
    address,
    data,
    settled: data.status === SeriesStatus.Settled,
    advanced: data.advanced,
    escrowHeld: data.escrowDeposited - data.payoutTotal - data.escrowReclaimed,
  };
}

/** Where a series stands in the release model (docs/DESIGN.md section 6). */
export interface SeriesReleaseView {
  advanced: bigint;
  /** Intrinsic of every written unit at `price`, and what settlement at `price` would still pay
   * beyond the advances (`max(0, owed - advanced)`); null without a price. */
  owedAtPrice: bigint | null;
  stillOwedAtPrice: bigint | null;
  /** Intrinsic at the vault's held price: what steps may bring the advances up to (caps aside). */
  owedAtHeldPrice: bigint | null;
  /** Cluster time from which the next release step is allowed (the next grid slot); 0 = any time. */
  nextStepAt: bigint;
}

export function seriesRelease(vault: Vault, series: Series, price?: bigint): SeriesReleaseView {
  const held = vault.breach.firstSeen === 0n ? null : heldPrice(vault);
  return {
    advanced: series.advanced,
    owedAtPrice: price === undefined ? null : owedAt(vault, series, price),
    stillOwedAtPrice: price === undefined ? null : stillOwedAt(vault, series, price),
    owedAtHeldPrice: held === null ? null : owedAt(vault, series, held),
    nextStepAt: nextStepAt(vault, series),
  };
}

export function isInTheMoney(vault: Vault, series: Series, price: bigint): boolean {
  return price < strikeToPrice(series.strike, vault.quoteDecimals);
}

/** What a writer gets back at reclaim: escrow minus its pro-rata share of payouts (share rounds
 * up). `morePayout`: what settlement would still add to the series' payouts (see
 * `stillOwedAt`), to ask what a writer would get back at a given expiry price. */
export function reclaimable(series: Series, position: Position, morePayout = 0n): bigint {
  if (series.writtenSize === 0n) return position.escrowDeposited;
  const payout = series.payoutTotal + morePayout;
  const share = (payout * position.size + series.writtenSize - 1n) / series.writtenSize;
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
  return list.map((a) => ({ address: a.pubkey, data: decode(base64Bytes(a.account.data[0])) }));
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
