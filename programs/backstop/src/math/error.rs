//! Error type of the pricing engine.
//!
//! `MathError` is a plain enum (no `anchor_lang` dependency) so that the math stays `core`-only;
//! the program maps every variant to its own Anchor error code. The TypeScript mirror
//! (`app/sdk/src/pricing/errors.ts`) throws the same names.

/// Every failure the fixed-point pricing engine can report. The declaration order is part of the
/// interface (the program maps the variants to error codes in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathError {
    /// A checked operation overflowed its integer type, or a result does not fit its output
    /// format (for example a premium above `u64::MAX` price units).
    Overflow,
    /// A checked unsigned subtraction would have gone below zero.
    Underflow,
    /// Division or remainder by zero.
    DivisionByZero,
    /// `ln` of zero: the argument (or both terms of a ratio) must be strictly positive.
    LnOfZero,
    /// `exp` argument above the documented maximum (the result would not fit the output format).
    ExpOverflow,
    /// Log-moneyness passed to the SVI evaluation is outside `[-SVI_MAX_ABS_K, SVI_MAX_ABS_K]`.
    LogMoneynessOutOfRange,
    /// Spot price is zero.
    ZeroSpot,
    /// Strike is zero.
    ZeroStrike,
    /// The spot moved down by the confidence haircut, `spot - ceil(conf * k / 10_000)`, is zero
    /// or negative.
    ShiftedSpotNonPositive,
    /// Confidence multiplier above `MAX_CONF_MULTIPLIER_BPS`.
    ConfMultiplierTooLarge,
    /// Tail-loading factor below 10_000 bps (it would discount the premium).
    TailLoadingBelowOne,
    /// Tail-loading factor above `MAX_TAIL_LOADING_BPS`.
    TailLoadingTooLarge,
    /// Zero seconds to expiry (the series is expired or expiring now).
    ZeroTenor,
    /// Seconds to expiry above `MAX_TENOR_SECS`.
    TenorTooLong,
    /// Interest rate outside `[-MAX_RATE, MAX_RATE]`.
    RateOutOfRange,
    /// Black-76 volatility above `MAX_VOL`.
    VolatilityTooLarge,
    /// SVI `b < 0` (the wings would slope the wrong way).
    SviNegativeB,
    /// SVI `b > SVI_MAX_B`.
    SviBTooLarge,
    /// SVI `|rho| >= 1`.
    SviRhoOutOfRange,
    /// SVI `sigma <= 0`.
    SviSigmaNonPositive,
    /// SVI `sigma > SVI_MAX_SIGMA`.
    SviSigmaTooLarge,
    /// SVI `|a| > SVI_MAX_ABS_A`.
    SviAOutOfRange,
    /// SVI `|m| > SVI_MAX_ABS_M`.
    SviMOutOfRange,
    /// SVI minimum variance `a + b * sigma * sqrt(1 - rho^2)` is negative.
    SviNegativeVariance,
    /// Roger Lee's wing bound violated: `b * (1 + |rho|) * tau > 2` (total-variance wing slope
    /// above 2 at the tenor being validated).
    SviLeeBoundViolated,
    /// SVI slice with butterfly arbitrage: Durrleman's condition fails on the series check's
    /// grid (`svi_series`).
    SviButterflyArbitrage,
    /// SVI at-the-money volatility outside `[5 %, 300 %]` (`svi_series`).
    SviAtmVolOutOfRange,
}
