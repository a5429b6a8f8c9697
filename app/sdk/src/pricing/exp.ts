// Exponential (mirror of math/exp.rs; see there for method, error bound, rounding).

import { fail } from './errors.js';
import { EXP_F, EXP_T, LN2_Q64 } from './tables.js';
import { addU64, assertType, mulhiRound } from './wide.js';

const Z_MASK = (1n << 57n) - 1n;
const REDUCE_MAX = 1n << 71n;

/** `x = n LN2_Q64 + y`, `0 <= y < LN2_Q64` (exact floor division); `|x| <= 2^71`. */
export function expReduce(x: bigint): [bigint, bigint] {
  if (x < -REDUCE_MAX || x > REDUCE_MAX) fail('ExpOverflow');
  let n = x / LN2_Q64;
  if (x - n * LN2_Q64 < 0n) n -= 1n;
  return [n, x - n * LN2_Q64];
}

/** `e^(y / 2^64)` in Q63 for `0 <= y < LN2_Q64`. */
export function expMantissa(y: bigint): bigint {
  const j = Number(y >> 57n);
  const z = y & Z_MASK;
  let p = EXP_F[5]!;
  for (let idx = 4; idx >= 0; idx--) p = addU64(EXP_F[idx]!, mulhiRound(z, p));
  const g = mulhiRound(z, p);
  const em1 = addU64(z, mulhiRound(z, g));
  const t = EXP_T[j] ?? fail('Overflow');
  return addU64(t, mulhiRound(t, em1));
}

/** `e^(x / 2^57)` in Q64 (`ExpOverflow` for `x / 2^57 >= 64 ln 2`). */
export function expFixed(x: bigint): bigint {
  assertType(x, 'i64', 'x');
  const [n, y] = expReduce(x << 7n);
  if (n >= 64n) fail('ExpOverflow');
  const mant = expMantissa(y);
  const s = n + 1n;
  if (s >= 0n) return mant << s;
  const r = -s;
  return r >= 128n ? 0n : mant >> r;
}

/** `e^(-x^2/2)` as `[mantissa Q63, n]` with value `mantissa 2^(n - 63)`. */
export function gaussExp(x: bigint): [bigint, bigint] {
  const halfSq = (x * x) >> 51n;
  const [n, y] = expReduce(-halfSq);
  return [expMantissa(y), n];
}

/** `e^(-rt)` in Q62 for a Q57 `rt`, `|rt| <= 1`. */
export function discountFactorQ62(rt: bigint): bigint {
  const [n, y] = expReduce(-(rt << 7n));
  const mant = expMantissa(y);
  switch (n) {
    case 1n:
      return mant;
    case 0n:
      return mant >> 1n;
    case -1n:
      return mant >> 2n;
    case -2n:
      return mant >> 3n;
    default:
      return fail('Overflow');
  }
}

