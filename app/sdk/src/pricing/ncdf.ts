// Standard normal CDF (mirror of math/ncdf.rs; see there for method, error bound, rounding).

import { fail } from './errors.js';
import { gaussExp } from './exp.js';
import { MILLS, MILLS_OFF } from './tables.js';
import { abs, assertType, lo64, mulI64FracRound, subU64, toI64 } from './wide.js';

/** 1.0 in Q63. */
export const ONE_Q63 = 1n << 63n;
/** 9.5 in Q57. */
export const TAIL_CUT_Q57 = 19n << 56n;
const FRAC_MASK = (1n << 55n) - 1n;

/** `Q(x) = N(-x)` for a Q57 `x >= 0`, Q63 (floor). */
export function normTail(x: bigint): bigint {
  assertType(x, 'u64', 'x');
  if (x >= TAIL_CUT_Q57) return 0n;
  const i = Number(x >> 55n); // quarter-unit intervals
  const u = (x & FRAC_MASK) << 9n;
  const start = MILLS_OFF[i] ?? fail('Overflow');
  const end = MILLS_OFF[i + 1] ?? fail('Overflow');
  let p = MILLS[Number(end) - 1]!;
  for (let j = Number(end) - 2; j >= Number(start); j--) {
    p = toI64(MILLS[j]! + mulI64FracRound(p, u));
  }
  if (p < 0n) fail('Underflow');
  const [mant, n] = gaussExp(x);
  const shift = 63n + abs(n);
  if (shift >= 128n) return 0n;
  return lo64((mant * p) >> shift);
}

/** `N(x)` for a Q57 `x`, Q63. */
export function normCdf(x: bigint): bigint {
  assertType(x, 'i64', 'x');
  const tail = normTail(abs(x));
  return x <= 0n ? tail : subU64(ONE_Q63, tail);
}

/** `N(-d)` for a Q57 `d`, Q63. */
export function normCdfNeg(d: bigint): bigint {
  return d >= 0n ? normTail(abs(d)) : subU64(ONE_Q63, normTail(abs(d)));
}
