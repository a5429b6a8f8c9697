//! Black-76 European put and the premium actually charged.
//!
//! # Formula
//! `P = e^(-r tau) (K N(-d2) - F N(-d1)) = K DF N(-d2) - S' N(-d1)`, `F = S' e^(r tau)`,
//! `DF = e^(-r tau)`, `k = ln(K / F)`, `s = sqrt(w)`, `d1 = -k/s + s/2`, `d2 = d1 - s`.
//! `r` is a continuously compounded annual rate in `[-0.5, 0.5]` (default 0, negative allowed: a
//! negative rate is an honest carry for some collateral; with `r = 0` the forward is the spot and
//! `DF = 1` is exact and the `exp` call is skipped).
//!
//! # Evaluation (all integer, see `fixed.rs` for the formats)
//! 1. `k = ln_ratio(K, S') - r tau` (Q57), `w` from the SVI slice or `vol^2 tau` (Q56).
//! 2. `s = floor(sqrt(w))` in Q60 (exact), then `s57 = floor(s / 8)` (Q57).
//! 3. `q = -k / s` by one exact `u128 / u64` division, saturated at `|q| = 32` (beyond that both
//!    `|d1|, |d2| >= 24` and every `N` is exactly 0 or 1 in Q63); `s == 0` gives the intrinsic
//!    limit. `d1 = q + floor(s57 / 2)`, `d2 = d1 - s57`.
//! 4. `A = floor(DF * N(-d2))` (Q62), `B = floor(N(-d1) / 2)` (Q62); `D = K A - S' B` (exact
//!    `u128`, price units times `2^62`; clamped at 0).
//!
//! # Monotonicity by construction, and where a tolerance is needed
//! Exact-floor steps keep order: `w = floor(vol^2 secs ...)` is non-decreasing in `vol` and
//! `secs`, `s = floor(sqrt(w))` in `w`, the haircut `ceil(conf k / 10_000)` in `conf` and `k`, and
//! the loading/floor step `max(floor(P L / 10_000), min)` in `L` and `min` (exactly). The normal
//! CDF polynomials are not monotone to the last Q63 unit, so the properties in price (strike,
//! vol, tenor, spot, butterflies) hold up to the error bound `E` below, and the tests assert them
//! with exactly that tolerance (sum of the bounds of the prices compared).
//!
//! # Error bound (before the final floor to integer units)
//! Let `s~` be the `s` actually used. Inputs to the bound: `N` within `2^-58.5` absolute
//! (`ncdf.rs`), `DF` within `2^-61` relative, `|r tau - (r tau)*| <= 2^-57`, the error of `k`
//! `dk <= 2^-56.2` (`ln` + `r tau`), and `|w - w*| <= 2^-52` (SVI: `2^-52.5 + 2 dk`; flat
//! volatility: `2^-56`). Decompose `P(q~, s~) - P*(s*)`:
//! * evaluation of `A` and `B`: `<= K (e 2^-58.5 + 2^-61 + 2^-62) + S' 2^-58.3`;
//! * `r tau`: `|dP/d(r tau)| <= K DF + S'`, so `<= (K DF + S') 2^-57` (`DF <= e`);
//!   these two together stay below `(K + S') 2^-54`;
//! * volatility: `|dP/ds| = S' phi(d1) <= 0.4 S'` and `|s~ - s*| <= 2^-57 + min(2^-26,
//!   2^-52 / s~)` (floor of the exact square root, then `sqrt` of a perturbed `w`);
//! * boundary: for the `s~` used, `dP/dq = S' phi(d1) - K DF phi(d2)` vanishes at the exact
//!   `q*(s~) = -k/s~` and `|d2P/dq2| <= (K DF + S') / 4`, so the error of `q`
//!   (`dq <= dk / s~ + 2^-56.4 <= 2^-55 (1 + 1/s~)`) costs only `<= (K DF + S') dq^2 / 8`.
//!
//! Hence `|D / 2^62 - P| <= E := (K + S') 2^-54 + 0.4 S' (2^-57 + min(2^-26, 2^-52 / s~))
//! + (K DF + S') dq^2 / 8`, and each integer output (a floor) is within `E + 1` unit (the
//! premium: `E * loading + 1`). [`price_error_bound`] evaluates `ceil(E) + 1`; the property tests
//! use exactly it as tolerance. Measured against mpmath (4,000 grid cases) the error before the
//! floor is below `0.25 E`, `1.5e-16 K` absolute and `4.6e-13` relative (`P >= 1e-6 K`).

