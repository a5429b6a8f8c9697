//! f64 closed forms the Monte Carlo is checked against (host only).

/// Standard normal CDF from a Chebyshev fit of the complementary error function (fractional
/// error below 1.2e-7: ample next to a Monte Carlo's standard error).
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    // Numerical Recipes' erfcc (fractional error < 1.2e-7 everywhere).
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

fn phi(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Black-Scholes European put.
pub fn european_put(s: f64, k: f64, vol: f64, tau: f64, r: f64) -> f64 {
    let sd = vol * tau.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * vol * vol) * tau) / sd;
    k * (-r * tau).exp() * norm_cdf(-(d1 - sd)) - s * norm_cdf(-d1)
}

/// Continuous fixed-strike lookback put on the minimum (running minimum = spot).
pub fn lookback_put(s: f64, k: f64, vol: f64, tau: f64, r: f64) -> f64 {
    let df = (-r * tau).exp();
    if k > s {
        return df * (k - s) + lookback_put(s, s, vol, tau, r);
    }
    let w = vol * vol * tau;
    let sd = w.sqrt();
    let x = (s / k).ln();
    let rt = r * tau;
    let d1 = (x + rt + 0.5 * w) / sd;
    let european = df * k * norm_cdf(-(d1 - sd)) - s * norm_cdf(-d1);
    let extra = if rt == 0.0 {
        s * sd * (phi(d1) - d1 * norm_cdf(-d1))
    } else {
        let a = 2.0 * rt / w;
        s * df / a * ((-a * x).exp() * norm_cdf(-d1 + 2.0 * rt / sd) - rt.exp() * norm_cdf(-d1))
    };
    european + extra
}

/// The lookback monitored every `dt` years (Broadie–Glasserman–Kou).
pub fn lookback_put_bgk(s: f64, k: f64, vol: f64, tau: f64, r: f64, dt: f64) -> f64 {
    let beta = 0.582_597_157_939_010_7;
    let h = beta * vol * dt.min(tau).sqrt();
    h.exp() * lookback_put(s, k * (-h).exp(), vol, tau, r)
}
