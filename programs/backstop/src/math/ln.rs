//! Natural logarithm in fixed point.
//!
//! Method: normalise the argument to `2^e * q / 2^63` with the mantissa `q` in `[2^63, 2^64)`
//! (a leading-zero count, no division); pick `c = LN_C[i] / 2^17 ~ 1 / (1 + i/128)` from the
//! top 7 mantissa bits, so that `t = q c / 2^63 - 1` lies in `[0, 2^-7 + 2^-16)` (exact 64x17-bit
//! product); then `ln(q / 2^63) = ln(1 + t) - ln(c)` with `-ln(c)` from a 128-entry table and
//! `ln(1 + t)` from its Taylor series to `t^8` (all Horner partial sums stay positive, so the
//! evaluation is unsigned). Cost: one `mul_wide` for `t`, eight `mulhi_round`.

use super::error::MathError;
use super::safe_math::{i128_to_i64, u128_to_i128, SafeMath};
use super::tables::{LN2_Q64, LN_C, LN_D, LN_NEGC};
use super::wide::{div_wide, lo64, mul_wide, mulhi_round};

/// `ln(q / 2^63)` in Q64 for a normalised mantissa `q` in `[2^63, 2^64)`.
///
/// Error: truncation `< t^9 / 9 < 2^-66`, Horner and table rounding `< 3 * 2^-64`; the result is
/// in `[0, ln 2)` up to that error.
pub(crate) fn ln_mantissa(q: u64) -> Result<u64, MathError> {
    let i = ((q >> 56) & 0x7f) as usize; // masked to 7 bits: i < 128
    let c = LN_C[i];
    // q * c / 2^80 = (q / 2^63) * (c / 2^17) is in [1, 1 + 2^-7 + 2^-16): t = that - 1, Q64.
    let prod = mul_wide(q, c);
    let t = lo64(prod.safe_sub(1u128 << 80)? >> 16); // < 2^57.1, the mask keeps every bit
                                                     // Horner on 1/2 - t/3 + t^2/4 - ... + t^6/8 (every partial sum is positive because t < 1
                                                     // and the coefficients decrease).
    let mut p = LN_D[6];
    for j in (0..6).rev() {
        p = LN_D[j].safe_sub(mulhi_round(t, p))?;
    }
    let g = mulhi_round(t, p); // t/2 - t^2/3 + ...
    let l1p = t.safe_sub(mulhi_round(t, g))?; // ln(1 + t)
    l1p.safe_add(LN_NEGC[i])
}

/// `e * ln 2 + l / 2^64` rounded to Q57 (nearest, ties up).
fn combine(e: i64, l: u64) -> Result<i64, MathError> {
    let mag = u128_to_i128(mul_wide(e.unsigned_abs(), LN2_Q64))?;
    let el = if e < 0 { 0i128.safe_sub(mag)? } else { mag };
    let v = el.safe_add(i128::from(l))?;
    // Q64 -> Q57, round to nearest (ties toward +inf); arithmetic shift is a floor.
    i128_to_i64(v.safe_add(1 << 6)? >> 7)
}

/// Natural logarithm of a Q64 number: returns `ln(x / 2^64)` in Q57 (`Q_LOG`).
///
/// * Domain: `x > 0` (any `u128`), so `x / 2^64` spans `[2^-64, 2^64)` and the result
///   `[-44.37, 44.37]`. `x == 0` gives [`MathError::LnOfZero`].
/// * Error bound: `|result - ln(x/2^64)| <= 2^-58 + (|e| / 2 + 4) * 2^-64 <= 2^-57.4` where `e` is
///   the binary exponent (the `2^-58` is the final rounding to Q57; the mantissa is truncated to
///   64 bits first, which costs at most `2^-63` relative).
/// * Rounding: to nearest Q57 (ties up) of an approximation that is within `2^-61` of the exact
///   value.
pub fn ln_q64(x: u128) -> Result<i64, MathError> {
    if x == 0 {
        return Err(MathError::LnOfZero);
    }
    let lz = x.leading_zeros(); // < 128
    let q = (x << lz) >> 64; // top 64 bits, in [2^63, 2^64)
    let q = lo64(q);
    // x / 2^64 = (q / 2^63) * 2^(63 - lz) up to the truncated low bits.
    let e = 63i64.safe_sub(i64::from(lz))?;
    combine(e, ln_mantissa(q)?)
}

/// Natural logarithm of a ratio of two positive integers: `ln(num / den)` in Q57 (`Q_LOG`).
///
/// * Domain: `num >= 1`, `den >= 1` (else [`MathError::LnOfZero`]); result in `[-44.37, 44.37]`.
/// * Method: both are normalised to mantissas in `[2^63, 2^64)`; their quotient (one exact
///   `u128 / u64` division, floor) is a mantissa in `[2^63, 2^64)` again, so only one `ln` core
///   evaluation is needed.
/// * Error bound: `|result - ln(num/den)| <= 2^-58 + (|e| / 2 + 5) * 2^-64` with `e` the binary
///   exponent of the ratio (`|e| <= 64`); for ratios in `[2^-8, 2^8]` that is below `2^-57.9`.
/// * Rounding: to nearest Q57 (ties up).
pub fn ln_ratio(num: u64, den: u64) -> Result<i64, MathError> {
    if num == 0 || den == 0 {
        return Err(MathError::LnOfZero);
    }
    let (lzn, lzd) = (num.leading_zeros(), den.leading_zeros()); // both < 64
    let (mn, md) = (num << lzn, den << lzd);
    // num = mn * 2^-lzn, den = md * 2^-lzd, so num/den = (mn/md) * 2^(lzd - lzn).
    let e0 = i64::from(lzd).safe_sub(i64::from(lzn))?;
    let (q, e) = if mn >= md {
        // mn/md in [1, 2): q = floor(mn * 2^63 / md) in [2^63, 2^64); hi word mn >> 1 < md.
        (div_wide(u128::from(mn) << 63, md)?, e0)
    } else {
        // mn/md in (1/2, 1): q = floor(mn * 2^64 / md) in [2^63, 2^64); hi word mn < md.
        (div_wide(u128::from(mn) << 64, md)?, e0.safe_sub(1)?)
    };
    combine(e, ln_mantissa(q)?)
}
