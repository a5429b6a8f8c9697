//! Exact wide-integer primitives built from 64-bit operations only.
//!
//! SBPF has 64-bit registers and no 128-bit multiply or divide: `u128 * u128` and `u128 / u128`
//! lower to compiler-builtins libcalls (tens resp. hundreds of compute units). The hot path
//! therefore only uses the routines below, which need 64-bit `mul`/`div`/shift instructions:
//!
//! * [`mul_wide`]: exact `u64 x u64 -> u128` from four 32x32 products (~20 instructions);
//! * [`div_wide`]: exact `u128 / u64 -> u64` (Knuth algorithm D with 32-bit digits, as in
//!   Hacker's Delight `divlu`, ~40 instructions, two native 64-bit divisions);
//! * [`isqrt_u128`]: exact `floor(sqrt(u128))` (native Newton on the top 64 bits, one
//!   [`div_wide`] Newton step, one [`mul_wide`] correction).
//!
//! All results are mathematically exact (floor of the exact value), so any other exact
//! implementation (the TypeScript mirror uses `BigInt`) returns the same integers.
//! `u128` is only used as a pair of registers (shifts, adds, compares), never multiplied or divided.

use super::error::MathError;
use super::safe_math::to_u64;

const LO32: u64 = 0xFFFF_FFFF;

/// Low 64 bits of a `u128`, truncating on purpose (callers use it on values they split).
#[inline(always)]
pub(crate) fn lo64(x: u128) -> u64 {
    (x & u128::from(u64::MAX)) as u64
}

/// High 64 bits of a `u128` (always fits).
#[inline(always)]
pub(crate) fn hi64(x: u128) -> u64 {
    (x >> 64) as u64
}

/// Exact product `a * b` as a `u128`.
///
/// Rounding: none (exact). Cannot fail: every partial product of two 32-bit halves is below
/// `2^64`, and the middle column sums three values below `2^32`, so the `wrapping_*` operations
/// below never actually wrap.
#[inline(always)]
pub fn mul_wide(a: u64, b: u64) -> u128 {
    #[cfg(test)]
    opcount::bump(&opcount::MUL_WIDE);
    let (a0, a1) = (a & LO32, a >> 32);
    let (b0, b1) = (b & LO32, b >> 32);
    let p00 = a0.wrapping_mul(b0);
    let p01 = a0.wrapping_mul(b1);
    let p10 = a1.wrapping_mul(b0);
    let p11 = a1.wrapping_mul(b1);
    // < 3 * 2^32: no wrap.
    let mid = (p00 >> 32)
        .wrapping_add(p01 & LO32)
        .wrapping_add(p10 & LO32);
    let lo = (mid << 32) | (p00 & LO32);
    // The exact high word is < 2^64, so these additions cannot wrap either.
    let hi = p11
        .wrapping_add(p01 >> 32)
        .wrapping_add(p10 >> 32)
        .wrapping_add(mid >> 32);
    (u128::from(hi) << 64) | u128::from(lo)
}

/// `round(a * b / 2^64)` (ties up): the product of a value and a Q64 fraction, rounded to
/// nearest. Cannot fail: `a * b + 2^63 < 2^128` and the result is at most `2^64 - 2`.
#[inline(always)]
pub fn mulhi_round(a: u64, b: u64) -> u64 {
    let p = mul_wide(a, b);
    // p <= (2^64 - 1)^2 = 2^128 - 2^65 + 1, so adding 2^63 cannot overflow.
    hi64(p.wrapping_add(1u128 << 63))
}

/// Signed-times-fraction product for Horner steps: `sign(a) * round(|a| * u / 2^64)` (rounds the
/// magnitude to nearest, ties away from zero). Cannot fail: the magnitude is at most `|a|`.
#[inline(always)]
pub(crate) fn mul_i64_frac_round(a: i64, u: u64) -> i64 {
    let m = mulhi_round(a.unsigned_abs(), u);
    // m <= |a| <= 2^63, and m == 2^63 only if a == i64::MIN; the result is then i64::MIN again.
    if a < 0 {
        0i64.wrapping_sub_unsigned(m)
    } else {
        // a >= 0 so m <= i64::MAX.
        0i64.wrapping_add_unsigned(m)
    }
}

