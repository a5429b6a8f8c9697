// Scales, formats, limits and decimal->binary conversions (mirror of math/fixed.rs).

import { fail } from './errors.js';
import { abs, divWide, mulU64, toI64 } from './wide.js';

/** Price scale: 1e12 (exponent -12). */
export const PRICE_SCALE = 1_000_000_000_000n;
/** Parameter scale (SVI, volatility, rate): 1e9 (exponent -9). */
export const PARAM_SCALE = 1_000_000_000n;
/** One in basis points. */
export const BPS = 10_000n;
/** Seconds per year (365 days). */
export const SECONDS_PER_YEAR = 31_536_000n;

/** Log-moneyness, ln, d1, d2, r*tau: Q57 i64. */
export const Q_LOG = 57n;
/** Total variance: Q56 u64. */
export const Q_VAR = 56n;
/** sqrt(total variance): Q60 u64. */
export const Q_VOL = 60n;
/** Probabilities: Q63 u64. */
export const Q_PROB = 63n;
/** Discount factor: Q62 u64. */
export const Q_DF = 62n;

export const MAX_TENOR_SECS = 2n * SECONDS_PER_YEAR;
export const MAX_RATE = PARAM_SCALE / 2n;
export const MAX_VOL = 10n * PARAM_SCALE;
export const MAX_CONF_MULTIPLIER_BPS = 100_000n;
export const MIN_TAIL_LOADING_BPS = BPS;
export const MAX_TAIL_LOADING_BPS = 30_000n;
/** Largest premium floor: 100 bps (1 %) of the strike (the engine clamps a higher one). */
export const MAX_PREMIUM_FLOOR_BPS = 100n;

export const TAU_DEN = 481_201_171_875n;
export const VOL2_TAU_DEN = 939_846_038_818_359_375n;
export const FIVE_POW_9 = 1_953_125n;

export function checkTenor(tenorSecs: bigint): void {
  if (tenorSecs === 0n) fail('ZeroTenor');
  if (tenorSecs > MAX_TENOR_SECS) fail('TenorTooLong');
}

export function checkRate(rate: bigint): void {
  if (abs(rate) > MAX_RATE) fail('RateOutOfRange');
}

/** Sign applied to a magnitude (`Overflow` if the magnitude exceeds `i64`). */
export function signed(mag: bigint, negative: boolean): bigint {
  const v = toI64(mag);
  return negative ? -v : v;
}

/** `sign(x) floor(|x| 2^shift / 5^9)`. */
export function decToQ(x: bigint, shift: bigint): bigint {
  return signed(divWide(abs(x) << shift, FIVE_POW_9), x < 0n);
}

/** `floor(x secs 2^shift / TAU_DEN)`. */
export function tauScaled(x: bigint, tenorSecs: bigint, shift: bigint): bigint {
  const prod = x * tenorSecs;
  if (shift >= 128n || (shift > 0n && prod >> (128n - shift) !== 0n)) fail('Overflow');
  return divWide(prod << shift, TAU_DEN);
}

/** `r tau` in Q57, rounded toward zero. */
export function rateTauQ57(rate: bigint, tenorSecs: bigint): bigint {
  return signed(tauScaled(abs(rate), tenorSecs, 41n), rate < 0n);
}

/** `vol^2 tau` in Q56, rounded down. */
export function volTotalVarianceQ56(vol: bigint, tenorSecs: bigint): bigint {
  const vs = mulU64(vol, tenorSecs);
  return divWide((vol * vs) << 31n, VOL2_TAU_DEN);
}
