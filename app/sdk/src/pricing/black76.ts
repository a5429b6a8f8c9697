// Black-76 put and the premium charged (mirror of math/black76.rs; see there for the formula,
// the evaluation steps, the error bound and every rounding).

import { fail } from './errors.js';
import { discountFactorQ62 } from './exp.js';
import {
  BPS,
  checkRate,
  checkTenor,
  MAX_CONF_MULTIPLIER_BPS,
  MAX_PREMIUM_FLOOR_BPS,
  MAX_TAIL_LOADING_BPS,
  MAX_VOL,
  MIN_TAIL_LOADING_BPS,
  PARAM_SCALE,
  rateTauQ57,
  volTotalVarianceQ56,
} from './fixed.js';
import { lnRatio } from './ln.js';
import { lookbackPutQ62 } from './lookback.js';
import { normCdfNeg } from './ncdf.js';
import { type SviParams, sviTotalVarianceUnchecked, validateSvi } from './svi.js';
import {
  abs,
  assertType,
  divWide,
  isqrtU128,
  lo64,
  mulU128U64,
  addU64,
  subU64,
  toI64,
  toU64,
  U64_MAX,
} from './wide.js';

const Q_SAT = 1n << 62n;
const ONE_Q62 = 1n << 62n;

/** Inputs of `putPremium` (all bigint; units as in Rust `PremiumInputs`). */
export interface PremiumInputs {
  /** Oracle spot, PRICE_SCALE (1e-12) units, > 0. */
  spot: bigint;
  /** Strike, PRICE_SCALE units, > 0. */
  strike: bigint;
  /** Oracle confidence, PRICE_SCALE units. */
  confidence: bigint;
  /** Seconds to expiry, 1..=MAX_TENOR_SECS. */
  tenorSecs: bigint;
  /** SVI slice (annualised, PARAM_SCALE). */
  svi: SviParams;
  /** Continuously compounded annual rate, PARAM_SCALE, |rate| <= 0.5. */
  rate: bigint;
  /** Spot haircut in multiples of the confidence, bps. */
  confMultiplierBps: bigint;
  /** Tail loading, bps (>= 10_000). */
  tailLoadingBps: bigint;
  /** Premium floor per unit, PRICE_SCALE units. */
  minPremium: bigint;
  /** Seconds between release steps: prices the lookback put the vault delivers on that grid
   * (rate >= 0); 0 prices the European put. */
  releaseIntervalSecs: bigint;
}

/** Result of `putPremium` (per 1 unit of collateral, PRICE_SCALE units). */
export interface PremiumQuote {
  /** Intrinsic value plus the loaded (or floored) time value, at most the discounted strike. */
  premium: bigint;
  /** Discounted forward intrinsic value `(K DF - S')+`, rounded down: never loaded. */
  intrinsic: bigint;
  /** Unloaded value of the payoff: the lookback put (interval > 0) or the European put. */
  fairPrice: bigint;
  shiftedSpot: bigint;
  /** Total variance used, PARAM_SCALE (1e-9), rounded down. */
  totalVariance: bigint;
  minPremiumApplied: boolean;
}

/** The price times 2^62, the discount factor (Q62) it used and `N(-d1)`, `N(-d2)` (Q63)
 * (Rust `black76_core_q62`; also the European part of `lookback.ts`, which reuses the CDFs). */
export function black76CoreQ62(
  strike: bigint,
  spot: bigint,
  k: bigint,
  rt: bigint,
  w: bigint,
): { d: bigint; df: bigint; n1: bigint; n2: bigint } {
  const s60 = isqrtU128(w << 64n);
  const s57 = s60 >> 3n;
  const half = s57 >> 1n;
  let qMag: bigint;
  if (s60 === 0n) {
    qMag = k === 0n ? 0n : Q_SAT;
  } else {
    const num = abs(k) << 60n;
    if (num >> 64n >= s60) {
      qMag = Q_SAT;
    } else {
      const q = divWide(num, s60);
      qMag = q < Q_SAT ? q : Q_SAT;
    }
  }
  const q = k > 0n ? -qMag : qMag;
  const d1 = toI64(q + half);
  const d2 = toI64(d1 - s57);
  const n2 = normCdfNeg(d2);
  const n1 = normCdfNeg(d1);
  const df = rt === 0n ? ONE_Q62 : discountFactorQ62(rt);
  const a = toU64((df * n2) >> 63n);
  const b = n1 >> 1n;
  const x = strike * a;
  const y = spot * b;
  return { d: x > y ? x - y : 0n, df, n1, n2 };
}

/** Unloaded Black-76 put per unit, PRICE_SCALE units, rounded down. */
export function black76Put(
  spot: bigint,
  strike: bigint,
  vol: bigint,
  tenorSecs: bigint,
  rate: bigint,
): bigint {
  assertType(spot, 'u64', 'spot');
  assertType(strike, 'u64', 'strike');
  assertType(vol, 'u64', 'vol');
  assertType(tenorSecs, 'u64', 'tenorSecs');
  assertType(rate, 'i64', 'rate');
  if (spot === 0n) fail('ZeroSpot');
  if (strike === 0n) fail('ZeroStrike');
  checkTenor(tenorSecs);
  checkRate(rate);
  if (vol > MAX_VOL) fail('VolatilityTooLarge');
  const rt = rateTauQ57(rate, tenorSecs);
  const k = toI64(lnRatio(strike, spot) - rt);
  const w = volTotalVarianceQ56(vol, tenorSecs);
  return toU64(black76CoreQ62(strike, spot, k, rt, w).d >> 62n);
}