/// Exact product of a `u128` and a `u64`, or [`MathError::Overflow`] if it exceeds `u128`.
#[inline(always)]
pub fn mul_u128_u64(a: u128, b: u64) -> Result<u128, MathError> {
    let lo = mul_wide(lo64(a), b);
    let hi = mul_wide(hi64(a), b);
    if hi64(hi) != 0 {
        return Err(MathError::Overflow);
    }
    let hi_shifted = u128::from(lo64(hi)) << 64;
    lo.checked_add(hi_shifted).ok_or(MathError::Overflow)
}

/// Exact `floor(n / d)` for a `u128` numerator and `u64` divisor.
///
/// Errors: [`MathError::DivisionByZero`] if `d == 0`; [`MathError::Overflow`] if the quotient does
/// not fit `u64` (i.e. `n >= d * 2^64`). Rounding: floor (exact).
pub fn div_wide(n: u128, d: u64) -> Result<u64, MathError> {
    if d == 0 {
        return Err(MathError::DivisionByZero);
    }
    let (u1, u0) = (hi64(n), lo64(n));
    if u1 >= d {
        return Err(MathError::Overflow);
    }
    if u1 == 0 {
        #[cfg(test)]
        opcount::bump(&opcount::DIV_NATIVE);
        return u0.checked_div(d).ok_or(MathError::DivisionByZero); // native 64-bit division
    }
    #[cfg(test)]
    opcount::bump(&opcount::DIV_WIDE);
    const B: u64 = 1 << 32;
    // Normalise the divisor so its top bit is set (s < 64 since d != 0).
    let s = d.leading_zeros();
    let v = d << s;
    let (vn1, vn0) = (v >> 32, v & LO32);
    // u1 < d, so u1 << s cannot lose bits; the low part feeds the top s bits of u0.
    let un32 = if s == 0 {
        u1
    } else {
        (u1 << s) | (u0 >> 64u32.wrapping_sub(s))
    };
    let un10 = u0 << s;
    let (un1, un0) = (un10 >> 32, un10 & LO32);

    // First quotient digit. vn1 >= 2^31 so vn1 != 0.
    let mut q1 = un32.checked_div(vn1).ok_or(MathError::DivisionByZero)?;
    let mut rhat = un32.checked_rem(vn1).ok_or(MathError::DivisionByZero)?;
    // Knuth's correction: at most two iterations; all products are < 2^64 while rhat < B.
    while q1 >= B || q1.wrapping_mul(vn0) > (rhat << 32 | un1) {
        q1 = q1.wrapping_sub(1);
        rhat = rhat.wrapping_add(vn1);
        if rhat >= B {
            break;
        }
    }
    // Partial remainder, exact modulo 2^64 and known to be < v (Hacker's Delight `divlu`).
    let un21 = (un32 << 32 | un1).wrapping_sub(q1.wrapping_mul(v));

    let mut q0 = un21.checked_div(vn1).ok_or(MathError::DivisionByZero)?;
    let mut rhat = un21.checked_rem(vn1).ok_or(MathError::DivisionByZero)?;
    while q0 >= B || q0.wrapping_mul(vn0) > (rhat << 32 | un0) {
        q0 = q0.wrapping_sub(1);
        rhat = rhat.wrapping_add(vn1);
        if rhat >= B {
            break;
        }
    }
    // q1, q0 < 2^32 here, so this is the exact 64-bit quotient.
    Ok((q1 << 32) | q0)
}