use super::error::MathError;
use super::exp::discount_factor_q62;
use super::fixed::{
    check_rate, check_tenor, rate_tau_q57, vol_total_variance_q56, BPS, MAX_CONF_MULTIPLIER_BPS,
    MAX_PREMIUM_FLOOR_BPS, MAX_TAIL_LOADING_BPS, MAX_VOL, MIN_TAIL_LOADING_BPS, PARAM_SCALE,
};
use super::ln::ln_ratio;
use super::lookback::{check_inputs, lookback_put_with_df_q62, LookbackInputs};
use super::ncdf::norm_cdf_neg;
use super::safe_math::{safe_neg_i64, to_u64, u64_to_i64, SafeMath};
use super::svi::SviParams;
use super::wide::{div_wide, hi64, isqrt_u128, lo64, mul_u128_u64, mul_wide};

/// Saturation of `|q| = |k| / s`: 32 in Q57.
const Q_SAT: u64 = 1 << 62;
/// `1.0` in Q62 (discount factor at zero rate).
const ONE_Q62: u64 = 1 << 62;

/// Everything [`put_premium`] needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PremiumInputs {
    /// Oracle spot price, `PRICE_SCALE` units (1e-12), > 0.
    pub spot: u64,
    /// Strike, `PRICE_SCALE` units, > 0.
    pub strike: u64,
    /// Oracle confidence interval (one-sided), `PRICE_SCALE` units.
    pub confidence: u64,
    /// Seconds to expiry, `1..=MAX_TENOR_SECS`.
    pub tenor_secs: u64,
    /// SVI slice of the series (annualised, `PARAM_SCALE`).
    pub svi: SviParams,
    /// Continuously compounded annual rate, `PARAM_SCALE` (1e-9), `|rate| <= 0.5`.
    pub rate: i64,
    /// Spot haircut in multiples of the confidence, bps (`10_000` = 1 x conf),
    /// `<= MAX_CONF_MULTIPLIER_BPS`.
    pub conf_multiplier_bps: u64,
    /// Tail-loading factor in bps, `MIN_TAIL_LOADING_BPS..=MAX_TAIL_LOADING_BPS`.
    pub tail_loading_bps: u64,
    /// Premium floor per unit, `PRICE_SCALE` units.
    pub min_premium: u64,
    /// Seconds between release steps: the payoff priced is the discretely monitored lookback
    /// put on this grid (`math::lookback`, `rate >= 0`); 0 prices the European put (no early
    /// release), which is what a plain calculator call asks for.
    pub release_interval_secs: u64,
}

/// Result of [`put_premium`]; all prices per 1 unit of collateral in `PRICE_SCALE` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PremiumQuote {
    /// Premium charged: `min(intrinsic + max(time value * tail_loading / 10_000, min_premium),
    /// K e^(-r tau))`, rounded down.
    pub premium: u64,
    /// Discounted forward intrinsic value `(K e^(-r tau) - S')+`, rounded down: paid at cost,
    /// never loaded (a writer is certain to hand it back).
    pub intrinsic: u64,
    /// Unloaded value of the payoff at the shifted spot, rounded down: the discretely monitored
    /// lookback put (`release_interval_secs > 0`) or the European Black-76 put.
    pub fair_price: u64,
    /// Spot used: `spot - ceil(confidence * conf_multiplier_bps / 10_000)`.
    pub shifted_spot: u64,
    /// Total variance `w = v(k) tau` used, `PARAM_SCALE` (1e-9), rounded down.
    pub total_variance: u64,
    /// Whether the floor `min_premium` set the time value charged.
    pub min_premium_applied: bool,
}

/// Black-76 core output: the price times `2^62`, the discount factor (Q62) it used, and
/// `N(-d1)`, `N(-d2)` (Q63), which the lookback reuses instead of evaluating them again.
pub(crate) struct Core {
    pub(crate) d: u128,
    pub(crate) df: u64,
    pub(crate) n1: u64,
    pub(crate) n2: u64,
}

/// Exact put price scaled by `2^62` (see the module docs): `K A - S' B`.
pub(crate) fn black76_core_q62(
    strike: u64,
    spot: u64,
    k: i64,
    rt: i64,
    w: u64,
) -> Result<Core, MathError> {
    let df = discount_factor_or_one(rt)?;
    black76_core_with_df(strike, spot, k, w, df)
}

