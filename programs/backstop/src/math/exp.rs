//! Exponential in fixed point.
//!
//! Method: exact reduction `x = n ln2 + y` with `n = floor(x / LN2_Q64)` and `0 <= y < LN2_Q64`
//! (integers in Q64; `n` is estimated with a native 64-bit multiply and corrected, so the result
//! is the exact integer floor division); then `y = j/128 + z` with `j = floor(128 y)` and
//! `z < 2^-7`, `e^y = e^(j/128) * (1 + (e^z - 1))` with `e^(j/128)` from an 89-entry table and
//! `e^z - 1` from its Taylor series to `z^7` (positive coefficients: unsigned Horner). Cost:
//! one `mul_wide` for the reduction and eight `mulhi_round`.

use super::error::MathError;
use super::safe_math::{i128_to_i64, safe_neg_i128, u128_to_i128, SafeMath};
use super::tables::{EXP_F, EXP_T, LN2_Q64};
use super::wide::{mul_wide, mulhi_round};

/// `round(2^24 / ln 2)`: only used to estimate `n`; the result does not depend on it.
const INV_LN2_Q24: i64 = 24_204_406;

/// Low 57 bits: the part of `y` below `1/128`.
const Z_MASK: u64 = (1 << 57) - 1;

/// Largest `|x|` (Q64) accepted by [`exp_reduce`]: `2^71`, i.e. `|x| <= 128`.
const REDUCE_MAX: i128 = 1 << 71;

/// Splits a Q64 argument into `x = n * LN2_Q64 + y` with `0 <= y < LN2_Q64` (exact integers).
///
/// Domain: `|x| <= 2^71` (else [`MathError::ExpOverflow`]).
pub(crate) fn exp_reduce(x: i128) -> Result<(i64, u64), MathError> {
    if !(-REDUCE_MAX..=REDUCE_MAX).contains(&x) {
        return Err(MathError::ExpOverflow);
    }
    let ln2 = i128::from(LN2_Q64);
    // Estimate (within +-1 of the true floor): |xs| < 2^31, |xs * INV| < 2^56.
    let xs = i128_to_i64(x >> 40)?;
    let mut n = xs.safe_mul(INV_LN2_Q24)? >> 48;
    let nl = u128_to_i128(mul_wide(n.unsigned_abs(), LN2_Q64))?;
    let mut y = if n < 0 {
        x.safe_add(nl)?
    } else {
        x.safe_sub(nl)?
    };
    for _ in 0..4 {
        if y < 0 {
            n = n.safe_sub(1)?;
            y = y.safe_add(ln2)?;
        } else if y >= ln2 {
            n = n.safe_add(1)?;
            y = y.safe_sub(ln2)?;
        } else {
            break;
        }
    }
    if !(0..ln2).contains(&y) {
        return Err(MathError::Overflow); // unreachable: the estimate is within +-1
    }
    // 0 <= y < 2^64 here.
    Ok((n, u64::try_from(y).map_err(|_| MathError::Overflow)?))
}

/// `e^(y / 2^64)` in Q63 for `0 <= y < LN2_Q64`; the result is in `[2^63, 2^64)`.
///
/// Error: Taylor truncation `< z^8 / 8! < 2^-71`, table rounding `2^-64`, Horner rounding
/// `< 2^-63`; relative error below `2^-61.5`.
pub(crate) fn exp_mantissa(y: u64) -> Result<u64, MathError> {
    let j = (y >> 57) as usize; // y < ln2 * 2^64 so j <= 88 (the table has 89 entries)
    let z = y & Z_MASK; // Q64, z < 2^-7
                        // p = 1/2! + z (1/3! + z (1/4! + z (1/5! + z (1/6! + z / 7!))))
    let mut p = EXP_F[5];
    for idx in (0..5).rev() {
        p = EXP_F[idx].safe_add(mulhi_round(z, p))?;
    }
    let g = mulhi_round(z, p); // z/2 + z^2/6 + ...
    let em1 = z.safe_add(mulhi_round(z, g))?; // e^z - 1
    let t = *EXP_T.get(j).ok_or(MathError::Overflow)?;
    t.safe_add(mulhi_round(t, em1))
}

/// Exponential of a Q57 number: returns `e^(x / 2^57)` in Q64 as a `u128`.
///
/// * Domain: `x / 2^57 < 64 ln 2 = 44.36` (else [`MathError::ExpOverflow`]); any negative `x` is
///   accepted (results below `2^-64` floor to 0).
/// * Error bound: relative `2^-61.5 + |n| * 2^-65` (`n = floor(x / ln 2)`, `|n| <= 64`) before
///   the final floor, plus less than one Q64 ulp (`2^-64`) from that floor.
/// * Rounding: down (floor) of the approximation.
pub fn exp_fixed(x: i64) -> Result<u128, MathError> {
    let (n, y) = exp_reduce(i128::from(x) << 7)?;
    if n >= 64 {
        return Err(MathError::ExpOverflow);
    }
    let mant = u128::from(exp_mantissa(y)?);
    // e^x = mant * 2^(n - 63); in Q64 that is mant * 2^(n + 1).
    let s = n.safe_add(1)?;
    if s >= 0 {
        // 0 <= s <= 64 and mant < 2^64, so the shift neither overflows nor loses bits.
        Ok(mant << s.unsigned_abs())
    } else {
        let r = s.unsigned_abs();
        Ok(if r >= 128 { 0 } else { mant >> r })
    }
}

/// `e^(-x^2 / 2)` for a Q57 magnitude `x`, as `(mantissa Q63 in [2^63, 2^64), n <= 0)` with value
/// `mantissa * 2^(n - 63)`; keeping the exponent separate preserves relative accuracy in the
/// Gaussian tail.
pub(crate) fn gauss_exp(x: u64) -> Result<(u64, i64), MathError> {
    // x^2 / 2 in Q64: x^2 is Q114, so shift by 114 - 64 + 1 = 51 (floor). Any u64 x gives
    // x^2/2 < 2^77; exp_reduce rejects values above 2^71 (|x| > 16), callers pass x < 9.5.
    let half_sq = u128_to_i128(mul_wide(x, x) >> 51)?;
    let (n, y) = exp_reduce(safe_neg_i128(half_sq)?)?;
    Ok((exp_mantissa(y)?, n))
}

/// Discount factor `e^(-rt)` in Q62 for a Q57 `rt` with `|rt| <= 1` (callers validate
/// `|rate| * tenor <= 1`); the result is in `[2^60.5, 2^63.5)`.
///
/// Error: relative `< 2^-61`, then floor.
pub(crate) fn discount_factor_q62(rt: i64) -> Result<u64, MathError> {
    let x = safe_neg_i128(i128::from(rt) << 7)?;
    let (n, y) = exp_reduce(x)?;
    let mant = exp_mantissa(y)?;
    // value = mant * 2^(n - 63), Q62 = mant * 2^(n - 1); n is in [-2, 1] for |rt| <= 1.
    match n {
        1 => Ok(mant),
        0 => Ok(mant >> 1),
        -1 => Ok(mant >> 2),
        -2 => Ok(mant >> 3),
        _ => Err(MathError::Overflow),
    }
}
