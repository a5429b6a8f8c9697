// Account data for the SDK's pure tests: a vault and a series decoded from zeroed bytes, then
// given the settings a test needs (every other field is 0).
import { getSeriesDecoder, getSeriesSize, getVaultDecoder, getVaultSize, type Series, type Vault } from '../src/index';

export const USDC = 1_000_000n;
export const SOL = 1_000_000_000n;
export const PRICE_ONE = 1_000_000_000_000n;
export const usd = (dollars: bigint) => dollars * PRICE_ONE;

/** A SOL/USDC vault: barrier $90, persistence 60 s, max age 60 s (held span 180 s, buckets of
 * 23 s), cap $1,000,000 per hour, tip $5 from $100 released, one step per 60 s. */
export function testVault(o: Partial<Vault> = {}): Vault {
  const zero = getVaultDecoder().decode(new Uint8Array(getVaultSize()));
  return {
    ...zero,
    quoteDecimals: 6,
    collateralDecimals: 9,
    oracle: { ...zero.oracle, maxAgeSecs: 60, maxConfBps: 200 },
    trigger: { ...zero.trigger, barrierPrice: usd(90n), persistenceSecs: 60 },
    pricing: { ...zero.pricing, writeConfBps: 100 },
    release: {
      ...zero.release,
      capPerEpoch: 1_000_000n * USDC, epochSecs: 3_600, keeperTip: 5n * USDC,
      minTipRelease: 100n * USDC, releaseIntervalSecs: 60, writeCutoffSecs: 3_600,
    },
    ...o,
  };
}

/** A $100 series of 100 SOL written, expiring at `expiry`. */
export function testSeries(o: Partial<Series> = {}): Series {
  const zero = getSeriesDecoder().decode(new Uint8Array(getSeriesSize()));
  return { ...zero, strike: 100n * USDC, writtenSize: 100n * SOL, sizeCap: 1_000n * SOL, expiry: 1_000_000n, ...o };
}