/** `spot - ceil(confidence * multBps / 10_000)`, or `ShiftedSpotNonPositive`. */
export function shiftedSpot(spot: bigint, confidence: bigint, multBps: bigint): bigint {
  assertType(spot, 'u64', 'spot');
  assertType(confidence, 'u64', 'confidence');
  assertType(multBps, 'u64', 'multBps');
  const q = confidence / BPS;
  const r = confidence % BPS;
  const part = toU64(toU64(r * multBps) + (BPS - 1n)) / BPS;
  const haircut = q * multBps + part;
  if (haircut > U64_MAX || haircut >= spot) fail('ShiftedSpotNonPositive');
  return subU64(spot, haircut);
}

/** The premium charged for a put per 1 unit of collateral (see Rust `put_premium`). */
export function putPremium(inputs: PremiumInputs): PremiumQuote {
  const { spot, strike, confidence, tenorSecs, svi, rate } = inputs;
  assertType(spot, 'u64', 'spot');
  assertType(strike, 'u64', 'strike');
  assertType(confidence, 'u64', 'confidence');
  assertType(tenorSecs, 'u64', 'tenorSecs');
  assertType(rate, 'i64', 'rate');
  assertType(inputs.confMultiplierBps, 'u64', 'confMultiplierBps');
  assertType(inputs.tailLoadingBps, 'u64', 'tailLoadingBps');
  assertType(inputs.minPremium, 'u64', 'minPremium');
  assertType(inputs.releaseIntervalSecs, 'u64', 'releaseIntervalSecs');
  if (spot === 0n) fail('ZeroSpot');
  if (strike === 0n) fail('ZeroStrike');
  checkTenor(tenorSecs);
  checkRate(rate);
  if (inputs.confMultiplierBps > MAX_CONF_MULTIPLIER_BPS) fail('ConfMultiplierTooLarge');
  if (inputs.tailLoadingBps < MIN_TAIL_LOADING_BPS) fail('TailLoadingBelowOne');
  if (inputs.tailLoadingBps > MAX_TAIL_LOADING_BPS) fail('TailLoadingTooLarge');
  validateSvi(svi, tenorSecs);

  const sSpot = shiftedSpot(spot, confidence, inputs.confMultiplierBps);
  const rt = rateTauQ57(rate, tenorSecs);
  const lnKs = lnRatio(strike, sSpot);
  const k = toI64(lnKs - rt);
  const w = sviTotalVarianceUnchecked(svi, k, tenorSecs);
  const { d, df } =
    inputs.releaseIntervalSecs === 0n
      ? black76CoreQ62(strike, sSpot, k, rt, w)
      : {
          df: rt === 0n ? ONE_Q62 : discountFactorQ62(rt),
          d: lookbackPutQ62({
            spot: sSpot,
            strike,
            wQ56: w,
            rtQ57: rt,
            tenorSecs,
            intervalSecs: inputs.releaseIntervalSecs,
          }, lnKs),
        };

  const fairPrice = toU64(d >> 62n);
  // Loading and floor on the time value only; never above the discounted strike.
  const strikeDf = strike * df;
  const spot62 = sSpot << 62n;
  const intrinsicQ62 = strikeDf > spot62 ? strikeDf - spot62 : 0n;
  const timeQ62 = d > intrinsicQ62 ? d - intrinsicQ62 : 0n;
  const loaded = divWide(mulU128U64(timeQ62 >> 32n, inputs.tailLoadingBps), BPS << 30n);
  // The floor, at most MAX_PREMIUM_FLOOR_BPS of the strike.
  const floorCap = divWide(strike * MAX_PREMIUM_FLOOR_BPS, BPS);
  const floor = inputs.minPremium < floorCap ? inputs.minPremium : floorCap;
  const minPremiumApplied = loaded < floor;
  const intrinsic = toU64(intrinsicQ62 >> 62n);
  const charged = addU64(intrinsic, loaded > floor ? loaded : floor);
  const cap = toU64(strikeDf >> 62n);
  const totalVariance = lo64((w * PARAM_SCALE) >> 56n);
  return {
    premium: charged < cap ? charged : cap,
    intrinsic,
    fairPrice,
    shiftedSpot: sSpot,
    totalVariance,
    minPremiumApplied,
  };
}

/** The premium of a put its holder may exercise at any time (a physical delivery series; Rust
 * `american_put_premium`): the European quote plus the early-exercise bound `K (1 - e^{-rT})`,
 * rounded up, at most `K`; the European quote at `rate <= 0`. */
export function americanPutPremium(inputs: PremiumInputs): PremiumQuote {
  const european = putPremium({ ...inputs, releaseIntervalSecs: 0n });
  if (inputs.rate <= 0n) return european;
  const df = discountFactorQ62(rateTauQ57(inputs.rate, inputs.tenorSecs));
  const early = subU64(inputs.strike, toU64((inputs.strike * df) >> 62n));
  const premium = addU64(european.premium, early);
  return {
    ...european,
    premium: premium < inputs.strike ? premium : inputs.strike,
    fairPrice: addU64(european.fairPrice, early),
  };
}
