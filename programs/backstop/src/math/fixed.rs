//! Scales, formats, limits and the decimal-to-binary conversions of the pricing engine.
//!
//! # Input/output scales (decimal, what callers see)
//! * Prices (spot, strike, oracle confidence, min premium, outputs): unsigned integers in units of
//!   `1 / PRICE_SCALE` (`1e-12`, exponent -12) of the quote currency per unit of collateral.
//!   The engine is homogeneous of degree one in prices, so only the output rounding (one unit)
//!   depends on this scale; with `1e-12` the accuracy targets are measurable for prices from
//!   about 10 (1e13 units) up to 18.4 million (`u64::MAX`).
//! * SVI parameters, volatility and interest rate: signed integers in units of `1 / PARAM_SCALE`
//!   (`1e-9`, exponent -9), annualised.
//! * Basis points: `BPS = 10_000` is one.
//! * Time: seconds; one year is `SECONDS_PER_YEAR = 31_536_000` (365 days), `tau = secs / year`.
//!
//! # Internal binary formats (Q`n` = integer with `n` fractional bits)
//! | quantity | type | format | range |
//! |---|---|---|---|
//! | `ln`, log-moneyness `k`, `d1`, `d2`, `r tau` | `i64` | Q57 (`Q_LOG`) | `(-64, 64)` |
//! | total variance `w` | `u64` | Q56 (`Q_VAR`) | `[0, 256)` |
//! | `s = sqrt(w)` | `u64` | Q60 (`Q_VOL`) | `[0, 16)` |
//! | probabilities `N(.)` | `u64` | Q63 (`Q_PROB`) | `[0, 1]` |
//! | discount factor, `DF * N(-d2)` | `u64` | Q62 (`Q_DF`) | `[0, 4)` |
//! | SVI `rho` | `i64` | Q63 | `(-1, 1)` |
//! | SVI `b * tau` | `u64` | Q62 | `[0, 2]` |

use super::error::MathError;
use super::safe_math::{safe_neg_i64, u64_to_i64, SafeMath};
use super::wide::{div_wide, mul_wide};

/// Price scale: 1e12 (exponent -12). Spot, strike, confidence and premiums are `u64` multiples of
/// `1e-12` quote units.
pub const PRICE_SCALE: u64 = 1_000_000_000_000;
/// Parameter scale: 1e9 (exponent -9) for SVI parameters, volatility and rate.
pub const PARAM_SCALE: i64 = 1_000_000_000;
/// One in basis points.
pub const BPS: u64 = 10_000;
/// Seconds per year used for `tau` (365 days).
pub const SECONDS_PER_YEAR: u64 = 31_536_000;

/// Log-moneyness, `ln`, `d1`, `d2`, `r tau`: Q57 in an `i64`.
pub const Q_LOG: u32 = 57;
/// Total variance: Q56 in a `u64`.
pub const Q_VAR: u32 = 56;
/// `sqrt(total variance)`: Q60 in a `u64`.
pub const Q_VOL: u32 = 60;
/// Probabilities: Q63 in a `u64`.
pub const Q_PROB: u32 = 63;
/// Discount factor: Q62 in a `u64`.
pub const Q_DF: u32 = 62;

/// Longest tenor accepted: 2 years (63,072,000 s).
pub const MAX_TENOR_SECS: u64 = 2 * SECONDS_PER_YEAR;
/// Largest `|rate|`: 0.5 (50 % per year, continuously compounded), so `|r tau| <= 1`.
pub const MAX_RATE: i64 = PARAM_SCALE / 2;
/// Largest Black-76 volatility: 10.0 (1000 %), so `sigma^2 tau <= 200`.
pub const MAX_VOL: u64 = 10 * 1_000_000_000;
/// Largest confidence multiplier: 100,000 bps (10 x the oracle confidence).
pub const MAX_CONF_MULTIPLIER_BPS: u64 = 100_000;
/// Smallest tail loading: 10,000 bps (x1).
pub const MIN_TAIL_LOADING_BPS: u64 = BPS;
/// Largest tail loading: 30,000 bps (x3 the time value; it never applies to the intrinsic
/// value). A bound no single key can exceed: the risk authority cannot pay a colluding writer
/// a multiple of the fair price.
pub const MAX_TAIL_LOADING_BPS: u64 = 30_000;
/// Largest premium floor: 100 bps (1 %) of the strike; a higher `min_premium` is clamped by the
/// engine and refused at `open_series`.
pub const MAX_PREMIUM_FLOOR_BPS: u64 = 100;

