//! Fixed-strike lookback put on the minimum, monitored at discrete dates: what a vault whose
//! releases ratchet delivers (docs/DESIGN.md sections 6 and 10). Not yet the premium the
//! program charges: this is the engine, held to an f64 reference of the same closed form.
//!
//! # Formula (continuous monitoring, Conze–Viswanathan; running minimum = spot `S`)
//! For `K <= S`, with `x = ln(S/K) >= 0`, `s = sqrt(w)` (`w` the total variance), `rt = r tau`,
//! `d1 = (x + rt + w/2)/s`, `d2 = d1 - s`, `DF = e^-rt`:
//! `LB(K) = DF K N(-d2) - S N(-d1) + E` — the European put plus the value of the minimum,
//! `E = S DF (1/a) [e^(-a x) N(-d1 + 2 rt/s) - e^rt N(-d1)]`, `a = 2 rt / w`.
//! At `r = 0` the bracket vanishes with `a`; its limit is `E = S s psi(d)`,
//! `psi(d) = phi(d) - d N(-d)`, `d = (x + w/2)/s`. For `0 < a <= 2^-10` the expansion
//! `E = S DF (g1 + a g2/2 + a^2 g3/6)` is used (`g1 = s psi(d)`, `g2 = -s (x - w/2) psi(d)`,
//! `g3 = -(x^3 + w^3/8) N(-d) + (3s/2)(x^2 + w^2/4) phi(d) - (s^3/2) d^2 phi(d)
//! - (s^3/4) phi(d)`; truncation `O(a^3)`), and the direct formula above it, where its
//! cancellation costs at most `2^-58 / a <= 2^-48` of `S`.
//! For `K > S`: `LB(K) = DF (K - S) + LB(S)` (the minimum is already below the strike).
//! Only `r >= 0` is priced (`RateOutOfRange` otherwise): with a negative rate the direct
//! formula's `e^(-a x)` grows without bound.
//!
//! # Discrete monitoring (Broadie–Glasserman–Kou)
//! Monitored every `dt` (the vault's release interval) the minimum is higher, about by
//! `e^(beta sigma sqrt(dt))`, `beta = -zeta(1/2)/sqrt(2 pi) = 0.5826`:
//! `P(K) = e^h LB(K e^-h)`, `h = beta s sqrt(min(1, dt / tau))`.
//!
//! Formats as in `black76.rs`: prices in `PRICE_SCALE` units times `2^62`, log quantities Q57,
//! probabilities Q63; signed intermediate sums in `i128`.

use super::black76::{black76_core_with_s, discount_factor_or_one, Core};
use super::error::MathError;
use super::exp::exp_fixed;
use super::ln::ln_ratio;
use super::ncdf::{norm_cdf_neg, norm_tail_and_gauss, ONE_Q63};
use super::safe_math::{i128_to_i64, safe_neg_i128, safe_neg_i64, to_u64, u64_to_i64, SafeMath};
use super::wide::{div_wide, hi64, isqrt_u128, lo64, mul_u128_u64, mul_wide};

/// `round(beta * 2^63)`, `beta = -zeta(1/2) / sqrt(2 pi) = 0.58259715793901067`.
pub const BGK_BETA_Q63: u64 = 5_373_510_335_285_736_365;
/// `round(2^64 / sqrt(2 pi))`.
const INV_SQRT_2PI_Q64: u64 = 7_359_186_146_747_302_452;
/// Up to `a = 2^-10` (Q57: `2^47`) the series is used, above it the direct formula.
const A_SERIES_MAX_Q57: u64 = 1 << 47;
/// `|y| <= 63` in Q57: the normal CDF is exactly 0 or 1 at Q63 well before.
const CDF_ARG_MAX_Q57: i128 = 63 << 57;

/// What the lookback needs; validated by the caller (as `put_premium` validates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookbackInputs {
    /// Spot, which is also the running minimum at the start, price units, > 0.
    pub spot: u64,
    /// Strike, price units, > 0.
    pub strike: u64,
    /// Total variance `w` at the strike, Q56.
    pub w_q56: u64,
    /// `r tau`, Q57, in `[0, 1]`.
    pub rt_q57: i64,
    /// Seconds to expiry (> 0), and between monitoring dates (> 0).
    pub tenor_secs: u64,
    pub interval_secs: u64,
}