/// `e^-rt` in Q62, exactly 1 at `rt = 0` (no `exp` call).
pub(crate) fn discount_factor_or_one(rt: i64) -> Result<u64, MathError> {
    if rt == 0 {
        Ok(ONE_Q62)
    } else {
        discount_factor_q62(rt)
    }
}

/// [`black76_core_q62`] with the discount factor already computed (the lookback computes it
/// once for all its parts).
pub(crate) fn black76_core_with_df(
    strike: u64,
    spot: u64,
    k: i64,
    w: u64,
    df: u64,
) -> Result<Core, MathError> {
    let s60 = isqrt_u128(u128::from(w) << 64); // Q60, exact floor
    black76_core_with_s(strike, spot, k, s60, df)
}

/// [`black76_core_with_df`] with `s60 = floor(sqrt(w))` (Q60) already computed.
pub(crate) fn black76_core_with_s(
    strike: u64,
    spot: u64,
    k: i64,
    s60: u64,
    df: u64,
) -> Result<Core, MathError> {
    let s57 = s60 >> 3;
    let half = s57 >> 1;
    let q_mag = if s60 == 0 {
        if k == 0 {
            0
        } else {
            Q_SAT
        }
    } else {
        let num = u128::from(k.unsigned_abs()) << 60; // |k| Q57 * 2^60 / s Q60 -> Q57
        if hi64(num) >= s60 {
            Q_SAT
        } else {
            div_wide(num, s60)?.min(Q_SAT)
        }
    };
    let q = if k > 0 {
        safe_neg_i64(u64_to_i64(q_mag)?)?
    } else {
        u64_to_i64(q_mag)?
    };
    let d1 = q.safe_add(u64_to_i64(half)?)?;
    let d2 = d1.safe_sub(u64_to_i64(s57)?)?;
    let n2 = norm_cdf_neg(d2)?; // Q63
    let n1 = norm_cdf_neg(d1)?; // Q63
    let a = to_u64(mul_wide(df, n2) >> 63)?; // Q62
    let b = n1 >> 1; // Q62
    let x = mul_wide(strike, a);
    let y = mul_wide(spot, b);
    Ok(Core {
        d: x.saturating_sub(y),
        df,
        n1,
        n2,
    })
}

/// Unloaded Black-76 put price per unit, in `PRICE_SCALE` units, rounded down.
///
/// Inputs: `spot`, `strike` in `PRICE_SCALE` units (> 0); `vol` annualised volatility,
/// `PARAM_SCALE` (`<= MAX_VOL`, 0 gives the discounted intrinsic value); `tenor_secs`;
/// `rate` as in [`PremiumInputs`]. Errors in this order: `ZeroSpot`, `ZeroStrike`, `ZeroTenor`,
/// `TenorTooLong`, `RateOutOfRange`, `VolatilityTooLarge`, and `Overflow` if the price exceeds
/// `u64` (only possible with a strike near `u64::MAX` and a negative rate).
/// Accuracy: within `E + 1` units of the exact Black-76 value (see the module docs).
pub fn black76_put(
    spot: u64,
    strike: u64,
    vol: u64,
    tenor_secs: u64,
    rate: i64,
) -> Result<u64, MathError> {
    if spot == 0 {
        return Err(MathError::ZeroSpot);
    }
    if strike == 0 {
        return Err(MathError::ZeroStrike);
    }
    check_tenor(tenor_secs)?;
    check_rate(rate)?;
    if vol > MAX_VOL {
        return Err(MathError::VolatilityTooLarge);
    }
    to_u64(black76_put_q62(spot, strike, vol, tenor_secs, rate)? >> 62)
}

/// [`black76_put`] before the final floor: the price times `2^62` (inputs already validated).
pub(crate) fn black76_put_q62(
    spot: u64,
    strike: u64,
    vol: u64,
    tenor_secs: u64,
    rate: i64,
) -> Result<u128, MathError> {
    let rt = rate_tau_q57(rate, tenor_secs)?;
    let k = ln_ratio(strike, spot)?.safe_sub(rt)?;
    let w = vol_total_variance_q56(vol, tenor_secs)?;
    Ok(black76_core_q62(strike, spot, k, rt, w)?.d)
}