/// Exact `floor(sqrt(n))` of a `u128`.
///
/// Domain: all of `u128`. Rounding: down (exact floor), so it is monotone non-decreasing.
/// Algorithm: normalise `n` by an even shift into `m` in `[2^126, 2^128)`; integer Newton with
/// native 64-bit division gives `g = floor(sqrt(top 64 bits))` exactly; `r0 = (g + 1) * 2^32`
/// overestimates `sqrt(m)` by at most `2^32`, so one Newton step `(r0 + m / r0) / 2` lands on
/// `floor(sqrt(m))` or one above it (error `<= 2^64 / (2 r0) <= 1`); one multiply fixes that.
pub fn isqrt_u128(n: u128) -> u64 {
    if n == 0 {
        return 0;
    }
    let sh = n.leading_zeros() & !1; // even, < 128
    let m = n << sh;
    let top = hi64(m); // in [2^62, 2^64)
    let r = if top == u64::MAX {
        // sqrt(m) >= sqrt((2^64 - 1) * 2^64) > 2^64 - 1, and sqrt(m) < 2^64.
        u64::MAX
    } else {
        // g = floor(sqrt(top)) by Newton from the overestimate 2^32; strictly decreasing until it
        // stops, so it terminates (at most ~6 native divisions).
        let mut g: u64 = 1 << 32;
        loop {
            #[cfg(test)]
            opcount::bump(&opcount::DIV_NATIVE);
            // g >= 2^31 here, and g + top / g < 2^33.
            let g1 = g.wrapping_add(top.checked_div(g).unwrap_or(0)) >> 1;
            if g1 >= g {
                break;
            }
            g = g1;
        }
        // g in [2^31, 2^32); (g + 1) * 2^32 >= sqrt((top + 1) * 2^64) > sqrt(m).
        let r0 = if g >= LO32 {
            u64::MAX
        } else {
            g.wrapping_add(1) << 32
        };
        // m / r0 < 2^64 because r0 >= sqrt(m) and r0 < 2^64; the error path is unreachable.
        let q = div_wide(m, r0).unwrap_or(u64::MAX);
        // floor((r0 + q) / 2) without overflowing 64 bits.
        let mut r1 = (r0 >> 1).wrapping_add(q >> 1).wrapping_add(r0 & q & 1);
        if mul_wide(r1, r1) > m {
            // r1 * r1 > m >= 2^126 so r1 >= 1.
            r1 = r1.wrapping_sub(1);
        }
        r1
    };
    r >> (sh >> 1)
}

/// Square root of an unsigned fixed-point number: `floor(sqrt(x * 2^frac_bits))`, i.e. the square
/// root of the Q`frac_bits` value `x` in the same Q`frac_bits` format.
///
/// Domain: `frac_bits <= 64` (else [`MathError::Overflow`]). Error: < 1 ulp. Rounding: down.
pub fn sqrt_fixed(x: u64, frac_bits: u32) -> Result<u64, MathError> {
    if frac_bits > 64 {
        return Err(MathError::Overflow);
    }
    Ok(isqrt_u128(u128::from(x) << frac_bits))
}

/// `floor(sqrt(x))` of a `u64` (exact).
#[inline(always)]
pub fn isqrt_u64(x: u64) -> u64 {
    isqrt_u128(u128::from(x))
}

/// `floor(a * b / 2^shift)` of two `u64`, or [`MathError::Overflow`] if it does not fit `u64`.
#[inline(always)]
pub fn mul_shr(a: u64, b: u64, shift: u32) -> Result<u64, MathError> {
    if shift >= 128 {
        return Ok(0);
    }
    to_u64(mul_wide(a, b) >> shift)
}

/// Test-only dynamic counters of the expensive operations (for the compute-unit estimate).
#[cfg(test)]
pub(crate) mod opcount {
    use std::cell::Cell;
    use std::thread::LocalKey;

    thread_local! {
        /// `mul_wide` calls (each ~20 SBPF instructions: 4 multiplies + adds/shifts).
        pub static MUL_WIDE: Cell<u64> = const { Cell::new(0) };
        /// `div_wide` calls on the 128/64 path (~45 instructions, 2 native divisions).
        pub static DIV_WIDE: Cell<u64> = const { Cell::new(0) };
        /// Native 64-bit divisions outside `div_wide`'s 128/64 path.
        pub static DIV_NATIVE: Cell<u64> = const { Cell::new(0) };
    }

    pub fn bump(c: &'static LocalKey<Cell<u64>>) {
        c.with(|v| v.set(v.get().wrapping_add(1)));
    }

    pub fn reset() {
        for c in [&MUL_WIDE, &DIV_WIDE, &DIV_NATIVE] {
            c.with(|v| v.set(0));
        }
    }

    pub fn read() -> (u64, u64, u64) {
        (
            MUL_WIDE.with(Cell::get),
            DIV_WIDE.with(Cell::get),
            DIV_NATIVE.with(Cell::get),
        )
    }
}
