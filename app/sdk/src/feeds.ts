// Pyth feeds by name or id, and the account that holds each feed's newest price. Pyth's push
// oracle keeps one PriceUpdateV2 account per (shard, feed id), a PDA that only ever moves
// forward to a newer price: pointing tools at it (instead of any fresh update someone posted)
// means every read is the newest price there is.
import { address, getProgramDerivedAddress, getU16Encoder, type Address } from '@solana/kit';
import { DEFAULT_ADDRESS } from './pdas';

/** Pyth's push-oracle program: the PDA owner-seed of sponsored feed accounts (mainnet, devnet). */
export const PYTH_PUSH_ORACLE_ADDRESS = address('pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT');

/** Feed ids (hex) of the feeds a backstop vault typically reads; any other id may be given raw. */
export const PYTH_FEED_IDS: Readonly<Record<string, string>> = {
  'SOL/USD': 'ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d',
  'BTC/USD': 'e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43',
  'ETH/USD': 'ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace',
  'USDC/USD': 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a',
  'USDT/USD': '2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b',
};

/** A feed that cannot be named or derived, with what was wrong. */
export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}

// Hex by hand: the SDK also runs in the browser (the dashboard), which has no Node Buffer.
/** Lowercase hex of any bytes (a feed id, a discriminator). */
export const feedIdToHex = (bytes: ArrayLike<number>): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const hexToBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

/** The symbol of a known feed id, if it is in [`PYTH_FEED_IDS`]. */
export function feedSymbol(id: Uint8Array): string | undefined {
  const hex = feedIdToHex(id);
  return Object.keys(PYTH_FEED_IDS).find((s) => PYTH_FEED_IDS[s] === hex);
}

/**
 * A feed id from a symbol of the table (`SOL/USD`, case-insensitive, `Crypto.` prefix allowed) or
 * 64 hex digits (`0x` allowed). Throws FeedError naming the known symbols otherwise.
 */
export function parseFeedId(text: string): Uint8Array {
  const t = text.trim();
  const hex = t.replace(/^0x/i, '');
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return hexToBytes(hex);
  const symbol = t.replace(/^crypto\./i, '').toUpperCase();
  const known = PYTH_FEED_IDS[symbol];
  if (known) return hexToBytes(known);
  throw new FeedError(`unknown feed "${text}": give a symbol (${Object.keys(PYTH_FEED_IDS).join(', ')}) or a 32-byte feed id in hex`);
}

export interface PushFeedOptions {
  /** Shard of the sponsored feed (Pyth sponsors shard 0; others are paid by whoever updates). */
  shard?: number;
  /** Push-oracle program id (another cluster's deployment, or a test's). */
  pushOracleProgram?: Address;
}

/** The sponsored price account of a feed: PDA of `[shard as u16 LE, feed id]` under the push oracle. */
export async function pushFeedAddress(feedId: Uint8Array, options: PushFeedOptions = {}): Promise<Address> {
  const shard = options.shard ?? 0;
  if (feedId.length !== 32) throw new FeedError(`a feed id is 32 bytes, got ${feedId.length}`);
  if (!Number.isInteger(shard) || shard < 0 || shard > 0xffff) throw new FeedError(`shard must be an integer in 0..=65535, got ${shard}`);
  const [pda] = await getProgramDerivedAddress({
    programAddress: options.pushOracleProgram ?? PYTH_PUSH_ORACLE_ADDRESS,
    seeds: [getU16Encoder().encode(shard), feedId],
  });
  return pda;
}

/** A vault's feeds as the oracle settings store them (the generated `Vault` fits). */
export interface VaultFeeds {
  oracle: {
    collateralFeed: ArrayLike<number>;
    depegFeed: ArrayLike<number>;
    collateralPriceAccount?: Address;
    depegPriceAccount?: Address;
  };
}

/** The zero address: a price-account pin that is not set. */
export const UNPINNED = DEFAULT_ADDRESS;

/** The account a vault pinned for one of its feeds; undefined when it reads any update. */
export function pinnedPriceAccount(vault: VaultFeeds, leg: 'collateral' | 'depeg'): Address | undefined {
  const pin = leg === 'collateral' ? vault.oracle.collateralPriceAccount : vault.oracle.depegPriceAccount;
  return pin && pin !== UNPINNED ? pin : undefined;
}

/** The price accounts of a vault's own feeds: the pinned account where the vault pins one, else
 * the feed's sponsored account; the stablecoin's only when the vault has a depeg feed (all-zero
 * id: none). */
export async function vaultPriceAccounts(vault: VaultFeeds, options: PushFeedOptions = {}): Promise<{ collateral: Address; depeg?: Address }> {
  const collateral =
    pinnedPriceAccount(vault, 'collateral') ?? (await pushFeedAddress(Uint8Array.from(vault.oracle.collateralFeed), options));
  const depegId = Uint8Array.from(vault.oracle.depegFeed);
  const depeg = depegId.some((b) => b !== 0)
    ? (pinnedPriceAccount(vault, 'depeg') ?? (await pushFeedAddress(depegId, options)))
    : undefined;
  return { collateral, depeg };
}
