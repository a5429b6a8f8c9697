// SVI raw slice, annualised (mirror of math/svi.rs; see there for the design and the checks).

import { fail } from './errors.js';
import { checkTenor, decToQ, PARAM_SCALE, SECONDS_PER_YEAR, signed, tauScaled } from './fixed.js';
import {
  abs,
  addU128,
  addU64,
  assertType,
  isqrtU128,
  mulU128U64,
  subU64,
  toI64,
  toU64,
} from './wide.js';

export const SVI_MAX_ABS_A = 16n * PARAM_SCALE;
export const SVI_MAX_B = 10_000n * PARAM_SCALE;
export const SVI_MAX_ABS_M = 2n * PARAM_SCALE;
export const SVI_MAX_SIGMA = 4n * PARAM_SCALE;
export const LEE_MAX_WING_SLOPE = 2n;
export const SVI_MAX_ABS_K = 48n << 57n;

/** Raw SVI parameters, annualised, each an i64 at `PARAM_SCALE` (1e-9). */
export interface SviParams {
  a: bigint;
  b: bigint;
  rho: bigint;
  m: bigint;
  sigma: bigint;
}

function assertSvi(p: SviParams): void {
  for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) assertType(p[key], 'i64', key);
}

/** Admissibility at `tenorSecs` (same checks, same order as Rust `SviParams::validate`). */
export function validateSvi(p: SviParams, tenorSecs: bigint): void {
  assertSvi(p);
  assertType(tenorSecs, 'u64', 'tenorSecs');
  checkTenor(tenorSecs);
  if (p.b < 0n) fail('SviNegativeB');
  if (p.b > SVI_MAX_B) fail('SviBTooLarge');
  const rhoAbs = abs(p.rho);
  const one = PARAM_SCALE;
  if (rhoAbs >= one) fail('SviRhoOutOfRange');
  if (p.sigma <= 0n) fail('SviSigmaNonPositive');
  if (p.sigma > SVI_MAX_SIGMA) fail('SviSigmaTooLarge');
  if (abs(p.a) > SVI_MAX_ABS_A) fail('SviAOutOfRange');
  if (abs(p.m) > SVI_MAX_ABS_M) fail('SviMOutOfRange');
  if (p.a < 0n) {
    const sq = isqrtU128(one * one - rhoAbs * rhoAbs);
    const lhs = mulU128U64(p.b * p.sigma, sq);
    const rhs = abs(p.a) * one * one;
    if (lhs < rhs) fail('SviNegativeVariance');
  }
  const slope = mulU128U64(p.b * (one + rhoAbs), tenorSecs);
  const bound = LEE_MAX_WING_SLOPE * one * one * SECONDS_PER_YEAR;
  if (slope > bound) fail('SviLeeBoundViolated');
}

/** Total variance `w(k) = v(k) tau` in Q56 at a Q57 log-moneyness `k` (validates first). */
export function sviTotalVariance(p: SviParams, k: bigint, tenorSecs: bigint): bigint {
  validateSvi(p, tenorSecs);
  assertType(k, 'i64', 'k');
  if (abs(k) > SVI_MAX_ABS_K) fail('LogMoneynessOutOfRange');
  return sviTotalVarianceUnchecked(p, k, tenorSecs);
}

/** As `sviTotalVariance` for a validated slice. */
export function sviTotalVarianceUnchecked(p: SviParams, k: bigint, tenorSecs: bigint): bigint {
  const m = decToQ(p.m, 48n);
  const sigma = abs(decToQ(p.sigma, 48n));
  const rho = decToQ(p.rho, 54n);
  const x = toI64(k - m);
  const ax = abs(x);
  const h = isqrtU128(addU128(ax * ax, sigma * sigma));
  const rx = toU64((abs(rho) * ax) >> 63n);
  const y = rho < 0n === x < 0n ? addU64(h, rx) : subU64(h, rx);
  const tb = tauScaled(abs(p.b), tenorSecs, 46n);
  const tby = toU64((tb * y) >> 63n);
  const ta = signed(tauScaled(abs(p.a), tenorSecs, 40n), p.a < 0n);
  const w = ta + tby;
  return w <= 0n ? 0n : toU64(w);
}
