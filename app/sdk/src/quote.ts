// The premium a write would be paid, computed exactly as write_put computes it: the same oracle
// checks and normalisation, the same engine, the same roundings. Same slot, same inputs, same
// number, to the unit.
import { type Address, type Rpc, type SolanaRpcApi } from '@solana/kit';
import { SeriesStatus, SeriesStyle, type Series, type Vault } from './generated/backstop/index';
import { readReading, validatePriceAccount, type OracleCheck, type OraclePrice, type Reading } from './oracle';
import { americanPutPremium, putPremium, type PremiumInputs, type PremiumQuote } from './pricing/index';
import { escrowFor, quoteAmountDown, strikeToPrice } from './units';
import { breachActive } from './release';
import { pinnedPriceAccount } from './feeds';
import { base64Bytes } from './tx';
import { fetchSeriesView, fetchVaultAccount } from './views';

const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111' as Address;

export interface WriteQuote {
  /** Premium per whole collateral unit, PRICE_SCALE (1e-12 quote). */
  premiumPerUnit: bigint;
  /** Premium paid for `size`, quote base units (rounded down). */
  premium: bigint;
  /** Escrow taken for `size`, quote base units (rounded up). */
  escrow: bigint;
  /** The oracle price used (PRICE_SCALE) and its confidence. */
  spot: bigint;
  confidence: bigint;
  tenorSecs: bigint;
  engine: PremiumQuote;
}

export class QuoteError extends Error {
  constructor(readonly reason: string, message: string) {
    super(`${reason}: ${message}`);
    this.name = 'QuoteError';
  }
}

/** The checks `write_put` makes before it reads the price, in its order (pause flags are the
 * config's: the send reports them). */
export function checkWritable(vault: Vault, series: Series, now: bigint, size: bigint): void {
  if (size <= 0n) throw new QuoteError('ZeroAmount', 'size must be positive');
  if (series.status !== SeriesStatus.Open) throw new QuoteError('SeriesNotOpen', 'the series is settled');
  if (now >= series.expiry) throw new QuoteError('SeriesExpired', 'the series has expired');
  // Nobody writes into a breach they can see coming.
  if (breachActive(vault, now)) throw new QuoteError('WritingFrozen', 'writing is frozen: a breach of the vault is pending or confirmed');
  if (series.advanced > 0n || series.deliveredSize > 0n) {
    throw new QuoteError('SeriesAdvanced', 'this series has already advanced capital or taken a delivery');
  }
  const cutoff = series.expiry - BigInt(vault.release.writeCutoffSecs);
  if (now >= cutoff) throw new QuoteError('WriteCutoff', `writes closed at ${cutoff}, ${vault.release.writeCutoffSecs} s before expiry`);
  if (series.writtenSize + size > series.sizeCap) {
    throw new QuoteError('SizeCapExceeded', `only ${series.sizeCap - series.writtenSize} base units left under the size cap`);
  }
}

/** Quote from account data: the vault, the series, a validated price and the chain's time. */
export function quoteWrite(vault: Vault, series: Series, price: OraclePrice, now: bigint, size: bigint): WriteQuote {
  checkWritable(vault, series, now, size);
  // Then the price, as the program reads it (strictly; `price` passed validatePriceAccount).
  if (price.publishTime < vault.breach.lastObserved) {
    throw new QuoteError('OracleOutdated', 'the price is older than one the vault already observed');
  }
  if (price.conf * 10_000n > price.price * BigInt(vault.pricing.writeConfBps)) {
    throw new QuoteError('WriteConfidenceTooWide', `confidence ${price.conf} on ${price.price} is wider than the write cap of ${vault.pricing.writeConfBps} bps`);
  }
  const tenorSecs = series.expiry - now;
  const inputs: PremiumInputs = {
    spot: price.price,
    strike: strikeToPrice(series.strike, vault.quoteDecimals),
    confidence: price.conf,
    tenorSecs,
    svi: series.svi,
    rate: vault.pricing.rate,
    confMultiplierBps: BigInt(vault.pricing.confMultiplierBps),
    tailLoadingBps: BigInt(vault.pricing.tailLoadingBps),
    minPremium: vault.pricing.minPremium,
    // What the vault delivers, as write_put prices it: the lookback put on its release grid
    // (cash), or a put its holder exercises when it chooses (physical: the American bound).
    releaseIntervalSecs: BigInt(vault.release.releaseIntervalSecs),
  };
  const engine = series.style === SeriesStyle.PhysicalDelivery ? americanPutPremium(inputs) : putPremium(inputs);
  const premium = quoteAmountDown(engine.premium, size, vault.collateralDecimals, vault.quoteDecimals);
  if (series.premiumPaid + premium > series.premiumBudget) {
    throw new QuoteError('PremiumBudgetExceeded', 'the premium would exceed the series budget');
  }
  return {
    premiumPerUnit: engine.premium,
    premium,
    escrow: escrowFor(series.strike, size, vault.collateralDecimals),
    spot: price.price,
    confidence: price.conf,
    tenorSecs,
    engine,
  };
}

