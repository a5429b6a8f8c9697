// Pyth pull-oracle PriceUpdateV2 account bytes, as the Pyth Solana receiver stores them: used by
// tests, the demo and local tooling to post prices on a local validator.
import { getAddressEncoder, type Address } from '@solana/kit';

/** The Pyth Solana receiver program (owner of PriceUpdateV2 accounts). */
export const PYTH_RECEIVER_ADDRESS = 'rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ' as Address<'rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ'>;
/** sha256("account:PriceUpdateV2")[..8]. */
export const PRICE_UPDATE_V2_DISCRIMINATOR = Uint8Array.from([34, 241, 35, 99, 157, 126, 244, 205]);
/** Bytes the receiver allocates (the Partial-verification encoding is the longest). */
export const PRICE_UPDATE_V2_LEN = 134;

export interface PriceUpdateFields {
  feedId: Uint8Array;
  price: bigint;
  conf: bigint;
  exponent: number;
  publishTime: bigint;
  prevPublishTime?: bigint;
  /** Full verification unless a number of guardian signatures is given (Partial). */
  partialSignatures?: number;
  writeAuthority?: Address;
  postedSlot?: bigint;
}

/** Encodes a PriceUpdateV2 account (discriminator + borsh), zero-padded to its allocated size. */
export function encodePriceUpdateV2(f: PriceUpdateFields): Uint8Array {
  if (f.feedId.length !== 32) throw new Error('feedId must be 32 bytes');
  const out = new Uint8Array(PRICE_UPDATE_V2_LEN);
  const view = new DataView(out.buffer);
  let o = 0;
  out.set(PRICE_UPDATE_V2_DISCRIMINATOR, o); o += 8;
  out.set(getAddressEncoder().encode(f.writeAuthority ?? ('11111111111111111111111111111111' as Address)), o); o += 32;
  if (f.partialSignatures === undefined) { out[o++] = 1; } else { out[o++] = 0; out[o++] = f.partialSignatures; }
  out.set(f.feedId, o); o += 32;
  view.setBigInt64(o, f.price, true); o += 8;
  view.setBigUint64(o, f.conf, true); o += 8;
  view.setInt32(o, f.exponent, true); o += 4;
  view.setBigInt64(o, f.publishTime, true); o += 8;
  view.setBigInt64(o, f.prevPublishTime ?? f.publishTime - 1n, true); o += 8;
  view.setBigInt64(o, f.price, true); o += 8; // ema_price
  view.setBigUint64(o, f.conf, true); o += 8; // ema_conf
  view.setBigUint64(o, f.postedSlot ?? 1n, true);
  return out;
}
