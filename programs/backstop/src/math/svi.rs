//! SVI ("stochastic volatility inspired", raw parameterisation) smile of one expiry.
//!
//! # Design decision: annualised parameters
//! A slice stores ANNUALISED variance parameters: `v(k) = a + b (rho (k - m) + sqrt((k - m)^2 +
//! sigma^2))` is an annual variance and the total variance used for pricing is
//! `w(k) = v(k) * tau`, `tau = seconds_to_expiry / 31_536_000`. A slice fixed at series creation
//! therefore keeps pricing later writes of the same series consistently: at a fixed log-moneyness
//! the total variance, and with it the (zero-rate) put price, only shrinks as expiry approaches
//! (non-decreasing in tenor, no calendar arbitrage inside the series), and the same parameters
//! are meaningful for any remaining tenor.
//!
//! Log-moneyness is `k = ln(K / F)`, `F = S' e^(r tau)` (forward of the shifted spot).
//!
//! # Admissibility (checked by [`SviParams::validate`], each with its own error)
//! `b >= 0`, `b <= SVI_MAX_B`, `|rho| < 1`, `0 < sigma <= SVI_MAX_SIGMA`, `|a| <= SVI_MAX_ABS_A`,
//! `|m| <= SVI_MAX_ABS_M`, minimum variance `a + b sigma sqrt(1 - rho^2) >= 0`, and Roger Lee's
//! moment bound on the total-variance wings: `b (1 + |rho|) tau <= 2` at the tenor validated.
//! (Lee: `limsup w(k)/|k| <= 2`; Durrleman's butterfly condition tends to `1/4 - beta^2/16` in the
//! wings, which needs slope `beta <= 2`. The weaker Rogers-Tehranchi bound `|w'| <= 4` follows.)
//! Since the bound scales with `tau`, validating at series creation (the longest tenor) covers
//! every later write; the pricer re-validates at the current tenor anyway.
//! These conditions do NOT guarantee absence of butterfly arbitrage in the interior of the smile
//! (Durrleman's `g(k) >= 0` has no closed form for raw SVI); that remains the responsibility of
//! whoever sets the slice.

use super::error::MathError;
use super::fixed::{check_tenor, dec_to_q, signed, tau_scaled, PARAM_SCALE};
use super::safe_math::{to_u64, SafeMath};
use super::wide::{isqrt_u128, isqrt_u64, lo64, mul_u128_u64, mul_wide};

/// Largest `|a|`: 16.0 (annual variance, i.e. 400 % volatility).
pub const SVI_MAX_ABS_A: i64 = 16 * PARAM_SCALE;
/// Largest `b`: 10,000.0 (annualised; the Lee bound `b (1+|rho|) tau <= 2` is the binding one
/// for tenors above ~2 hours).
pub const SVI_MAX_B: i64 = 10_000 * PARAM_SCALE;
/// Largest `|m|`: 2.0 (log-moneyness).
pub const SVI_MAX_ABS_M: i64 = 2 * PARAM_SCALE;
/// Largest `sigma`: 4.0 (log-moneyness).
pub const SVI_MAX_SIGMA: i64 = 4 * PARAM_SCALE;
/// Largest wing slope of the total variance, `b (1 + |rho|) tau` (Lee).
pub const LEE_MAX_WING_SLOPE: i64 = 2;
/// Largest `|k|` accepted by [`SviParams::total_variance`]: 48.0 in Q57 (every `k` the pricer
/// builds satisfies `|k| <= ln(2^64) + 1 < 45.4`).
pub const SVI_MAX_ABS_K: i64 = 48 << 57;

/// Raw SVI parameters of one expiry, annualised, each an `i64` in units of `1 / PARAM_SCALE`
/// (1e-9): `v(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SviParams {
    /// Vertical level (annual variance), `|a| <= 16`.
    pub a: i64,
    /// Wing slope (annualised), `0 <= b <= 10_000`.
    pub b: i64,
    /// Skew, `-1 < rho < 1`.
    pub rho: i64,
    /// Horizontal shift (log-moneyness), `|m| <= 2`.
    pub m: i64,
    /// Smoothness at the vertex (log-moneyness), `0 < sigma <= 4`.
    pub sigma: i64,
}