/** The Clock sysvar's unix timestamp: the `now` programs see. */
export async function fetchChainTime(rpc: Rpc<SolanaRpcApi>): Promise<bigint> {
  const { value } = await rpc.getAccountInfo(CLOCK_SYSVAR, { encoding: 'base64', commitment: 'confirmed' }).send();
  if (!value) throw new Error('the RPC returned no Clock sysvar');
  const bytes = base64Bytes(value.data[0]);
  return new DataView(bytes.buffer).getBigInt64(32, true); // slot, epoch_start_timestamp, epoch, leader_schedule_epoch, unix_timestamp
}

/** Raw account (owner and bytes), or null. */
export async function fetchRawAccount(rpc: Rpc<SolanaRpcApi>, address: Address): Promise<{ owner: Address; data: Uint8Array; lamports: bigint } | null> {
  const { value } = await rpc.getAccountInfo(address, { encoding: 'base64', commitment: 'confirmed' }).send();
  if (!value) return null;
  return { owner: value.owner, data: base64Bytes(value.data[0]), lamports: BigInt(value.lamports) };
}

/** Reads and validates a vault's price account live, as the program would at `now`. */
export async function fetchOraclePrice(
  rpc: Rpc<SolanaRpcApi>,
  vault: Vault,
  priceAccount: Address,
  now: bigint,
  feed: 'collateral' | 'depeg' = 'collateral',
): Promise<OraclePrice> {
  const raw = await fetchPriceAccount(rpc, vault, priceAccount, feed);
  return validatePriceAccount(raw.owner, raw.data, oracleReadConfig(vault, now, feed));
}

/** Reads a vault's price account live as an observation would at `now`: a stale or non-positive
 * update is no information, a wide one a band; an account that is not the feed throws. */
export async function fetchReading(
  rpc: Rpc<SolanaRpcApi>,
  vault: Vault,
  priceAccount: Address,
  now: bigint,
  feed: 'collateral' | 'depeg' = 'collateral',
): Promise<Reading> {
  const raw = await fetchPriceAccount(rpc, vault, priceAccount, feed);
  return readReading(raw.owner, raw.data, oracleReadConfig(vault, now, feed));
}

async function fetchPriceAccount(rpc: Rpc<SolanaRpcApi>, vault: Vault, priceAccount: Address, feed: 'collateral' | 'depeg') {
  const pin = pinnedPriceAccount(vault, feed);
  if (pin && pin !== priceAccount) {
    throw new QuoteError('PriceAccountNotPinned', `the vault reads its ${feed} feed only from ${pin}, not ${priceAccount}`);
  }
  const raw = await fetchRawAccount(rpc, priceAccount);
  if (!raw) throw new QuoteError('OracleInvalidAccount', `no price account at ${priceAccount}`);
  return raw;
}

/** How the vault reads one of its feeds at `now` (the program's `Vault::oracle_config`). */
export function oracleReadConfig(vault: Vault, now: bigint, feed: 'collateral' | 'depeg' = 'collateral'): OracleCheck {
  return {
    receiver: vault.oracle.receiver,
    feedId: Uint8Array.from(feed === 'collateral' ? vault.oracle.collateralFeed : vault.oracle.depegFeed),
    maxConfBps: vault.oracle.maxConfBps,
    now,
    maxAgeSecs: vault.oracle.maxAgeSecs,
  };
}

/** Everything fetched: the quote a write of `size` would get right now. */
export async function fetchWriteQuote(
  rpc: Rpc<SolanaRpcApi>,
  args: { series: Address; priceUpdate: Address; size: bigint },
): Promise<WriteQuote & { now: bigint }> {
  const series = await fetchSeriesView(rpc, args.series);
  const vault = await fetchVaultAccount(rpc, series.data.vault);
  const now = await fetchChainTime(rpc);
  // The program refuses a write before it reads the price: report the same reason first.
  checkWritable(vault.data, series.data, now, args.size);
  const price = await fetchOraclePrice(rpc, vault.data, args.priceUpdate, now);
  return { ...quoteWrite(vault.data, series.data, price, now, args.size), now };
}
