//! What a slice must satisfy to open a series (beyond [`SviParams::validate`], which the pricer
//! re-checks on every write): no butterfly arbitrage on a grid of log-moneyness, and an
//! at-the-money volatility inside `[MIN_ATM_VOL, MAX_ATM_VOL]`. One key (the vault's risk
//! authority) sets the slice; these bounds keep it from pricing puts at nothing or at a
//! multiple of their value.
//!
//! # Butterfly condition (Durrleman)
//! Call prices are convex in the strike iff the total variance `w(k)` satisfies
//! `g(k) = (1 - k w'/(2w))^2 - (w'^2/4)(1/w + 1/4) + w''/2 >= 0`. With `w = v tau` (the slice
//! is annualised) and `w > 0`, `g >= 0` iff
//! `H = (2v - k v')^2 - tau v v'^2 (1 + v tau / 4) + 2 tau v^2 v'' >= 0` (multiply `g` by
//! `4 w^2 / tau^2 > 0`). `H` is evaluated in `i128` binary fixed point Q30 (every product
//! rescaled by a shift, every division a 128/64 `div_wide`), on [`BUTTERFLY_GRID`] plus the
//! vertex `m` and `m +- sigma`, where `w''` peaks. Resolution: each term is within a few 2^-30
//! of exact, so a slice whose `g` dips below zero by less than that, or only between grid points,
//! may pass: the grid is a check, not a proof.

use super::error::MathError;
use super::fixed::{PARAM_SCALE, SECONDS_PER_YEAR};
use super::svi::SviParams;
use super::wide::{div_wide, isqrt_u128, mul_wide};

/// Lowest and highest at-the-money volatility a series may open with: 5 % and 300 %
/// (annualised; compared as variance at `PARAM_SCALE`: 0.0025 and 9.0).
pub const MIN_ATM_VARIANCE: i64 = 2_500_000;
pub const MAX_ATM_VARIANCE: i64 = 9 * PARAM_SCALE;

/// Log-moneyness grid of the butterfly check: -2.0 to 2.0 in steps of 0.25 (`PARAM_SCALE`).
pub const BUTTERFLY_GRID: [i64; 17] = {
    let mut g = [0i64; 17];
    let mut i = 0;
    while i < 17 {
        g[i] = (i as i64 - 8) * 250_000_000;
        i += 1;
    }
    g
};

/// Binary fixed point of the check: Q30 (cheap rescaling by shifts; SBPF has no fast 128-bit
/// division, so the only divisions are `div_wide`'s 128/64 ones).
const Q: u32 = 30;

/// `a * b >> Q` on magnitudes below `2^64` by one 64x64 multiply (an `i128` multiply is a
/// costly libcall on SBPF), rounding the magnitude down.
fn mul(a: i128, b: i128) -> Result<i128, MathError> {
    let ma = u64::try_from(a.unsigned_abs()).map_err(|_| MathError::Overflow)?;
    let mb = u64::try_from(b.unsigned_abs()).map_err(|_| MathError::Overflow)?;
    let mag = i128::try_from(mul_wide(ma, mb) >> Q).map_err(|_| MathError::Overflow)?;
    if (a < 0) != (b < 0) {
        sub(0, mag)
    } else {
        Ok(mag)
    }
}

fn add(a: i128, b: i128) -> Result<i128, MathError> {
    a.checked_add(b).ok_or(MathError::Overflow)
}

fn sub(a: i128, b: i128) -> Result<i128, MathError> {
    a.checked_sub(b).ok_or(MathError::Overflow)
}

/// A `PARAM_SCALE` decimal as Q30 (floor).
fn q30(x: i64) -> Result<i128, MathError> {
    let mag = div_wide(
        u128::from(x.unsigned_abs()) << Q,
        PARAM_SCALE.unsigned_abs(),
    )?;
    let v = i128::from(mag);
    if x < 0 {
        sub(0, v)
    } else {
        Ok(v)
    }
}

/// `|n| * 2^Q / d` with the sign of `n`, saturating at `2^62` (only `sigma^2 / r^3` of a
/// nearly kinked slice gets there: a huge `w''` only helps the condition).
fn div_q(n: i128, d: u64) -> Result<i128, MathError> {
    let mag = match div_wide(n.unsigned_abs() << Q, d) {
        Ok(q) => i128::from(q.min(1 << 62)),
        Err(MathError::Overflow) => 1 << 62,
        Err(e) => return Err(e),
    };
    if n < 0 {
        sub(0, mag)
    } else {
        Ok(mag)
    }
}