/// `sign(a b) floor(|a| |b| / 2^shift)`, one factor below `2^64` (two 64x64 multiplies at
/// most; an `i128` multiply is a costly libcall on SBPF).
fn smul(a: i128, b: i128, shift: u32) -> Result<i128, MathError> {
    let (ma, mb) = (a.unsigned_abs(), b.unsigned_abs());
    let (big, small) = if mb > ma { (mb, ma) } else { (ma, mb) };
    let small = u64::try_from(small).map_err(|_| MathError::Overflow)?;
    let mag =
        i128::try_from(mul_u128_u64(big, small)? >> shift).map_err(|_| MathError::Overflow)?;
    if (a < 0) != (b < 0) {
        safe_neg_i128(mag)
    } else {
        Ok(mag)
    }
}

/// `v / d` truncated toward zero with an unsigned division (SBPF has no signed division).
fn sdiv(v: i128, d: u64) -> Result<i128, MathError> {
    let mag = i128::from(div_wide(v.unsigned_abs(), d)?);
    if v < 0 {
        safe_neg_i128(mag)
    } else {
        Ok(mag)
    }
}

/// `phi(d) = e^(-d^2/2) / sqrt(2 pi)` in Q63 from `e^(-d^2/2) = mant 2^(n - 63)` (`n <= 0`,
/// as [`super::exp::gauss_exp`] returns it).
fn gauss_density_q63((mant, n): (u64, i64)) -> Result<u64, MathError> {
    let shift = 64u64.safe_add(n.unsigned_abs())?;
    if shift >= 128 {
        return Ok(0);
    }
    to_u64(mul_wide(mant, INV_SQRT_2PI_Q64) >> shift)
}

/// `|n| 2^60 / s60` (a Q57 quotient of a Q57 numerator by a Q60 `s`), or `None` above `2^64`.
fn over_s(n: u64, s60: u64) -> Result<Option<u64>, MathError> {
    let num = u128::from(n) << 60;
    if hi64(num) >= s60 {
        return Ok(None);
    }
    Ok(Some(div_wide(num, s60)?))
}

/// The quantities at `d = (x + w/2)/s` both regimes share (Q57 and Q63).
struct AtD {
    d: u64,
    tail: u64,
    phi: u64,
    psi: u64,
}

/// `g1 + a g2/2 + a^2 g3/6` (module docs) in Q63 for `a` (Q57) `<= 2^-10`. `g1` is exact to
/// Q63; `g2` and `g3` only enter times `a <= 2^-10` and `a^2 <= 2^-20`, so they are formed in
/// Q40 (room for the cubes of a total variance up to 128 without leaving 128 bits).
fn series_q63(at: &AtD, x: u64, w_q56: u64, s57: u64, a: u64) -> Result<i128, MathError> {
    let q40 = |v: u64, from: u32| i128::from(v >> from.saturating_sub(40));
    let (x, w, s, d) = (q40(x, 57), q40(w_q56, 56), q40(s57, 57), q40(at.d, 57));
    let (tail, phi, psi) = (i128::from(at.tail), i128::from(at.phi), i128::from(at.psi));
    let g1 = smul(i128::from(s57), psi, 57)?;
    let g2 = safe_neg_i128(smul(smul(s, x.safe_sub(w >> 1)?, 40)?, psi, 63)?)?;
    // At the money (the K > S branch) x = 0: its powers need no multiply.
    let (x2, x3) = if x == 0 {
        (0, 0)
    } else {
        let x2 = smul(x, x, 40)?;
        (x2, smul(x2, x, 40)?)
    };
    let w2 = smul(w, w, 40)?;
    let w3_8 = smul(w2, w, 40)? >> 3;
    let t1 = safe_neg_i128(smul(x3.safe_add(w3_8)?, tail, 63)?)?;
    // The three phi(d) terms share one multiply by phi:
    // (3s/2)(x^2 + w^2/4) - (s^3/2) d^2 - s^3/4, Q40.
    let s3 = smul(smul(s, s, 40)?, s, 40)?;
    let by_phi = (smul(s, x2.safe_add(w2 >> 2)?, 40)?.safe_mul(3)? >> 1)
        .safe_sub(smul(s3, smul(d, d, 40)?, 40)? >> 1)?
        .safe_sub(s3 >> 2)?;
    let g3 = t1.safe_add(smul(by_phi, phi, 63)?)?;
    // a (Q57) times a Q40 term, >> 34: Q63.
    let a = i128::from(a);
    g1.safe_add(sdiv(smul(a, g2, 34)?, 2)?)?
        .safe_add(sdiv(smul(smul(a, a, 57)?, g3, 34)?, 6)?)
}