impl SviParams {
    /// Checks admissibility at `tenor_secs` (see the module docs), in this order:
    /// tenor (`ZeroTenor`, `TenorTooLong`), `SviNegativeB`, `SviBTooLarge`, `SviRhoOutOfRange`,
    /// `SviSigmaNonPositive`, `SviSigmaTooLarge`, `SviAOutOfRange`, `SviMOutOfRange`,
    /// `SviNegativeVariance`, `SviLeeBoundViolated`.
    ///
    /// All checks are exact integer comparisons except the minimum-variance one, which uses
    /// `floor(sqrt(1 - rho^2))` at 1e-9 resolution and therefore errs on the safe side (it may
    /// reject a slice whose minimum variance is non-negative by less than `b sigma 1e-9`).
    pub fn validate(&self, tenor_secs: u64) -> Result<(), MathError> {
        check_tenor(tenor_secs)?;
        if self.b < 0 {
            return Err(MathError::SviNegativeB);
        }
        if self.b > SVI_MAX_B {
            return Err(MathError::SviBTooLarge);
        }
        let rho_abs = self.rho.unsigned_abs();
        let one = PARAM_SCALE.unsigned_abs();
        if rho_abs >= one {
            return Err(MathError::SviRhoOutOfRange);
        }
        if self.sigma <= 0 {
            return Err(MathError::SviSigmaNonPositive);
        }
        if self.sigma > SVI_MAX_SIGMA {
            return Err(MathError::SviSigmaTooLarge);
        }
        if self.a.unsigned_abs() > SVI_MAX_ABS_A.unsigned_abs() {
            return Err(MathError::SviAOutOfRange);
        }
        if self.m.unsigned_abs() > SVI_MAX_ABS_M.unsigned_abs() {
            return Err(MathError::SviMOutOfRange);
        }
        let b = self.b.unsigned_abs();
        let sigma = self.sigma.unsigned_abs();
        if self.a < 0 {
            // a + b sigma sqrt(1 - rho^2) >= 0  <=>  b sigma sqrt(1e18 - rho^2) >= |a| 1e18
            // (all at scale 1e27); floor(sqrt) makes the left side smaller: conservative.
            let rho2 = mul_wide(rho_abs, rho_abs); // < 1e18
            let sq = isqrt_u64(one.safe_mul(one)?.safe_sub(lo64(rho2))?);
            let lhs = mul_u128_u64(mul_wide(b, sigma), sq)?; // <= 1e13 * 4e9 * 1e9 < 2^106
            let rhs = mul_wide(self.a.unsigned_abs(), one.safe_mul(one)?);
            if lhs < rhs {
                return Err(MathError::SviNegativeVariance);
            }
        }
        // b (1 + |rho|) secs <= 2 * 1e18 * year  (exact, scale 1e18 seconds).
        let slope = mul_u128_u64(mul_wide(b, one.safe_add(rho_abs)?), tenor_secs)?;
        let bound = mul_wide(
            LEE_MAX_WING_SLOPE
                .unsigned_abs()
                .safe_mul(one)?
                .safe_mul(one)?,
            super::fixed::SECONDS_PER_YEAR,
        );
        if slope > bound {
            return Err(MathError::SviLeeBoundViolated);
        }
        Ok(())
    }

    /// Total variance `w(k) = v(k) * tau` in Q56 (`Q_VAR`) at log-moneyness `k` (Q57).
    ///
    /// Validates the slice first (see [`SviParams::validate`]); `|k| <= SVI_MAX_ABS_K` else
    /// [`MathError::LogMoneynessOutOfRange`].
    ///
    /// Error bound: `|result - w(k)| <= 2^-52.5` (w.r.t. the exact decimal parameters and the
    /// exact `k` passed in; an error `dk` in `k` adds at most `2 |dk|`, the Lee-bounded slope). Rounding: every step rounds toward zero or down, and a result that
    /// would be negative (only possible when the exact minimum is 0) is clamped to 0.
    pub fn total_variance(&self, k: i64, tenor_secs: u64) -> Result<u64, MathError> {
        self.validate(tenor_secs)?;
        if k.unsigned_abs() > SVI_MAX_ABS_K.unsigned_abs() {
            return Err(MathError::LogMoneynessOutOfRange);
        }
        self.total_variance_unchecked(k, tenor_secs)
    }

    /// [`SviParams::total_variance`] for an already validated slice and `|k| <= SVI_MAX_ABS_K`.
    ///
    /// Steps (Q = binary fixed point): `m`, `sigma` to Q57 and `rho` to Q63 (toward zero);
    /// `x = k - m`; `h = floor(sqrt(x^2 + sigma^2))` exactly (Q57, one `isqrt_u128`);
    /// `rho x` rounded toward zero; `y = rho x + h >= 0` by construction (`|rho x| < |x| <= h`);
    /// `a tau` in Q56 and `b tau` in Q62 exactly rounded down from the decimal inputs (one exact
    /// division each); `w = a tau + floor(b tau * y)`, clamped at 0.
    /// Error: `m`, `sigma`, `rho` conversions `2^-57`, `2^-57`, `2^-63`; `h` and `rho x` `2^-57`
    /// each; so `|y - y*| <= (1 + |rho|) |k - k*| + 2^-54.5` (`|x| <= 50`); `b tau (1 + |rho|)
    /// <= 2` (Lee) and `b tau` is within `2^-62`, `y < 104`, so `b tau y` is within
    /// `2 |k - k*| + 2^-53.5 + 2^-55.3 + 2^-56`; `a tau` within `2^-56`: total
    /// `2 |k - k*| + 2^-52.5`.
    pub(crate) fn total_variance_unchecked(
        &self,
        k: i64,
        tenor_secs: u64,
    ) -> Result<u64, MathError> {
        let m = dec_to_q(self.m, 48)?; // Q57
        let sigma = dec_to_q(self.sigma, 48)?.unsigned_abs(); // Q57, > 0
        let rho = dec_to_q(self.rho, 54)?; // Q63, |rho| < 2^63
        let x = k.safe_sub(m)?; // |x| <= 50 in Q57
        let ax = x.unsigned_abs();
        let sum = mul_wide(ax, ax).safe_add(mul_wide(sigma, sigma))?; // Q114, < 2^125
        let h = isqrt_u128(sum); // Q57
                                 // |rho x| = floor(|rho| |x| / 2^63) < |x| <= h.
        let rx = to_u64(mul_wide(rho.unsigned_abs(), ax) >> 63)?;
        let y = if (rho < 0) == (x < 0) {
            h.safe_add(rx)?
        } else {
            h.safe_sub(rx)?
        }; // Q57, <= 2 |x| + sigma < 104
        let tb = tau_scaled(self.b.unsigned_abs(), tenor_secs, 46)?; // Q62, <= 2^63
        let tby = to_u64(mul_wide(tb, y) >> 63)?; // Q56
        let ta = signed(
            tau_scaled(self.a.unsigned_abs(), tenor_secs, 40)?, // Q56
            self.a < 0,
        )?;
        let w = i128::from(ta).safe_add(i128::from(tby))?;
        if w <= 0 {
            return Ok(0);
        }
        to_u64(w.unsigned_abs())
    }
}