/// The premium actually charged for a put, per 1 unit of collateral.
///
/// 1. Validation, in this order: `ZeroSpot`, `ZeroStrike`, `ZeroTenor`, `TenorTooLong`,
///    `RateOutOfRange`, `ConfMultiplierTooLarge`, `TailLoadingBelowOne`, `TailLoadingTooLarge`,
///    then the SVI checks of [`SviParams::validate`] at the current tenor, then
///    `ShiftedSpotNonPositive`.
/// 2. Conservative spot: `S' = spot - ceil(confidence * conf_multiplier_bps / 10_000)` (the
///    haircut rounds up, `S'` down): a put is worth more at a lower spot, so oracle uncertainty
///    never makes tail protection cheaper. `S' <= 0` is `ShiftedSpotNonPositive`.
/// 3. Smile: `k = ln(K / F)`, `F = S' e^(r tau)`; `w = v(k) tau` from the SVI slice.
/// 4. The fair value `P` at `S'`: with `release_interval_secs > 0` the lookback put the vault
///    delivers when its releases ratchet (`math::lookback`: `RateOutOfRange` for `rate < 0`),
///    else the Black-76 put (error bound `E`, module docs); `fair_price = floor(P)`.
/// 5. Split `P` into the discounted forward intrinsic `I = (K DF - S')+` and the time value
///    `T = P - I` (both at `2^-62`-unit precision; `T` clamped at 0 against rounding).
/// 6. `premium = min(floor(I) + max(floor(T * tail_loading_bps / 10_000), floor_),
///    floor(K DF))` with `floor_ = min(min_premium, floor(K * MAX_PREMIUM_FLOOR_BPS / 10_000))`: the loading and the floor apply to the time value only (a deep
///    in-the-money writer is not paid a loading on money it is certain to hand back), and no
///    premium exceeds the discounted strike, the most the put can ever pay. Every part rounds
///    DOWN (it is paid out of the premium reserve). `Overflow` if it exceeds `u64`.
pub fn put_premium(inputs: &PremiumInputs) -> Result<PremiumQuote, MathError> {
    if inputs.spot == 0 {
        return Err(MathError::ZeroSpot);
    }
    if inputs.strike == 0 {
        return Err(MathError::ZeroStrike);
    }
    check_tenor(inputs.tenor_secs)?;
    check_rate(inputs.rate)?;
    if inputs.conf_multiplier_bps > MAX_CONF_MULTIPLIER_BPS {
        return Err(MathError::ConfMultiplierTooLarge);
    }
    if inputs.tail_loading_bps < MIN_TAIL_LOADING_BPS {
        return Err(MathError::TailLoadingBelowOne);
    }
    if inputs.tail_loading_bps > MAX_TAIL_LOADING_BPS {
        return Err(MathError::TailLoadingTooLarge);
    }
    inputs.svi.validate(inputs.tenor_secs)?;

    let shifted_spot = shifted_spot(inputs.spot, inputs.confidence, inputs.conf_multiplier_bps)?;
    let rt = rate_tau_q57(inputs.rate, inputs.tenor_secs)?;
    let ln_ks = ln_ratio(inputs.strike, shifted_spot)?;
    let k = ln_ks.safe_sub(rt)?;
    let w = inputs.svi.total_variance_unchecked(k, inputs.tenor_secs)?;
    let (d, df) = if inputs.release_interval_secs == 0 {
        let core = black76_core_q62(inputs.strike, shifted_spot, k, rt, w)?;
        (core.d, core.df)
    } else {
        let df = discount_factor_or_one(rt)?;
        let lookback = LookbackInputs {
            spot: shifted_spot,
            strike: inputs.strike,
            w_q56: w,
            rt_q57: rt,
            tenor_secs: inputs.tenor_secs,
            interval_secs: inputs.release_interval_secs,
        };
        check_inputs(&lookback)?;
        (lookback_put_with_df_q62(&lookback, df, ln_ks)?, df)
    };

    let fair_price = to_u64(d >> 62)?;
    // Discounted strike and forward intrinsic, price units times 2^62.
    let strike_df = mul_wide(inputs.strike, df);
    let intrinsic_q62 = strike_df.saturating_sub(u128::from(shifted_spot) << 62);
    let time_q62 = d.saturating_sub(intrinsic_q62);
    // floor(T * L / 10_000) with T kept at 2^-30 units: (T >> 32) * L / (10_000 * 2^30); each
    // part floors on its own, so the premium is at most one unit below floor(I + T L).
    let loaded = div_wide(
        mul_u128_u64(time_q62 >> 32, inputs.tail_loading_bps)?,
        BPS << 30,
    )?;
    // The floor, at most MAX_PREMIUM_FLOOR_BPS of the strike.
    let floor = inputs.min_premium.min(div_wide(
        mul_wide(inputs.strike, MAX_PREMIUM_FLOOR_BPS),
        BPS,
    )?);
    let min_premium_applied = loaded < floor;
    let intrinsic = to_u64(intrinsic_q62 >> 62)?;
    let premium = intrinsic
        .safe_add(loaded.max(floor))?
        .min(to_u64(strike_df >> 62)?);
    let total_variance = lo64(mul_wide(w, PARAM_SCALE.unsigned_abs()) >> 56); // < 2^38
    Ok(PremiumQuote {
        premium,
        intrinsic,
        fair_price,
        shifted_spot,
        total_variance,
        min_premium_applied,
    })
}

