// Reading Pyth PriceUpdateV2 accounts off-chain, with the same checks and normalisation as
// programs/backstop/src/oracle (so a client quote uses exactly the price the program will).
import { getAddressDecoder, type Address } from '@solana/kit';
import { PRICE_UPDATE_V2_DISCRIMINATOR } from './pyth';
import { PRICE_DECIMALS } from './units';

export const MIN_EXPONENT = -18;
export const MAX_EXPONENT = 6;

export interface DecodedPriceUpdate {
  writeAuthority: Address;
  /** null for Full verification, else the number of guardian signatures (Partial). */
  partialSignatures: number | null;
  feedId: Uint8Array;
  price: bigint;
  conf: bigint;
  exponent: number;
  publishTime: bigint;
  prevPublishTime: bigint;
  postedSlot: bigint;
}

/** Decodes PriceUpdateV2 account data; null when the discriminator or the layout is wrong. */
export function decodePriceUpdateV2(data: Uint8Array): DecodedPriceUpdate | null {
  if (data.length < 8 || !PRICE_UPDATE_V2_DISCRIMINATOR.every((b, i) => data[i] === b)) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let o = 8;
  const need = (n: number) => o + n <= data.length;
  if (!need(33)) return null;
  const writeAuthority = getAddressDecoder().decode(data.subarray(o, o + 32)); o += 32;
  let partialSignatures: number | null;
  const level = data[o++];
  if (level === 1) partialSignatures = null;
  else if (level === 0 && need(1)) partialSignatures = data[o++];
  else return null;
  if (!need(32 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8)) return null;
  const feedId = data.slice(o, o + 32); o += 32;
  const price = view.getBigInt64(o, true); o += 8;
  const conf = view.getBigUint64(o, true); o += 8;
  const exponent = view.getInt32(o, true); o += 4;
  const publishTime = view.getBigInt64(o, true); o += 8;
  const prevPublishTime = view.getBigInt64(o, true); o += 8;
  o += 16; // ema_price, ema_conf
  const postedSlot = view.getBigUint64(o, true);
  return { writeAuthority, partialSignatures, feedId, price, conf, exponent, publishTime, prevPublishTime, postedSlot };
}

/** Why the program would refuse a price (names match the program's error variants). */
export type OracleRejection =
  | 'OracleWrongOwner'
  | 'OracleInvalidAccount'
  | 'OracleWrongFeed'
  | 'OracleNotFullyVerified'
  | 'OracleNonPositivePrice'
  | 'OracleStale'
  | 'OracleConfidenceTooWide'
  | 'OracleExponentOutOfRange'
  | 'OraclePriceOutOfRange';

export class OracleError extends Error {
  constructor(readonly reason: OracleRejection, detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'OracleError';
  }
}

/** A validated price in `PRICE_SCALE` (1e-12) units: price rounded up, confidence down. */
export interface OraclePrice {
  price: bigint;
  conf: bigint;
  publishTime: bigint;
  prevPublishTime: bigint;
}

export interface OracleCheck {
  receiver: Address;
  feedId: Uint8Array;
  maxConfBps: number;
  /** Live reads: the chain's unix time and the vault's max age. Omit for window reads. */
  now?: bigint;
  maxAgeSecs?: number;
}

const U64_MAX = (1n << 64n) - 1n;

function normalise(value: bigint, exponent: number, roundUp: boolean): bigint {
  const shift = exponent + PRICE_DECIMALS;
  const factor = 10n ** BigInt(Math.abs(shift));
  if (factor > U64_MAX) throw new OracleError('OraclePriceOutOfRange', `10^${Math.abs(shift)} overflows`);
  const out = shift >= 0 ? value * factor : roundUp ? (value + factor - 1n) / factor : value / factor;
  if (out > U64_MAX || (roundUp && value + factor - 1n > U64_MAX)) {
    throw new OracleError('OraclePriceOutOfRange', 'normalised price overflows u64');
  }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** What the update is: owner, layout, the vault's feed, fully verified, a sane exponent. A
 * failure is a wrong account, never market stress: every read refuses it (`oracle::decode` and
 * `check_identity`). */
function checkIdentity(owner: Address, data: Uint8Array, check: OracleCheck): DecodedPriceUpdate {
  if (owner !== check.receiver) throw new OracleError('OracleWrongOwner', `owner ${owner} is not ${check.receiver}`);
  const u = decodePriceUpdateV2(data);
  if (!u) throw new OracleError('OracleInvalidAccount', 'not a PriceUpdateV2 account');
  if (!sameBytes(u.feedId, check.feedId)) throw new OracleError('OracleWrongFeed', 'feed id differs from the vault');
  if (u.partialSignatures !== null) throw new OracleError('OracleNotFullyVerified', 'partially verified update');
  if (u.exponent < MIN_EXPONENT || u.exponent > MAX_EXPONENT) {
    throw new OracleError('OracleExponentOutOfRange', `exponent ${u.exponent}`);
  }
  return u;
}

const isFresh = (u: DecodedPriceUpdate, check: OracleCheck) =>
  check.now === undefined || check.maxAgeSecs === undefined || u.publishTime >= check.now - BigInt(check.maxAgeSecs);
const withinCap = (u: DecodedPriceUpdate, maxConfBps: number) => u.conf * 10_000n <= u.price * BigInt(maxConfBps);

function normalised(u: DecodedPriceUpdate): OraclePrice {
  return {
    price: normalise(u.price, u.exponent, true),
    conf: normalise(u.conf, u.exponent, false),
    publishTime: u.publishTime,
    prevPublishTime: u.prevPublishTime,
  };
}

/** The program's strict read (writes, quotes): identity, then price > 0, freshness and the
 * confidence cap, each with its own error, in the program's order (`oracle::read_price`). */
export function validatePriceAccount(owner: Address, data: Uint8Array, check: OracleCheck): OraclePrice {
  const u = checkIdentity(owner, data, check);
  if (u.price <= 0n) throw new OracleError('OracleNonPositivePrice', `price ${u.price}`);
  if (!isFresh(u, check)) throw new OracleError('OracleStale', `published at ${u.publishTime}, now ${check.now}`);
  if (!withinCap(u, check.maxConfBps)) throw new OracleError('OracleConfidenceTooWide', `conf ${u.conf} on price ${u.price}`);
  return normalised(u);
}

/** What an observation learns from one feed (`oracle::Reading`). */
export type Reading =
  /** A fresh, positive price; `wide` when its confidence exceeds the cap (read as a band). */
  | { kind: 'price'; price: OraclePrice; wide: boolean }
  /** Stale or non-positive: the feed says nothing now. */
  | { kind: 'none' };

/** The program's lenient read (observations, settlement): identity failures still throw; a
 * stale or non-positive update is no information; a wide one is a band (`oracle::read_reading`).
 * Without `now` any publish time counts (settlement's window read). */
export function readReading(owner: Address, data: Uint8Array, check: OracleCheck): Reading {
  const u = checkIdentity(owner, data, check);
  if (u.price <= 0n || !isFresh(u, check)) return { kind: 'none' };
  return { kind: 'price', price: normalised(u), wide: !withinCap(u, check.maxConfBps) };
}

/** `[low, high]`: the band an observation uses, `price ± conf` when wide, else the price. */
export function priceBand(p: OraclePrice, wide: boolean): [bigint, bigint] {
  if (!wide) return [p.price, p.price];
  const high = p.price + p.conf;
  return [p.price > p.conf ? p.price - p.conf : 0n, high > U64_MAX ? U64_MAX : high];
}
