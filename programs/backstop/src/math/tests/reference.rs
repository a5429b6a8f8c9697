//! `f64` reference implementations (tests only).
//!
//! * `erfc`: port of FreeBSD/fdlibm `s_erf.c` (Sun Microsystems, 1993; "Permission to use, copy,
//!   modify, and distribute this software is freely granted, provided that this notice is
//!   preserved"), accurate to < 1 ulp and relatively accurate in the tail.
//! * `black76_put_ref`: the put price as the integral of a POSITIVE integrand, so deep
//!   out-of-the-money prices carry no cancellation:
//!   `P = K DF * int_0^inf (1 - e^(-s u)) phi(d2 + u) du` (substitute `z = -d2 - u` in
//!   `E[(K - F e^(s Z - s^2/2))^+]`), integrated with 8-point Gauss-Legendre on panels adapted
//!   to the scales `1`, `1/|d2|` and `1/s`. Relative accuracy ~1e-15 of the price.

#![allow(clippy::excessive_precision)]

const ERX: f64 = 8.45062911510467529297e-01;
const EFX8: f64 = 1.02703333676410069053e+00;
const PP0: f64 = 1.28379167095512558561e-01;
const PP1: f64 = -3.25042107247001499370e-01;
const PP2: f64 = -2.84817495755985104766e-02;
const PP3: f64 = -5.77027029648944159157e-03;
const PP4: f64 = -2.37630166566501626084e-05;
const QQ1: f64 = 3.97917223959155352819e-01;
const QQ2: f64 = 6.50222499887672944485e-02;
const QQ3: f64 = 5.08130628187576562776e-03;
const QQ4: f64 = 1.32494738004321644526e-04;
const QQ5: f64 = -3.96022827877536812320e-06;
const PA0: f64 = -2.36211856075265944077e-03;
const PA1: f64 = 4.14856118683748331666e-01;
const PA2: f64 = -3.72207876035701323847e-01;
const PA3: f64 = 3.18346619901161753674e-01;
const PA4: f64 = -1.10894694282396677476e-01;
const PA5: f64 = 3.54783043256182359371e-02;
const PA6: f64 = -2.16637559486879084300e-03;
const QA1: f64 = 1.06420880400844228286e-01;
const QA2: f64 = 5.40397917702171048937e-01;
const QA3: f64 = 7.18286544141962662868e-02;
const QA4: f64 = 1.26171219808761642112e-01;
const QA5: f64 = 1.36370839120290507362e-02;
const QA6: f64 = 1.19844998467991074170e-02;
const RA0: f64 = -9.86494403484714822705e-03;
const RA1: f64 = -6.93858572707181764372e-01;
const RA2: f64 = -1.05586262253232909814e+01;
const RA3: f64 = -6.23753324503260060396e+01;
const RA4: f64 = -1.62396669462573470355e+02;
const RA5: f64 = -1.84605092906711035994e+02;
const RA6: f64 = -8.12874355063065934246e+01;
const RA7: f64 = -9.81432934416914548592e+00;
const SA1: f64 = 1.96512716674392571292e+01;
const SA2: f64 = 1.37657754143519042600e+02;
const SA3: f64 = 4.34565877475229228821e+02;
const SA4: f64 = 6.45387271733267880336e+02;
const SA5: f64 = 4.29008140027567833386e+02;
const SA6: f64 = 1.08635005541779435134e+02;
const SA7: f64 = 6.57024977031928170135e+00;
const SA8: f64 = -6.04244152148580987438e-02;
const RB0: f64 = -9.86494292470009928597e-03;
const RB1: f64 = -7.99283237680523006574e-01;
const RB2: f64 = -1.77579549177547519889e+01;
const RB3: f64 = -1.60636384855821916062e+02;
const RB4: f64 = -6.37566443368389627722e+02;
const RB5: f64 = -1.02509513161107724954e+03;
const RB6: f64 = -4.83519191608651397019e+02;
const SB1: f64 = 3.03380607434824582924e+01;
const SB2: f64 = 3.25792512996573918826e+02;
const SB3: f64 = 1.53672958608443695994e+03;
const SB4: f64 = 3.19985821950859553908e+03;
const SB5: f64 = 2.55305040643316442583e+03;
const SB6: f64 = 4.74528541206955367215e+02;
const SB7: f64 = -2.24409524465858183362e+01;

fn erfc1(x: f64) -> f64 {
    let s = x.abs() - 1.0;
    let p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
    let q = 1.0 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
    1.0 - ERX - p / q
}

fn erfc2(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 1.25 {
        return erfc1(x);
    }
    let s = 1.0 / (ax * ax);
    let (r, big_s) = if ax < 1.0 / 0.35 {
        (
            RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7)))))),
            1.0 + s
                * (SA1
                    + s * (SA2
                        + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8))))))),
        )
    } else {
        (
            RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6))))),
            1.0 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7)))))),
        )
    };
    // z = x with the low 32 bits of the mantissa cleared, so z*z is exact.
    let z = f64::from_bits(ax.to_bits() & 0xffff_ffff_0000_0000);
    (-z * z - 0.5625).exp() * ((z - ax) * (z + ax) + r / big_s).exp() / ax
}