/// The premium of a put its holder may exercise at any time (a physical delivery series,
/// docs/DESIGN.md section 7b), by the textbook bound `P_E <= P_A <= P_E + K (1 - e^{-rT})`: the
/// European quote (`release_interval_secs` ignored) plus the early-exercise bound, rounded up,
/// and at most `K`. At `rate <= 0` it is the European quote (a put is never exercised early
/// without a positive rate).
pub fn american_put_premium(inputs: &PremiumInputs) -> Result<PremiumQuote, MathError> {
    let european = put_premium(&PremiumInputs {
        release_interval_secs: 0,
        ..*inputs
    })?;
    if inputs.rate <= 0 {
        return Ok(european);
    }
    let df = discount_factor_q62(rate_tau_q57(inputs.rate, inputs.tenor_secs)?)?;
    // K - floor(K df) >= K (1 - df): the bound, rounded up.
    let early = inputs
        .strike
        .safe_sub(to_u64(mul_wide(inputs.strike, df) >> 62)?)?;
    Ok(PremiumQuote {
        premium: european.premium.safe_add(early)?.min(inputs.strike),
        fair_price: european.fair_price.safe_add(early)?,
        ..european
    })
}

/// `spot - ceil(confidence * mult_bps / 10_000)`, or `ShiftedSpotNonPositive` if that is `<= 0`.
/// Native 64-bit only: `conf * mult = 10_000 q mult + r mult` with `q, r = divmod(conf, 10_000)`.
pub fn shifted_spot(spot: u64, confidence: u64, mult_bps: u64) -> Result<u64, MathError> {
    let q = confidence.safe_div(BPS)?;
    let r = confidence.safe_rem(BPS)?;
    // r * mult < 10_000 * 100_001: no overflow; ceil division.
    let part = r.safe_mul(mult_bps)?.safe_add(BPS - 1)?.safe_div(BPS)?;
    // An overflow here means the haircut exceeds u64::MAX >= spot.
    let haircut = q
        .checked_mul(mult_bps)
        .and_then(|v| v.checked_add(part))
        .ok_or(MathError::ShiftedSpotNonPositive)?;
    if haircut >= spot {
        return Err(MathError::ShiftedSpotNonPositive);
    }
    spot.safe_sub(haircut)
}

/// The error bound of the module docs as `ceil(E) + 1` price units (tests only): `strike` and
/// `spot` actually used, `w` in Q56, `df` the discount factor.
#[cfg(test)]
pub(crate) fn price_error_bound(strike: u64, spot: u64, w_q56: u64, df: f64) -> f64 {
    let k = strike as f64;
    let s = spot as f64;
    let st = (w_q56 as f64 / 2f64.powi(56)).sqrt();
    let vol_term = if st > 0.0 {
        2f64.powi(-26).min(2f64.powi(-52) / st)
    } else {
        2f64.powi(-26)
    };
    let dq = 2f64.powi(-55) * (1.0 + if st > 0.0 { 1.0 / st } else { 0.0 });
    let e = (k + s) * 2f64.powi(-54)
        + 0.4 * s * (2f64.powi(-57) + vol_term)
        + (k * df + s) * dq * dq / 8.0;
    e.ceil() + 1.0
}