/// The slice in Q30.
struct Slice {
    a: i128,
    b: i128,
    rho: i128,
    m: i128,
    sigma: i128,
}

/// `(v, v', v'')` of the annualised slice at `k` (Q30 in and out).
fn derivatives(p: &Slice, k: i128) -> Result<(i128, i128, i128), MathError> {
    let x = sub(k, p.m)?;
    // r = sqrt(x^2 + sigma^2); sigma > 0 (validated), so r > 0.
    let mx = u64::try_from(x.unsigned_abs()).map_err(|_| MathError::Overflow)?;
    let ms = u64::try_from(p.sigma.unsigned_abs()).map_err(|_| MathError::Overflow)?;
    let r2 = mul_wide(mx, mx)
        .checked_add(mul_wide(ms, ms))
        .ok_or(MathError::Overflow)?;
    let r = isqrt_u128(r2);
    if r == 0 {
        return Err(MathError::DivisionByZero);
    }
    let r_i = i128::from(r);
    let v = add(p.a, mul(p.b, add(mul(p.rho, x)?, r_i)?)?)?;
    let v1 = mul(p.b, add(p.rho, div_q(x, r)?)?)?;
    // sigma^2 / r^3 by three divisions by r.
    let s2_r = div_q(mul(p.sigma, p.sigma)?, r)?;
    let s2_r3 = div_q(div_q(s2_r, r)?, r)?;
    let v2 = mul(p.b, s2_r3)?;
    Ok((v, v1, v2))
}

/// Durrleman's `H(k)` (module docs) in Q30; `tau` annualised in Q30.
fn durrleman_h(p: &Slice, k: i128, tau: i128) -> Result<i128, MathError> {
    let (v, v1, v2) = derivatives(p, k)?;
    if v <= 0 {
        // Zero variance at a grid point: the density is degenerate there.
        return Ok(-1);
    }
    let a = sub(add(v, v)?, mul(k, v1)?)?;
    let first = mul(a, a)?;
    let factor = add(1 << Q, mul(v, tau)? >> 2)?;
    let second = mul(mul(mul(mul(tau, v)?, v1)?, v1)?, factor)?;
    let half_third = mul(mul(mul(tau, v)?, v)?, v2)?;
    let third = add(half_third, half_third)?;
    add(sub(first, second)?, third)
}