/// `1e9 * 31_536_000 / 2^16 = 5^9 * 246_375`: denominator of `x * secs / (PARAM_SCALE * year)`.
pub(crate) const TAU_DEN: u64 = 481_201_171_875;
/// `1e18 * 31_536_000 / 2^25 = 5^18 * 246_375`: denominator of `vol^2 * secs / (1e18 * year)`.
pub(crate) const VOL2_TAU_DEN: u64 = 939_846_038_818_359_375;
/// `PARAM_SCALE / 2^9 = 5^9`.
pub(crate) const FIVE_POW_9: u64 = 1_953_125;

/// Validates seconds to expiry: `1..=MAX_TENOR_SECS`.
pub fn check_tenor(tenor_secs: u64) -> Result<(), MathError> {
    if tenor_secs == 0 {
        return Err(MathError::ZeroTenor);
    }
    if tenor_secs > MAX_TENOR_SECS {
        return Err(MathError::TenorTooLong);
    }
    Ok(())
}

/// Validates an annualised rate: `|rate| <= MAX_RATE`.
pub fn check_rate(rate: i64) -> Result<(), MathError> {
    if rate.unsigned_abs() > MAX_RATE.unsigned_abs() {
        return Err(MathError::RateOutOfRange);
    }
    Ok(())
}

/// Applies the sign of `negative` to a magnitude (rounding toward zero overall).
#[inline(always)]
pub(crate) fn signed(mag: u64, negative: bool) -> Result<i64, MathError> {
    let v = u64_to_i64(mag)?;
    if negative {
        safe_neg_i64(v)
    } else {
        Ok(v)
    }
}

/// `floor(|x| * 2^shift / 5^9)` with the sign of `x`: a `PARAM_SCALE` decimal converted to
/// Q(`shift` + 9), rounded toward zero. Exact integer division.
pub(crate) fn dec_to_q(x: i64, shift: u32) -> Result<i64, MathError> {
    let mag = div_wide(u128::from(x.unsigned_abs()) << shift, FIVE_POW_9)?;
    signed(mag, x < 0)
}

/// `floor(x * secs * 2^shift / TAU_DEN)` for a non-negative `PARAM_SCALE` magnitude `x`:
/// `x * tau` in Q(`shift` + 16), rounded down (exact integer division).
pub(crate) fn tau_scaled(x: u64, tenor_secs: u64, shift: u32) -> Result<u64, MathError> {
    let prod = mul_wide(x, tenor_secs);
    if shift >= 128 || (shift > 0 && (prod >> 128u32.wrapping_sub(shift)) != 0) {
        return Err(MathError::Overflow);
    }
    div_wide(prod << shift, TAU_DEN)
}

/// `r * tau` in Q57 (`Q_LOG`), rounded toward zero: `sign(r) floor(|r| secs 2^41 / TAU_DEN)`.
/// Requires validated `rate` and `tenor_secs` (then `|r tau| <= 1`).
pub(crate) fn rate_tau_q57(rate: i64, tenor_secs: u64) -> Result<i64, MathError> {
    let mag = tau_scaled(rate.unsigned_abs(), tenor_secs, 41)?;
    signed(mag, rate < 0)
}

/// Total variance `vol^2 * tau` in Q56 (`Q_VAR`), rounded down (exact):
/// `floor(vol^2 secs 2^31 / VOL2_TAU_DEN)`. Requires `vol <= MAX_VOL` and a validated tenor.
pub(crate) fn vol_total_variance_q56(vol: u64, tenor_secs: u64) -> Result<u64, MathError> {
    let vs = vol.safe_mul(tenor_secs)?; // <= 1e10 * 6.31e7 < 2^60
    let v2s = mul_wide(vol, vs); // < 2^94
    div_wide(v2s << 31, VOL2_TAU_DEN)
}
