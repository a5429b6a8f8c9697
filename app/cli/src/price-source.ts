// Where a command reads prices: an explicit PriceUpdateV2 account (--price-account), a feed by
// name or id (--feed SOL/USD), or by default the vault's own feed. Feeds resolve to Pyth's
// sponsored push-feed account, which only ever moves forward to the newest price; a vault that
// pins an account is read from that account only.
import {
  FeedError,
  feedIdToHex,
  feedSymbol,
  parseFeedId,
  pinnedPriceAccount,
  pushFeedAddress,
  type PushFeedOptions,
  type Vault,
} from '@backstop/sdk';
import type { Address } from '@solana/kit';
import { CliError, parseAddress, type GlobalOptions } from './context';

export const PRICE_OPTIONS = {
  'price-account': { type: 'string' },
  feed: { type: 'string' },
} as const;

export const PRICE_HELP = '[--price-account P | --feed SOL/USD|<hex id>|vault]';

type Values = Record<string, unknown>;

/** The shard and push-oracle program of derived feed accounts (global options). */
export function feedOptions(opts: GlobalOptions): PushFeedOptions {
  return { shard: opts.feedShard, pushOracleProgram: opts.pushOracleProgram };
}

const describeFeed = (id: Uint8Array) => feedSymbol(id) ?? feedIdToHex(id);

/**
 * The price account for `vault`'s collateral (or stablecoin) feed: `--price-account`, else
 * `--feed`, else the vault's own feed. A `--feed` that is not the vault's feed is refused here,
 * with both names, rather than by the program.
 */
export async function priceAccountFor(opts: GlobalOptions, values: Values, vault: Vault, leg: Leg = 'collateral'): Promise<Address> {
  const account = await resolvePriceAccount(opts, values, vault, true, leg);
  if (!account) throw new CliError(`no price account for this vault's ${leg} feed`);
  return account;
}

/** [`priceAccountFor`] for views that show a price only when an option asks for one. */
export function optionalPriceAccountFor(opts: GlobalOptions, values: Values, vault: Vault): Promise<Address | undefined> {
  return resolvePriceAccount(opts, values, vault, false, 'collateral');
}

type Leg = 'collateral' | 'depeg';

async function resolvePriceAccount(opts: GlobalOptions, values: Values, vault: Vault, required: boolean, leg: Leg): Promise<Address | undefined> {
  const feedText = values.feed as string | undefined;
  const flag = values['price-account'] as string | undefined;
  if (flag !== undefined && feedText !== undefined) throw new CliError('give --price-account or --feed, not both', 2);
  // A flag wins over the environment: BACKSTOP_PRICE_ACCOUNT applies only when --feed is absent.
  const explicit = flag ?? (feedText === undefined ? process.env.BACKSTOP_PRICE_ACCOUNT : undefined);
  const pin = pinnedPriceAccount(vault, leg);
  if (explicit !== undefined) {
    const account = parseAddress(explicit, '--price-account');
    // The program reads a pinned feed from no other account: refuse before sending anything.
    if (pin && account !== pin) throw new CliError(`this vault reads its ${leg} feed only from ${pin}, not ${account}`, 2);
    return account;
  }
  if (feedText === undefined && !required) return undefined;
  const own = Uint8Array.from(leg === 'collateral' ? vault.oracle.collateralFeed : vault.oracle.depegFeed);
  if (own.every((b) => b === 0)) throw new CliError(`this vault has no ${leg} feed`);
  let id: Uint8Array = own;
  if (feedText !== undefined && feedText !== 'vault') {
    id = feedIdOption(feedText);
    if (feedIdToHex(id) !== feedIdToHex(own)) {
      throw new CliError(`--feed ${feedText} is not this vault's ${leg} feed (the vault reads ${describeFeed(own)})`, 2);
    }
  }
  // The shard was range-checked with the global options and a feed id is 32 bytes: no FeedError.
  return pin ?? pushFeedAddress(id, feedOptions(opts));
}

/** The feed id `--feed` names; a usage error (exit 2) when it names none. */
function feedIdOption(feedText: string): Uint8Array {
  try {
    return parseFeedId(feedText);
  } catch (e) {
    if (e instanceof FeedError) throw new CliError(`bad --feed: ${e.message}`, 2);
    throw e;
  }
}

/** The sponsored account of a feed named on the command line (no vault to compare it with). */
export function feedAccountOf(feedText: string, opts: GlobalOptions): Promise<Address> {
  return pushFeedAddress(feedIdOption(feedText), feedOptions(opts));
}