impl SviParams {
    /// The checks a slice must pass to open a series with `tenor_secs` to expiry, after
    /// [`SviParams::validate`]: `SviAtmVolOutOfRange`, then `SviButterflyArbitrage`.
    pub fn validate_for_series(&self, tenor_secs: u64) -> Result<(), MathError> {
        self.validate(tenor_secs)?;
        let p = Slice {
            a: q30(self.a)?,
            b: q30(self.b)?,
            rho: q30(self.rho)?,
            m: q30(self.m)?,
            sigma: q30(self.sigma)?,
        };
        let (atm, _, _) = derivatives(&p, 0)?;
        let (lo, hi) = (q30(MIN_ATM_VARIANCE)?, q30(MAX_ATM_VARIANCE)?);
        if !(lo..=hi).contains(&atm) {
            return Err(MathError::SviAtmVolOutOfRange);
        }
        let tau = i128::from(div_wide(u128::from(tenor_secs) << Q, SECONDS_PER_YEAR)?);
        let vertex = [p.m, sub(p.m, p.sigma)?, add(p.m, p.sigma)?];
        for k in BUTTERFLY_GRID.iter().copied().map(q30) {
            if durrleman_h(&p, k?, tau)? < 0 {
                return Err(MathError::SviButterflyArbitrage);
            }
        }
        for k in vertex {
            if durrleman_h(&p, k, tau)? < 0 {
                return Err(MathError::SviButterflyArbitrage);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::cast_precision_loss
)]
mod tests {
    use super::*;

    fn slice(a: f64, b: f64, rho: f64, m: f64, sigma: f64) -> SviParams {
        let q = |x: f64| (x * 1e9).round() as i64;
        SviParams {
            a: q(a),
            b: q(b),
            rho: q(rho),
            m: q(m),
            sigma: q(sigma),
        }
    }

    /// Durrleman's g in f64, the reference.
    fn g_ref(p: &SviParams, k: f64, tau: f64) -> f64 {
        let f = |x: i64| x as f64 / 1e9;
        let (a, b, rho, m, s) = (f(p.a), f(p.b), f(p.rho), f(p.m), f(p.sigma));
        let x = k - m;
        let r = (x * x + s * s).sqrt();
        let w = tau * (a + b * (rho * x + r));
        let w1 = tau * b * (rho + x / r);
        let w2 = tau * b * s * s / (r * r * r);
        (1.0 - k * w1 / (2.0 * w)).powi(2) - w1 * w1 / 4.0 * (1.0 / w + 0.25) + w2 / 2.0
    }

    const MONTH: u64 = 30 * 86_400;

    #[test]
    fn a_sane_skew_passes() {
        // 60 % ATM, mild put skew: the tests' default slice.
        let p = slice(0.36, 0.1, -0.5, 0.0, 0.1);
        assert_eq!(p.validate_for_series(MONTH), Ok(()));
    }

    #[test]
    fn atm_vol_bounds() {
        // v(0) = a + b sigma (m = 0, rho = 0): 4 % vol is refused, 5 % passes.
        let low = slice(0.0016, 0.0, 0.0, 0.0, 0.1);
        assert_eq!(
            low.validate_for_series(MONTH),
            Err(MathError::SviAtmVolOutOfRange)
        );
        let five = slice(0.0025, 0.0, 0.0, 0.0, 0.1);
        assert_eq!(five.validate_for_series(MONTH), Ok(()));
        let high = slice(9.01, 0.0, 0.0, 0.0, 0.1);
        assert_eq!(
            high.validate_for_series(MONTH),
            Err(MathError::SviAtmVolOutOfRange)
        );
    }

    #[test]
    fn a_known_arbitrageable_slice_is_refused() {
        // Axel Vogt's slice (Gatheral-Jacquier 2014, section 5: butterfly arbitrage), with tau = 1.
        let p = slice(-0.0410, 0.1331, 0.3060, 0.3586, 0.4153);
        let year = SECONDS_PER_YEAR;
        assert!(
            g_ref(&p, 0.8, 1.0) < 0.0,
            "the reference sees the arbitrage"
        );
        // ATM variance of this slice is about 0.02 (14 % vol): inside the bounds.
        assert_eq!(
            p.validate_for_series(year),
            Err(MathError::SviButterflyArbitrage)
        );
    }

    #[test]
    fn the_fixed_point_check_agrees_with_the_f64_reference_away_from_zero() {
        // A deterministic sweep of slices: wherever the f64 g is clearly positive on the grid,
        // the check passes; wherever it is clearly negative somewhere, the check refuses.
        let mut agreed = 0;
        for ia in 0..6 {
            for ib in 0..6 {
                for ir in 0..5 {
                    for isg in 0..4 {
                        let p = slice(
                            0.01 + 0.15 * ia as f64,
                            0.05 + 0.6 * ib as f64,
                            -0.9 + 0.45 * ir as f64,
                            -0.2,
                            0.02 + 0.25 * isg as f64,
                        );
                        let tau_secs = MONTH * 3;
                        if p.validate(tau_secs).is_err() {
                            continue;
                        }
                        let tau = tau_secs as f64 / SECONDS_PER_YEAR as f64;
                        let ks: Vec<f64> = BUTTERFLY_GRID
                            .iter()
                            .map(|&k| k as f64 / 1e9)
                            .chain([
                                -0.2,
                                -0.2 - p.sigma as f64 / 1e9,
                                -0.2 + p.sigma as f64 / 1e9,
                            ])
                            .collect();
                        let min_g = ks
                            .iter()
                            .map(|&k| g_ref(&p, k, tau))
                            .fold(f64::MAX, f64::min);
                        let got = p.validate_for_series(tau_secs);
                        if got == Err(MathError::SviAtmVolOutOfRange) {
                            continue;
                        }
                        if min_g > 1e-6 {
                            assert_eq!(got, Ok(()), "{p:?} g {min_g}");
                            agreed += 1;
                        } else if min_g < -1e-6 {
                            assert_eq!(
                                got,
                                Err(MathError::SviButterflyArbitrage),
                                "{p:?} g {min_g}"
                            );
                            agreed += 1;
                        }
                    }
                }
            }
        }
        assert!(agreed > 100, "{agreed}");
    }
}
