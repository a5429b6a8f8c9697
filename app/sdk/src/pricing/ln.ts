// Natural logarithm (mirror of math/ln.rs; see there for method, error bound, rounding).

import { fail } from './errors.js';
import { LN2_Q64, LN_C, LN_D, LN_NEGC } from './tables.js';
import {
  abs,
  addU64,
  assertType,
  bitLength,
  divWide,
  lo64,
  mulhiRound,
  subU64,
  toI64,
} from './wide.js';

/** `ln(q / 2^63)` in Q64 for `q` in `[2^63, 2^64)`. */
export function lnMantissa(q: bigint): bigint {
  const i = Number((q >> 56n) & 0x7fn);
  const prod = q * LN_C[i]!;
  const t = lo64(subU64(prod, 1n << 80n) >> 16n);
  let p = LN_D[6]!;
  for (let j = 5; j >= 0; j--) p = subU64(LN_D[j]!, mulhiRound(t, p));
  const g = mulhiRound(t, p);
  const l1p = subU64(t, mulhiRound(t, g));
  return addU64(l1p, LN_NEGC[i]!);
}

function combine(e: bigint, l: bigint): bigint {
  const mag = abs(e) * LN2_Q64;
  const el = e < 0n ? -mag : mag;
  return toI64((el + l + (1n << 6n)) >> 7n);
}

/** `ln(x / 2^64)` in Q57 for a Q64 `x > 0` (`LnOfZero` for 0). */
export function lnQ64(x: bigint): bigint {
  assertType(x, 'u128', 'x');
  if (x === 0n) fail('LnOfZero');
  const lz = 128 - bitLength(x);
  const q = lo64((x << BigInt(lz)) >> 64n);
  return combine(BigInt(63 - lz), lnMantissa(q));
}

/** `ln(num / den)` in Q57 (`LnOfZero` if either is 0). */
export function lnRatio(num: bigint, den: bigint): bigint {
  assertType(num, 'u64', 'num');
  assertType(den, 'u64', 'den');
  if (num === 0n || den === 0n) fail('LnOfZero');
  const lzn = 64 - bitLength(num);
  const lzd = 64 - bitLength(den);
  const mn = num << BigInt(lzn);
  const md = den << BigInt(lzd);
  const e0 = BigInt(lzd - lzn);
  if (mn >= md) return combine(e0, lnMantissa(divWide(mn << 63n, md)));
  return combine(e0 - 1n, lnMantissa(divWide(mn << 64n, md)));
}
