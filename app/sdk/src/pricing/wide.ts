// Exact integer primitives (mirror of programs/backstop/src/math/wide.rs and safe_math.rs).
// BigInt arithmetic is exact, so the Rust limb algorithms reduce to plain operators here;
// only the range checks (which become errors in Rust) need mirroring.

import { fail } from './errors.js';

export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
export const I64_MIN = -(1n << 63n);
export const I64_MAX = (1n << 63n) - 1n;
export const I128_MIN = -(1n << 127n);
export const I128_MAX = (1n << 127n) - 1n;

/** Asserts a caller-supplied value has the Rust parameter type (`u64`, `i64`, `u128`). */
export function assertType(x: bigint, type: 'u64' | 'i64' | 'u128', name: string): bigint {
  const [lo, hi] =
    type === 'u64' ? [0n, U64_MAX] : type === 'i64' ? [I64_MIN, I64_MAX] : [0n, U128_MAX];
  if (typeof x !== 'bigint' || x < lo || x > hi) {
    throw new RangeError(`${name} must be a ${type} bigint, got ${String(x)}`);
  }
  return x;
}

/** Rust `u128 -> u64` (`to_u64`): `Overflow` if it does not fit. */
export function toU64(x: bigint): bigint {
  return x > U64_MAX ? fail('Overflow') : x;
}
/** Rust `u64::safe_add`. */
export function addU64(a: bigint, b: bigint): bigint {
  return toU64(a + b);
}
/** Rust `u64::safe_sub`: `Underflow` below zero. */
export function subU64(a: bigint, b: bigint): bigint {
  const r = a - b;
  return r < 0n ? fail('Underflow') : r;
}
/** Rust `u64::safe_mul`. */
export function mulU64(a: bigint, b: bigint): bigint {
  return toU64(a * b);
}
/** Rust `i64` range check for `safe_add` / `safe_sub` / `u64_to_i64` (`Overflow`). */
export function toI64(x: bigint): bigint {
  return x < I64_MIN || x > I64_MAX ? fail('Overflow') : x;
}
/** Rust `i128` range check (`safe_add` / `safe_sub` / `safe_mul`, `u128 -> i128`): `Overflow`. */
export function toI128(x: bigint): bigint {
  return x < I128_MIN || x > I128_MAX ? fail('Overflow') : x;
}
/** Rust `safe_neg_i64`: `Overflow` for `i64::MIN`. */
export function negI64(x: bigint): bigint {
  return toI64(-x);
}
/** Rust `safe_neg_i128`: `Overflow` for `i128::MIN`. */
export function negI128(x: bigint): bigint {
  return toI128(-x);
}
/** Rust `u128::safe_add`. */
export function addU128(a: bigint, b: bigint): bigint {
  const r = a + b;
  return r > U128_MAX ? fail('Overflow') : r;
}
/** Low 64 bits (Rust `lo64`). */
export function lo64(x: bigint): bigint {
  return x & U64_MAX;
}
/** High 64 bits of a u128 (Rust `hi64`). */
export function hi64(x: bigint): bigint {
  return x >> 64n;
}
/** Magnitude of a signed value (`unsigned_abs`). */
export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** `a * b` exactly (Rust `mul_wide`). */
export function mulWide(a: bigint, b: bigint): bigint {
  return a * b;
}

/** `round(a * b / 2^64)`, ties up (Rust `mulhi_round`). */
export function mulhiRound(a: bigint, b: bigint): bigint {
  return (a * b + (1n << 63n)) >> 64n;
}

/** `sign(a) * round(|a| u / 2^64)` (Rust `mul_i64_frac_round`). */
export function mulI64FracRound(a: bigint, u: bigint): bigint {
  const m = mulhiRound(abs(a), u);
  return a < 0n ? -m : m;
}

/** `a * b` for a `u128` and a `u64`, `Overflow` above `u128` (Rust `mul_u128_u64`). */
export function mulU128U64(a: bigint, b: bigint): bigint {
  const p = a * b;
  return p > U128_MAX ? fail('Overflow') : p;
}

/** `floor(n / d)`: `DivisionByZero`, or `Overflow` if the quotient exceeds `u64` (Rust `div_wide`). */
export function divWide(n: bigint, d: bigint): bigint {
  if (d === 0n) fail('DivisionByZero');
  if (n >> 64n >= d) fail('Overflow');
  return n / d;
}

/** Exact `floor(sqrt(n))` (Rust `isqrt_u128`). */
export function isqrtU128(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** `floor(sqrt(x * 2^fracBits))`: square root of a Q`fracBits` number (Rust `sqrt_fixed`). */
export function sqrtFixed(x: bigint, fracBits: number): bigint {
  assertType(x, 'u64', 'x');
  if (fracBits > 64) fail('Overflow');
  return isqrtU128(x << BigInt(fracBits));
}

/** Bit length (`128 - leading_zeros` for a u128). */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}