/// Complementary error function (fdlibm), < 1 ulp.
pub fn erfc(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 0.84375 {
        if ax < 2f64.powi(-56) {
            return 1.0 - x;
        }
        let z = x * x;
        let r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
        let s = 1.0 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
        let y = r / s;
        if x < 0.25 {
            return 1.0 - (x + x * y);
        }
        return 0.5 - (x - 0.5 + x * y);
    }
    let _ = EFX8;
    if ax < 28.0 {
        let v = erfc2(x);
        return if x < 0.0 { 2.0 - v } else { v };
    }
    if x < 0.0 {
        2.0
    } else {
        0.0
    }
}

/// Standard normal CDF, relatively accurate in the lower tail: `erfc(z)/2` at `z = -x/sqrt(2)`,
/// with the rounding of `z` corrected to first order (`erfc'(z) = -2/sqrt(pi) e^(-z^2)`).
pub fn norm_cdf(x: f64) -> f64 {
    const INV_SQRT2: f64 = std::f64::consts::FRAC_1_SQRT_2;
    const INV_SQRT2_LO: f64 = -4.833_646_656_726_457e-17; // 1/sqrt(2) - INV_SQRT2
    let z = -x * INV_SQRT2;
    let dz = (-x).mul_add(INV_SQRT2, -z) + -x * INV_SQRT2_LO;
    let e = erfc(z);
    0.5 * (e - dz * std::f64::consts::FRAC_2_SQRT_PI * (-z * z).exp())
}

const GL8_X: [f64; 4] = [
    0.183_434_642_495_649_8,
    0.525_532_409_916_329_0,
    0.796_666_477_413_626_7,
    0.960_289_856_497_536_3,
];
const GL8_W: [f64; 4] = [
    0.362_683_783_378_362_0,
    0.313_706_645_877_887_3,
    0.222_381_034_453_374_5,
    0.101_228_536_290_376_3,
];

pub fn phi(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// `int_0^inf (1 - e^(-s u)) phi(d2 + u) du` (the put price per unit strike and DF).
pub fn put_integral(s: f64, d2: f64) -> f64 {
    if s <= 0.0 {
        return 0.0;
    }
    // Range: the Gaussian factor is negligible (< e^-72 relative) beyond these limits.
    let (lo, hi) = if d2 > 6.0 {
        (0.0, 80.0 / d2)
    } else {
        ((-d2 - 12.0).max(0.0), (-d2 + 12.0).max(1e-300))
    };
    let scale = 1.0f64.min(1.0 / d2.abs().max(1e-300)).min(1.0 / s);
    let h = (0.25 * scale).min(0.1);
    let n = ((hi - lo) / h).ceil().max(1.0) as usize;
    let h = (hi - lo) / n as f64;
    let f = |u: f64| -(-s * u).exp_m1() * phi(d2 + u);
    let mut sum = 0.0;
    for i in 0..n {
        let c = lo + (i as f64 + 0.5) * h;
        let mut p = 0.0;
        for j in 0..4 {
            let dx = 0.5 * h * GL8_X[j];
            p += GL8_W[j] * (f(c - dx) + f(c + dx));
        }
        sum += 0.5 * h * p;
    }
    sum
}

/// Black-76 put on the forward `F = S e^(r tau)`: `(k, w)` = log-moneyness `ln(K/F)` and total
/// variance; returns the price in the units of `strike`.
pub fn black76_put_ref(strike: f64, k: f64, w: f64, df: f64) -> f64 {
    if w <= 0.0 {
        // Intrinsic: K DF (1 - F/K)^+ = K DF (1 - e^-k)^+
        return (strike * df * -(-k).exp_m1()).max(0.0);
    }
    let s = w.sqrt();
    let d2 = -k / s - 0.5 * s;
    strike * df * put_integral(s, d2)
}

/// Closed form with fdlibm erfc (cross-check; suffers cancellation deep out of the money).
pub fn black76_put_closed(strike: f64, k: f64, w: f64, df: f64) -> f64 {
    let s = w.sqrt();
    let d1 = -k / s + 0.5 * s;
    let d2 = d1 - s;
    let f = strike * (-k).exp();
    df * (strike * norm_cdf(-d2) - f * norm_cdf(-d1))
}

/// Annualised SVI variance `v(k)` and its first two derivatives.
pub fn svi_v(a: f64, b: f64, rho: f64, m: f64, sigma: f64, k: f64) -> (f64, f64, f64) {
    let x = k - m;
    let r = (x * x + sigma * sigma).sqrt();
    let v = a + b * (rho * x + r);
    let v1 = b * (rho + x / r);
    let v2 = b * sigma * sigma / (r * r * r);
    (v, v1, v2)
}

/// Durrleman's butterfly function `g(k)` of the total variance `w = tau v`.
pub fn durrleman_g(p: (f64, f64, f64, f64, f64), tau: f64, k: f64) -> f64 {
    let (v, v1, v2) = svi_v(p.0, p.1, p.2, p.3, p.4, k);
    let (w, w1, w2) = (v * tau, v1 * tau, v2 * tau);
    if w <= 0.0 {
        return -1.0;
    }
    let t = 1.0 - k * w1 / (2.0 * w);
    t * t - 0.25 * w1 * w1 * (1.0 / w + 0.25) + 0.5 * w2
}