/// `(A - B) / a` (module docs) in Q63 above the series range, `a = rt_q57 / w_q56` as a real:
/// `A = e^(-a x) N(-(d - rt/s))`, `B = e^rt N(-(d + rt/s))`. `a` itself is never formed (it
/// is unbounded as the variance vanishes): `a x = x rt / w` and `1/a = w / rt`.
///
/// `d + rt/s` is the European `d1`, so `N(-(d + rt/s))` is the core's `N(-d1)`; at `x = 0`
/// (`K = S`) `d - rt/s = -d2` too (up to one Q57 unit: `d` rounds `s/2` down, `d2` up), so
/// `N(-(d - rt/s)) = 1 - N(-d2)`: no normal CDF is evaluated twice.
fn direct_q63(
    at: &AtD,
    x: u64,
    w_q56: u64,
    s60: u64,
    rt: u64,
    core: &Core,
) -> Result<i128, MathError> {
    let n_a = if x == 0 {
        ONE_Q63.safe_sub(core.n2)?
    } else {
        let c = over_s(rt, s60)?.map_or(CDF_ARG_MAX_Q57, i128::from); // rt / s, Q57
        let d_minus_c = i128::from(at.d).safe_sub(c)?;
        norm_cdf_neg(i128_to_i64(
            d_minus_c.clamp(-CDF_ARG_MAX_Q57, CDF_ARG_MAX_Q57),
        )?)?
    }; // Q63
    let n_b = core.n1; // Q63

    // e^(-a x) with a x = x rt / w in Q57; from 64 on it is 0 at Q64.
    let xr = mul_wide(x, rt);
    let ax = if hi64(xr) >= w_q56 {
        u64::MAX
    } else {
        div_wide(xr, w_q56)?
    };
    let e_ax = if ax >= (64 << 57) {
        0
    } else {
        exp_fixed(safe_neg_i64(u64_to_i64(ax)?)?)?
    };
    let a_val = mul_u128_u64(e_ax, n_a)? >> 64; // Q63

    // e^rt = 1 / DF in Q62 (< 2^63.5 for rt <= 1): a division, not a second exponential.
    let e_rt = div_wide(1 << 124, core.df)?;
    let b_val = mul_wide(e_rt, n_b) >> 62; // Q63

    // > 0 for a > 0 (rounding may tie); times 1/a = w / rt.
    let diff = to_u64(a_val.saturating_sub(b_val))?;
    let num = mul_wide(diff, w_q56);
    let g = if hi64(num) >= rt {
        u64::MAX
    } else {
        div_wide(num, rt)?
    };
    Ok(i128::from(g))
}

/// The value of the minimum, `E` of the module docs, in price units times `2^62`; `x` (Q57)
/// `>= 0`, `w` Q56, `s60 = floor(sqrt(w))` in Q60, `rt` Q57 `>= 0`, `df` Q62.
fn minimum_value_q62(
    spot: u64,
    x: u64,
    w_q56: u64,
    s60: u64,
    rt: u64,
    core: &Core,
) -> Result<u128, MathError> {
    let s57 = s60 >> 3;
    let Some(q) = over_s(x, s60)? else {
        return Ok(0); // d >= 2^7: the minimum adds nothing at this resolution
    };
    let d = q.safe_add(s57 >> 1)?;
    let (tail, gauss) = norm_tail_and_gauss(d)?;
    let phi = gauss.map_or(Ok(0), gauss_density_q63)?;
    let psi = phi.saturating_sub(to_u64(mul_wide(d, tail) >> 57)?);
    let at = AtD { d, tail, phi, psi };
    let g = if rt == 0 {
        smul(i128::from(s57), i128::from(psi), 57)?
    } else {
        // a = 2 rt / w = rt_q57 / w_q56 as a real; in Q57 rt 2^57 / w (when below 2^7).
        let num = u128::from(rt) << 57;
        let small_a = if hi64(num) >= w_q56 {
            None
        } else {
            Some(div_wide(num, w_q56)?).filter(|a| *a <= A_SERIES_MAX_Q57)
        };
        match small_a {
            Some(a) => series_q63(&at, x, w_q56, s57, a)?,
            None => direct_q63(&at, x, w_q56, s60, rt, core)?,
        }
    };
    let g = u64::try_from(g.max(0)).map_err(|_| MathError::Overflow)?;
    // E = S DF g: (g DF) in Q63, then S times it, Q63 -> Q62.
    let gdf = to_u64(mul_wide(g, core.df) >> 62)?;
    Ok(mul_wide(spot, gdf) >> 1)
}

