//! Exactness tests of the wide-integer primitives and reference tests of `ln`, `exp`, `sqrt`,
//! `N(x)` against `f64`.

use super::reference;
use super::{runner, Q57, Q63, Q64};
use crate::math::*;
use proptest::prelude::*;
use std::cell::Cell;

/// A `u128` spread over all magnitudes.
fn any_u128_logspread() -> impl Strategy<Value = u128> {
    (any::<u128>(), 0u32..128).prop_map(|(x, s)| x >> s)
}

#[test]
fn wide_mul_div_are_exact() {
    runner(1)
        .run(
            &(
                any::<u64>(),
                any::<u64>(),
                any_u128_logspread(),
                1u64..=u64::MAX,
                0u32..64,
            ),
            |(a, b, n, d, ds)| {
                prop_assert_eq!(mul_wide(a, b), u128::from(a) * u128::from(b));
                let d = (d >> ds).max(1);
                let expect = n / u128::from(d);
                match div_wide(n, d) {
                    Ok(q) => prop_assert_eq!(u128::from(q), expect),
                    Err(e) => {
                        prop_assert_eq!(e, MathError::Overflow);
                        prop_assert!(expect > u128::from(u64::MAX));
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(div_wide(5, 0), Err(MathError::DivisionByZero));
    assert_eq!(div_wide(u128::MAX, u64::MAX), Err(MathError::Overflow));
    assert_eq!(
        div_wide(
            (u128::from(u64::MAX - 1) << 64) | u128::from(u64::MAX),
            u64::MAX
        ),
        Ok(u64::MAX)
    );
}

#[test]
fn sqrt_is_exact_floor() {
    let check = |n: u128| {
        let r = u128::from(isqrt_u128(n));
        assert!(r * r <= n, "n={n} r={r}");
        assert!(
            (r + 1).checked_mul(r + 1).is_none_or(|sq| sq > n),
            "n={n} r={r}"
        );
    };
    for n in [
        0u128,
        1,
        2,
        3,
        4,
        15,
        16,
        17,
        u128::MAX,
        u128::MAX - 1,
        1 << 126,
        (1 << 126) - 1,
    ] {
        check(n);
    }
    for r in [
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        (1 << 32) + 7,
        3_037_000_499,
    ] {
        let sq = u128::from(r) * u128::from(r);
        check(sq);
        check(sq - 1);
        check(sq + 1);
    }
    let worst = Cell::new(0f64);
    runner(2)
        .run(&(any_u128_logspread(), any::<u64>()), |(n, r)| {
            check(n);
            let sq = u128::from(r) * u128::from(r);
            check(sq);
            check(sq.saturating_sub(1));
            // f64 cross-check of the Q-format wrapper: sqrt of a Q56 value in Q56.
            let x = (n >> 64) as u64;
            let s = sqrt_fixed(x, 56).unwrap();
            let ref_s = ((x as f64) / 2f64.powi(56)).sqrt();
            let err = (s as f64 / 2f64.powi(56) - ref_s).abs();
            let tol = 2f64.powi(-56) + 2.0 * f64::EPSILON * ref_s;
            worst.set(worst.get().max(err / tol));
            prop_assert!(err <= tol, "x={} s={} ref={}", x, s, ref_s);
            Ok(())
        })
        .unwrap();
    println!(
        "sqrt: exact floor on all cases; sqrt_fixed vs f64 worst err/tol = {:.3}",
        worst.get()
    );
}

#[test]
fn ln_matches_reference() {
    // Documented bound 2^-57.4 (plus the f64 reference's own error: ~3 ulp of the ratio and
    // 1 ulp of the result).
    let worst = Cell::new((0f64, 0u64, 0u64));
    let ratio = Cell::new(0f64);
    runner(3)
        .run(
            &(1u64..=u64::MAX, 0u32..64, 1u64..=u64::MAX, 0u32..64),
            |(n, ns, d, ds)| {
                let (num, den) = ((n >> ns).max(1), (d >> ds).max(1));
                let got = ln_ratio(num, den).unwrap() as f64 / Q57;
                // Reference: exponent split exactly, mantissa ratio in f64.
                let (en, ed) = (
                    63 - num.leading_zeros() as i32,
                    63 - den.leading_zeros() as i32,
                );
                let r = (num as f64 / 2f64.powi(en)) / (den as f64 / 2f64.powi(ed));
                let e = f64::from(en - ed);
                let ln2_hi = 0.693_147_180_369_123_8_f64; // 2^-32 multiple
                let ln2_lo = 1.908_214_929_270_587_7e-10_f64;
                let reference = e * ln2_hi + (e * ln2_lo + r.ln());
                let err = (got - reference).abs();
                // Our bound, plus the f64 reference (ratio and ln(r): 4 * 2^-53; rounding of the
                // sum and of our Q57 value converted to f64: one ulp each).
                let tol =
                    2f64.powf(-57.4) + 4.0 * 2f64.powi(-53) + 2f64.powi(-51) * reference.abs();
                if err > worst.get().0 {
                    worst.set((err, num, den));
                }
                ratio.set(ratio.get().max(err / tol));
                prop_assert!(
                    err <= tol,
                    "ln({}/{}) = {} ref {} err {:e}",
                    num,
                    den,
                    got,
                    reference,
                    err
                );
                Ok(())
            },
        )
        .unwrap();
    runner(4)
        .run(&any_u128_logspread(), |x| {
            let x = x.max(1);
            let got = ln_q64(x).unwrap() as f64 / Q57;
            let reference = (x as f64).ln() - 64.0 * std::f64::consts::LN_2;
            let err = (got - reference).abs();
            prop_assert!(
                err <= 2f64.powf(-57.4) + 2f64.powi(-52) * 45.0,
                "x={} err={:e}",
                x,
                err
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(ln_q64(0), Err(MathError::LnOfZero));
    assert_eq!(ln_ratio(0, 5), Err(MathError::LnOfZero));
    assert_eq!(ln_ratio(5, 0), Err(MathError::LnOfZero));
    assert_eq!(ln_ratio(7, 7), Ok(0));
    assert_eq!(ln_q64(1u128 << 64), Ok(0));
    let (e, n, d) = worst.get();
    println!(
        "ln_ratio vs f64: worst |err| = {e:.3e} at {n}/{d} (f64 ulp-limited); worst err / (bound + f64 error) = {:.3}",
        ratio.get()
    );
}

#[test]
fn exp_matches_reference() {
    let worst = Cell::new((0f64, 0i64));
    let ratio = Cell::new(0f64);
    let max_x = (44.36 * Q57) as i64;
    runner(5)
        .run(&(i64::MIN..max_x), |x| {
            let x = x.max(-(63i64 << 57));
            let got = exp_fixed(x).unwrap() as f64 / Q64;
            // Reference: x = xh + xl exactly (xh the f64 rounding of x), e^x = e^xh (1 + xl).
            let xh = x as f64;
            let xl = (x - xh as i64) as f64 / Q57;
            let xf = xh / Q57;
            let reference = xf.exp() * (1.0 + xl);
            // Documented: relative 2^-61.5 + |n| 2^-65, plus one Q64 ulp. f64: exp (1 ulp),
            // product (1 ulp), conversion of our value (1 ulp).
            let n = (xf / std::f64::consts::LN_2).floor().abs();
            let rel = 2f64.powf(-61.5) + n * 2f64.powi(-65) + 3.0 * 2f64.powi(-53);
            let err = (got - reference).abs();
            let tol = rel * reference + 2f64.powi(-64);
            let rel_err = err / reference.max(f64::MIN_POSITIVE);
            if reference > 2f64.powi(-20) && rel_err > worst.get().0 {
                worst.set((rel_err, x));
            }
            if reference > 2f64.powi(-40) {
                // (for tiny values the final floor, one Q64 ulp, is the whole tolerance)
                ratio.set(ratio.get().max(err / tol));
            }
            prop_assert!(
                err <= tol,
                "exp({}) = {} ref {} err {:e} tol {:e}",
                xf,
                got,
                reference,
                err,
                tol
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(exp_fixed(0), Ok(1u128 << 64));
    assert_eq!(exp_fixed(45 << 57), Err(MathError::ExpOverflow));
    assert_eq!(exp_fixed(i64::MIN), Ok(0));
    assert_eq!(exp_fixed(i64::MAX), Err(MathError::ExpOverflow));
    assert_eq!(exp_fixed(-(60 << 57)), Ok(0));
    let (e, x) = worst.get();
    println!(
        "exp vs f64: worst relative err (e^x > 2^-20) = {e:.3e} at x = {}; worst err / (bound + f64 error) = {:.3}",
        x as f64 / Q57,
        ratio.get()
    );
}

#[test]
fn ncdf_matches_reference() {
    let worst_abs = Cell::new((0f64, 0f64));
    let worst_rel = Cell::new((0f64, 0f64));
    let ratio = Cell::new(0f64);
    runner(6)
        .run(&(-(11i64 << 57)..(11i64 << 57)), |x| {
            let got = norm_cdf(x).unwrap() as f64 / Q63;
            // Reference at the exact x = xh + xl (xh the f64 rounding of x): first-order
            // correction phi(xh) xl (the second-order term is below 2^-100).
            let xh = x as f64;
            let xl = (x - xh as i64) as f64 / Q57;
            let xf = xh / Q57;
            let phi = (-0.5 * xf * xf).exp() / (2.0 * std::f64::consts::PI).sqrt();
            let reference = reference::norm_cdf(xf) + phi * xl;
            let err = (got - reference).abs();
            // Documented: absolute 2^-58.5; in the lower tail relative 2^-54 + one Q63 ulp.
            // f64 reference (fdlibm erfc, argument rounding corrected): up to ~5 ulps measured
            // against mpmath; allow 8.
            let ref_err = 8.0 * 2f64.powi(-53) * reference;
            prop_assert!(
                err <= 2f64.powf(-58.5) + ref_err,
                "N({}) = {} ref {} err {:e}",
                xf,
                got,
                reference,
                err
            );
            if xf <= 0.0 {
                let tol = 2f64.powi(-54) * reference + 2f64.powi(-63) + ref_err;
                prop_assert!(err <= tol, "tail N({}) = {:e} ref {:e}", xf, got, reference);
                if reference > 1e-15 && err / reference > worst_rel.get().0 {
                    worst_rel.set((err / reference, xf));
                }
            }
            if err > worst_abs.get().0 {
                worst_abs.set((err, xf));
            }
            ratio.set(ratio.get().max(err / (2f64.powf(-58.5) + ref_err)));
            Ok(())
        })
        .unwrap();
    assert_eq!(norm_cdf(0), Ok(1 << 62));
    assert_eq!(norm_cdf(i64::MAX), Ok(1 << 63));
    assert_eq!(norm_cdf(i64::MIN), Ok(0));
    println!(
        "ncdf vs f64: worst abs err = {:.3e} at x = {:.4} (f64 ulp-limited); worst lower-tail relative err (N > 1e-15, includes the Q63 floor) = {:.3e} at x = {:.4}; worst abs err / (2^-58.5 + f64 error) = {:.3}",
        worst_abs.get().0,
        worst_abs.get().1,
        worst_rel.get().0,
        worst_rel.get().1,
        ratio.get()
    );
}