/// The continuous lookback `LB(K)` in price units times `2^62` (module docs); `x = ln(S/K)`
/// (Q57, `>= 0`) is the caller's, used when `K <= S` (it is 0 for the `K > S` branch's `K = S`).
fn continuous_q62(
    spot: u64,
    strike: u64,
    x: u64,
    w_q56: u64,
    s60: u64,
    rt: i64,
    df: u64,
) -> Result<u128, MathError> {
    if strike > spot {
        // The minimum is already below the strike: DF (K - S) + LB(S).
        let gap = mul_wide(strike.safe_sub(spot)?, df);
        return gap.safe_add(continuous_q62(spot, spot, 0, w_q56, s60, rt, df)?);
    }
    let kf = safe_neg_i64(u64_to_i64(x)?)?.safe_sub(rt)?; // ln(K / F)
    let core = black76_core_with_s(strike, spot, kf, s60, df)?;
    let minimum = minimum_value_q62(spot, x, w_q56, s60, rt.unsigned_abs(), &core)?;
    core.d.safe_add(minimum)
}

/// The discretely monitored lookback put `P(K) = e^h LB(K e^-h)` per unit of collateral, in
/// price units times `2^62` (module docs). Errors: `RateOutOfRange` for `rt < 0`, `ZeroSpot`,
/// `ZeroStrike`, `ZeroTenor`, `Overflow` when the price does not fit.
pub fn lookback_put_q62(i: &LookbackInputs) -> Result<u128, MathError> {
    check_inputs(i)?;
    let df = discount_factor_or_one(i.rt_q57)?;
    lookback_put_with_df_q62(i, df, ln_ratio(i.strike, i.spot)?)
}

/// The refusals of [`lookback_put_q62`], in its order.
pub(crate) fn check_inputs(i: &LookbackInputs) -> Result<(), MathError> {
    if i.rt_q57 < 0 {
        return Err(MathError::RateOutOfRange);
    }
    if i.spot == 0 {
        return Err(MathError::ZeroSpot);
    }
    if i.strike == 0 {
        return Err(MathError::ZeroStrike);
    }
    if i.tenor_secs == 0 {
        return Err(MathError::ZeroTenor);
    }
    Ok(())
}

/// [`lookback_put_q62`] for checked inputs ([`check_inputs`]) with `df = e^-rt` (Q62) and
/// `ln_ks = ln(K/S)` (Q57) already computed (`put_premium` has both): the shifted strike's
/// `ln(S / (K e^-h)) = h - ln(K/S)` needs no second logarithm.
pub(crate) fn lookback_put_with_df_q62(
    i: &LookbackInputs,
    df: u64,
    ln_ks: i64,
) -> Result<u128, MathError> {
    let s60 = isqrt_u128(u128::from(i.w_q56) << 64);
    if s60 == 0 {
        // No variance: the price stays where it is; only the intrinsic value is left.
        return Ok(mul_wide(i.strike.saturating_sub(i.spot), df));
    }
    // h = beta s sqrt(min(1, dt / tau)), Q57.
    let ratio = if i.interval_secs >= i.tenor_secs {
        u64::MAX
    } else {
        div_wide(u128::from(i.interval_secs) << 64, i.tenor_secs)?
    };
    let root = isqrt_u128(u128::from(ratio) << 64); // Q64
    let h60 = to_u64(mul_wide(to_u64(mul_wide(s60, root) >> 64)?, BGK_BETA_Q63) >> 63)?;
    let h57 = u64_to_i64(h60 >> 3)?;
    let down = exp_fixed(safe_neg_i64(h57)?)?; // Q64, <= 1
    let strike_c = to_u64(mul_u128_u64(down, i.strike)? >> 64)?.max(1);
    let x = h57.safe_sub(ln_ks)?.max(0).unsigned_abs(); // ln(S / K e^-h), Q57
    let lb = continuous_q62(i.spot, strike_c, x, i.w_q56, s60, i.rt_q57, df)?;
    // LB e^h with e^h = 1 / e^-h in Q48 (h < 11 so e^h < 2^16; a division, not a second
    // exponential): the exact 192-bit product, >> 48.
    let up = match u64::try_from(down) {
        Ok(down) => div_wide(1 << 112, down)?,
        Err(_) => 1 << 48, // h = 0: down is exactly 1
    };
    let hi = mul_wide(hi64(lb), up);
    let lo = mul_wide(lo64(lb), up);
    if hi64(hi) >= 1 << 48 {
        return Err(MathError::Overflow);
    }
    (hi << 16).safe_add(lo >> 48)
}
