//! Reference and property tests of the SVI total variance, `black76_put` and `put_premium`.

use super::reference::{black76_put_closed, black76_put_ref, durrleman_g, svi_v};
use super::runner;
use crate::math::black76::price_error_bound;
use crate::math::*;
use proptest::prelude::*;
use std::cell::RefCell;

const PS: f64 = PRICE_SCALE as f64;
const PARAM: f64 = PARAM_SCALE as f64;
const YEAR: f64 = SECONDS_PER_YEAR as f64;

/// Error of the f64 reference itself (price units): quadrature ~1e-14 relative; `k` in f64
/// (ratio + ln, < 5e-16) moves the price by at most `S' |dk|` and, through the smile slope
/// (`|w'| <= 2`), by `0.4 S' |dk| / s`; total variance in f64 ~1e-15 relative.
fn ref_err(p: f64, strike: f64, spot: f64, s: f64) -> f64 {
    1e-13 * p + 2e-15 * (strike + spot) + 1e-15 * spot / s.max(1e-9)
}

/// Worst cases seen by an accuracy test.
#[derive(Default, Debug)]
struct Worst {
    abs_over_strike: f64,
    abs_case: String,
    rel: f64,
    rel_case: String,
    bound_ratio: f64,
    n: u64,
    n_rel: u64,
}

impl Worst {
    fn update(&mut self, got: f64, reference: f64, strike: f64, bound: f64, case: &str) {
        let err = (got - reference).abs();
        self.n += 1;
        if err / strike > self.abs_over_strike {
            self.abs_over_strike = err / strike;
            self.abs_case = case.to_string();
        }
        if reference >= 1e-6 * strike {
            self.n_rel += 1;
            if err / reference > self.rel {
                self.rel = err / reference;
                self.rel_case = case.to_string();
            }
        }
        self.bound_ratio = self.bound_ratio.max(err / bound);
    }
    fn print(&self, name: &str) {
        println!(
            "{name}: {} cases ({} with price >= 1e-6 K): worst |err|/K = {:.3e} [{}]; worst relative err = {:.3e} [{}]; worst |err| / (documented bound + reference error) = {:.3}",
            self.n, self.n_rel, self.abs_over_strike, self.abs_case, self.rel, self.rel_case, self.bound_ratio
        );
    }
}

/// Acceptance: `|err| <= 1e-9 K`, and `|err| <= 1e-6 P` wherever `P >= 1e-6 K`.
fn assert_accuracy(got: f64, reference: f64, strike: f64, case: &str) -> Result<(), TestCaseError> {
    let err = (got - reference).abs();
    prop_assert!(err <= 1e-9 * strike, "abs err {:e} > 1e-9 K: {}", err, case);
    if reference >= 1e-6 * strike {
        prop_assert!(
            err <= 1e-6 * reference,
            "rel err {:e}: {}",
            err / reference,
            case
        );
    }
    Ok(())
}

fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo.ln()..hi.ln()).prop_map(f64::exp)
}

/// (spot units, strike units, vol 1e9, tenor secs, rate 1e9) on the acceptance grid:
/// spot 10 .. 1e6, K/S 0.3 .. 2.0, vol 5 % .. 300 %, tenor 1 h .. 1 y, rate 0 (half) or +-10 %.
fn grid_case() -> impl Strategy<Value = (u64, u64, u64, u64, i64)> {
    (
        log_uniform(10.0, 1e6),
        0.3f64..2.0,
        0.05f64..3.0,
        log_uniform(3600.0, YEAR),
        prop_oneof![Just(0.0), -0.1f64..0.1],
    )
        .prop_map(|(s, m, v, t, r)| {
            let spot = (s * PS) as u64;
            let strike = (s * m * PS) as u64;
            (
                spot,
                strike,
                (v * PARAM) as u64,
                t as u64,
                (r * PARAM) as i64,
            )
        })
}

fn flat_ref(spot: u64, strike: u64, vol: u64, secs: u64, rate: i64) -> (f64, f64, f64) {
    let tau = secs as f64 / YEAR;
    let r = rate as f64 / PARAM;
    let sig = vol as f64 / PARAM;
    let k = (strike as f64 / spot as f64).ln() - r * tau;
    let w = sig * sig * tau;
    let df = (-r * tau).exp();
    (black76_put_ref(strike as f64, k, w, df), w, df)
}

fn flat_bound(spot: u64, strike: u64, vol: u64, secs: u64, rate: i64) -> f64 {
    let (_, w, df) = flat_ref(spot, strike, vol, secs, rate);
    price_error_bound(strike, spot, (w * 2f64.powi(56)) as u64, df)
}

#[test]
fn reference_integral_agrees_with_closed_form() {
    // Where the closed form does not cancel (near and in the money) the two references agree.
    for &(m, w) in &[
        (1.0, 0.04),
        (1.3, 0.01),
        (0.9, 0.25),
        (2.0, 1.0),
        (1.05, 1e-6),
        (0.7, 4.0),
    ] {
        let k = f64::ln(m);
        let a = black76_put_ref(1.0, k, w, 1.0);
        let b = black76_put_closed(1.0, k, w, 1.0);
        assert!((a - b).abs() <= 1e-14, "m={m} w={w}: {a} vs {b}");
    }
}

#[test]
fn black76_matches_reference() {
    let worst = RefCell::new(Worst::default());
    let worst_raw = RefCell::new(Worst::default());
    runner(10)
        .run(&grid_case(), |(spot, strike, vol, secs, rate)| {
            let got = black76_put(spot, strike, vol, secs, rate).unwrap() as f64;
            let (p, w, _) = flat_ref(spot, strike, vol, secs, rate);
            let case = format!("S={spot} K={strike} vol={vol} t={secs} r={rate}");
            assert_accuracy(got, p, strike as f64, &case)?;
            let bound = flat_bound(spot, strike, vol, secs, rate)
                + ref_err(p, strike as f64, spot as f64, w.sqrt());
            prop_assert!(
                (got - p).abs() <= bound,
                "err {} > bound {}: {}",
                (got - p).abs(),
                bound,
                case
            );
            worst
                .borrow_mut()
                .update(got, p, strike as f64, bound, &case);
            // Engine error before the output floor (price * 2^62), for the record.
            let raw = crate::math::black76::black76_put_q62(spot, strike, vol, secs, rate).unwrap();
            let raw = (raw >> 30) as f64 / 2f64.powi(32);
            worst_raw
                .borrow_mut()
                .update(raw, p, strike as f64, bound, &case);
            Ok(())
        })
        .unwrap();
    worst.borrow().print("black76_put vs f64 reference");
    worst_raw
        .borrow()
        .print("black76_put before the output floor vs f64 reference");
}

/// Admissible SVI slice for tenor `secs` with the implied volatility at log-moneyness `k` in
/// `[5 %, 300 %]`: `(a, b, rho, m, sigma)` as f64 in natural units.
fn svi_slice() -> impl Strategy<Value = (f64, f64, f64, f64, f64, f64)> {
    (
        0.0f64..1.0,    // target ATM-ish level
        0.0f64..1.0,    // b as a fraction of the Lee maximum
        -0.95f64..0.95, // rho
        -0.5f64..0.5,   // m
        0.01f64..1.5,   // sigma
        0.0f64..1.0,    // fraction of the minimum kept positive
    )
}

fn make_params(raw: (f64, f64, f64, f64, f64, f64), secs: u64) -> SviParams {
    let (lvl, bf, rho, m, sigma, keep) = raw;
    let tau = secs as f64 / YEAR;
    // Lee: b (1 + |rho|) tau <= 2; also b <= 50 so short tenors keep sane smiles.
    let b = bf * (2.0 / ((1.0 + rho.abs()) * tau)).min(50.0);
    // a: minimum variance a + b sigma sqrt(1 - rho^2) = keep * level^2 * 9 (up to 300 % vol).
    let vmin = 0.0025 + keep * lvl * lvl * 8.0;
    let a = vmin - b * sigma * (1.0 - rho * rho).sqrt();
    SviParams {
        a: (a.clamp(-15.9, 15.9) * PARAM) as i64,
        b: (b * PARAM) as i64,
        rho: (rho * PARAM) as i64,
        m: (m * PARAM) as i64,
        sigma: (sigma * PARAM) as i64,
    }
}

fn params_f64(p: &SviParams) -> (f64, f64, f64, f64, f64) {
    (
        p.a as f64 / PARAM,
        p.b as f64 / PARAM,
        p.rho as f64 / PARAM,
        p.m as f64 / PARAM,
        p.sigma as f64 / PARAM,
    )
}

#[test]
fn svi_total_variance_matches_reference() {
    let worst = std::cell::Cell::new(0f64);
    runner(11)
        .run(
            &(svi_slice(), log_uniform(60.0, 2.0 * YEAR), -8.0f64..8.0),
            |(raw, secs, kf)| {
                let secs = secs as u64;
                let p = make_params(raw, secs);
                prop_assume!(p.validate(secs).is_ok());
                let k = (kf * super::Q57) as i64;
                let got = p.total_variance(k, secs).unwrap() as f64 / 2f64.powi(56);
                let pf = params_f64(&p);
                let (v, _, _) = svi_v(pf.0, pf.1, pf.2, pf.3, pf.4, k as f64 / super::Q57);
                let reference = (v * secs as f64 / YEAR).max(0.0);
                // Documented 2^-52.5; f64 reference ~4 ulps of the largest term (|a|, b*(...)).
                let scale =
                    (pf.0.abs() + pf.1 * ((kf - pf.3).abs() * 2.0 + pf.4)) * secs as f64 / YEAR;
                let tol = 2f64.powf(-52.5) + 8.0 * f64::EPSILON * scale.max(reference);
                let err = (got - reference).abs();
                worst.set(worst.get().max(err / tol));
                prop_assert!(err <= tol, "w got {} ref {} err {:e}", got, reference, err);
                Ok(())
            },
        )
        .unwrap();
    println!(
        "svi total variance vs f64: worst |err| / (2^-52.5 + reference error) = {:.3}",
        worst.get()
    );
}

/// Premium reference in price units: `min(I + max(L/1e4 * (P - I), min), K DF)` with
/// `I = (K DF - S')+`, and `P_ref(S')`.
fn premium_ref(inp: &PremiumInputs, spot_used: u64) -> (f64, f64, f64) {
    let tau = inp.tenor_secs as f64 / YEAR;
    let r = inp.rate as f64 / PARAM;
    let k = (inp.strike as f64 / spot_used as f64).ln() - r * tau;
    let pf = params_f64(&inp.svi);
    let (v, _, _) = svi_v(pf.0, pf.1, pf.2, pf.3, pf.4, k);
    let w = (v * tau).max(0.0);
    let df = (-r * tau).exp();
    let p = black76_put_ref(inp.strike as f64, k, w, df);
    let strike_df = inp.strike as f64 * df;
    let intrinsic = (strike_df - spot_used as f64).max(0.0);
    let time = (p - intrinsic).max(0.0);
    let floor = (inp.min_premium as f64).min((inp.strike / 100) as f64);
    let prem = (intrinsic + (time * inp.tail_loading_bps as f64 / 1e4).max(floor)).min(strike_df);
    (prem, p, w)
}

fn premium_case() -> impl Strategy<Value = PremiumInputs> {
    (
        grid_case(),
        svi_slice(),
        0.0f64..0.02,                                     // confidence / spot
        prop_oneof![Just(0u64), 0u64..=50_000],           // conf multiplier bps
        prop_oneof![Just(10_000u64), 10_000u64..=30_000], // tail loading
        prop_oneof![3 => Just(0.0), 1 => 0.0f64..0.01],   // min premium / strike
    )
        .prop_map(
            |((spot, strike, _, secs, rate), raw, cf, mult, load, minf)| PremiumInputs {
                spot,
                strike,
                confidence: (spot as f64 * cf) as u64,
                tenor_secs: secs,
                svi: make_params(raw, secs),
                rate,
                conf_multiplier_bps: mult,
                tail_loading_bps: load,
                min_premium: (strike as f64 * minf) as u64,
                release_interval_secs: 0,
            },
        )
}

#[test]
fn premium_matches_reference() {
    let worst = RefCell::new(Worst::default());
    let worst_black = RefCell::new(Worst::default());
    runner(12)
        .run(&premium_case(), |inp| {
            prop_assume!(inp.svi.validate(inp.tenor_secs).is_ok());
            let q = put_premium(&inp).unwrap();
            let s1 = shifted_spot(inp.spot, inp.confidence, inp.conf_multiplier_bps).unwrap();
            prop_assert_eq!(q.shifted_spot, s1);
            let (prem, p, w) = premium_ref(&inp, s1);
            // Acceptance grid: implied vol at the strike within 5 % .. 300 %.
            let vol = (w / (inp.tenor_secs as f64 / YEAR)).sqrt();
            prop_assume!((0.05..=3.0).contains(&vol));
            let case = format!("{inp:?}");
            let strike = inp.strike as f64;
            assert_accuracy(q.premium as f64, prem, strike, &case)?;
            assert_accuracy(q.fair_price as f64, p, strike, &case)?;
            let df = (-(inp.rate as f64 / PARAM) * inp.tenor_secs as f64 / YEAR).exp();
            let e = price_error_bound(inp.strike, s1, (w * 2f64.powi(56)) as u64, df);
            let bound = e + ref_err(p, strike, s1 as f64, w.sqrt());
            let load = inp.tail_loading_bps as f64 / 1e4;
            prop_assert!(
                (q.fair_price as f64 - p).abs() <= bound,
                "black err > {}: {}",
                bound,
                case
            );
            prop_assert!(
                (q.premium as f64 - prem).abs() <= bound * load + 1.0,
                "premium err: {}",
                case
            );
            worst
                .borrow_mut()
                .update(q.premium as f64, prem, strike, bound * load + 1.0, &case);
            worst_black
                .borrow_mut()
                .update(q.fair_price as f64, p, strike, bound, &case);
            // Structural checks: never below the fair price nor above the discounted strike;
            // the floor and the loading act on the time value only.
            // (The engine's discount factor is within 2^-61 of the exact one, and f64 itself
            // resolves a large strike to 2^-52 of it: one unit plus that much of slack.)
            let strike_df = (inp.strike as f64 * df).floor();
            let slack = 1.0 + strike_df * 2f64.powi(-50);
            let capped = (q.premium as f64 - strike_df).abs() <= slack;
            prop_assert!(q.premium + 1 >= q.fair_price || capped);
            prop_assert!(q.premium as f64 <= strike_df + slack);
            prop_assert!(q.premium >= q.intrinsic);
            let floor = inp.min_premium.min(inp.strike / 100);
            prop_assert!(q.premium >= q.intrinsic + floor || capped);
            prop_assert!(q.fair_price + 1 >= q.intrinsic);
            let mut no_min = inp;
            no_min.min_premium = 0;
            let unfloored = put_premium(&no_min).unwrap();
            prop_assert_eq!(
                q.min_premium_applied,
                unfloored.premium - unfloored.intrinsic < floor
            );
            Ok(())
        })
        .unwrap();
    worst
        .borrow()
        .print("put_premium (premium) vs f64 reference");
    worst_black
        .borrow()
        .print("put_premium (fair_price) vs f64 reference");
}

// ---------------------------------------------------------------------------------------------
// Properties of black76_put (flat volatility). Tolerances are the documented error bound `E`
// (+1 unit for the floor) of each price involved, summed: never a fudge.

#[test]
fn black76_monotone_in_strike_and_convex() {
    runner(20)
        .run(
            &(grid_case(), 0.0001f64..0.2),
            |((spot, strike, vol, secs, rate), hf)| {
                let h = ((strike as f64 * hf) as u64).max(1);
                prop_assume!(strike > h);
                let (k0, k1, k2) = (strike - h, strike, strike + h);
                let p = |k| black76_put(spot, k, vol, secs, rate).unwrap() as f64;
                let e = |k| flat_bound(spot, k, vol, secs, rate);
                let (p0, p1, p2) = (p(k0), p(k1), p(k2));
                prop_assert!(p1 >= p0 - (e(k0) + e(k1)), "strike monotone {} {}", p0, p1);
                prop_assert!(p2 >= p1 - (e(k1) + e(k2)));
                let fly = p0 - 2.0 * p1 + p2;
                prop_assert!(fly >= -(e(k0) + 2.0 * e(k1) + e(k2)), "butterfly {}", fly);
                // Slope bounded by the discount factor (call-spread bound).
                let df = (-(rate as f64 / PARAM) * secs as f64 / YEAR).exp();
                prop_assert!(p2 - p1 <= df * h as f64 + e(k1) + e(k2) + 1.0);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn black76_monotone_in_vol_tenor_spot_and_bounded() {
    runner(21)
        .run(
            &(grid_case(), 0.0f64..0.5, 0.0f64..0.5, 0.0f64..0.3),
            |((spot, strike, vol, secs, rate), dv, dt, ds)| {
                let p = |s, v, t, r| black76_put(s, strike, v, t, r).unwrap() as f64;
                let e = |s, v, t, r| flat_bound(s, strike, v, t, r);
                let base = p(spot, vol, secs, rate);
                let eb = e(spot, vol, secs, rate);
                // vol
                let v2 = vol + (vol as f64 * dv) as u64;
                prop_assert!(p(spot, v2, secs, rate) >= base - eb - e(spot, v2, secs, rate));
                // tenor (non-decreasing for r <= 0)
                let t2 = (secs + (secs as f64 * dt) as u64).min(MAX_TENOR_SECS);
                let r0 = -rate.abs();
                prop_assert!(
                    p(spot, vol, t2, r0)
                        >= p(spot, vol, secs, r0) - e(spot, vol, t2, r0) - e(spot, vol, secs, r0)
                );
                // spot (non-increasing)
                let s2 = spot + (spot as f64 * ds) as u64;
                prop_assert!(p(s2, vol, secs, rate) <= base + eb + e(s2, vol, secs, rate));
                // no-arbitrage bounds max(K DF - S, 0) <= P <= K DF
                let df = (-(rate as f64 / PARAM) * secs as f64 / YEAR).exp();
                let kdf = strike as f64 * df;
                let slack = eb + kdf * 4.0 * f64::EPSILON;
                prop_assert!(base <= kdf + slack, "P {} > K DF {}", base, kdf);
                prop_assert!(
                    base >= (kdf - spot as f64).max(0.0) - slack,
                    "P {} < intrinsic",
                    base
                );
                Ok(())
            },
        )
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Properties of SVI-priced puts on butterfly-free slices (Durrleman g >= 0, checked in f64 on a
// dense grid of k in [-12, 12]; the Lee bound makes g -> 1/4 - slope^2/16 >= 0 beyond).

fn durrleman_ok(p: &SviParams, secs: u64) -> bool {
    let pf = params_f64(p);
    let tau = secs as f64 / YEAR;
    (0..=4800).all(|i| durrleman_g(pf, tau, -12.0 + i as f64 * 0.005) >= 1e-9)
}

fn svi_price(inp: &PremiumInputs, strike: u64, spot: u64, secs: u64) -> (f64, f64) {
    let mut i = *inp;
    i.strike = strike;
    i.spot = spot;
    i.tenor_secs = secs;
    let q = put_premium(&i).unwrap();
    let w = q.total_variance as f64 / PARAM;
    let df = (-(i.rate as f64 / PARAM) * secs as f64 / YEAR).exp();
    (
        q.fair_price as f64,
        price_error_bound(strike, spot, (w * 2f64.powi(56)) as u64, df),
    )
}

fn svi_prop_case() -> impl Strategy<Value = (PremiumInputs, f64, f64)> {
    (premium_case(), 0.0001f64..0.1, 0.0f64..0.5).prop_map(|(mut inp, h, d)| {
        inp.confidence = 0;
        inp.tail_loading_bps = 10_000;
        inp.min_premium = 0;
        (inp, h, d)
    })
}

#[test]
fn svi_prices_are_butterfly_consistent_and_monotone() {
    runner(22)
        .run(&svi_prop_case(), |(inp, hf, d)| {
            prop_assume!(inp.svi.validate(inp.tenor_secs).is_ok());
            prop_assume!(durrleman_ok(&inp.svi, inp.tenor_secs));
            let h = ((inp.strike as f64 * hf) as u64).max(1);
            prop_assume!(inp.strike > h);
            let (s, t) = (inp.spot, inp.tenor_secs);
            let (p0, e0) = svi_price(&inp, inp.strike - h, s, t);
            let (p1, e1) = svi_price(&inp, inp.strike, s, t);
            let (p2, e2) = svi_price(&inp, inp.strike + h, s, t);
            let fly = p0 - 2.0 * p1 + p2;
            prop_assert!(
                fly >= -(e0 + 2.0 * e1 + e2),
                "butterfly {} tol {}",
                fly,
                e0 + 2.0 * e1 + e2
            );
            prop_assert!(p1 >= p0 - e0 - e1, "strike monotone");
            prop_assert!(p2 >= p1 - e1 - e2, "strike monotone");
            // Spot: non-increasing.
            let s2 = s + (s as f64 * d * 0.5) as u64;
            let (ps, es) = svi_price(&inp, inp.strike, s2, t);
            prop_assert!(ps <= p1 + e1 + es, "spot monotone {} > {}", ps, p1);
            Ok(())
        })
        .unwrap();
}

#[test]
fn svi_series_price_non_decreasing_in_tenor() {
    // A slice validated at series creation (longest tenor) prices every later write; with the
    // default zero rate the price never increases as expiry approaches.
    runner(23)
        .run(
            &(svi_prop_case(), 0.0f64..1.0),
            |((mut inp, _, _), frac)| {
                inp.rate = 0;
                let t_max = inp.tenor_secs;
                prop_assume!(inp.svi.validate(t_max).is_ok());
                let t_early = ((t_max as f64 * frac) as u64).max(1);
                // Validation at the creation tenor implies validity at every shorter one.
                prop_assert!(inp.svi.validate(t_early).is_ok());
                let (pl, el) = svi_price(&inp, inp.strike, inp.spot, t_max);
                let (ps, es) = svi_price(&inp, inp.strike, inp.spot, t_early);
                prop_assert!(pl >= ps - el - es, "tenor monotone {} < {}", pl, ps);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn premium_monotone_in_confidence_and_loading() {
    runner(24)
        .run(
            &(premium_case(), 0u64..20_000, 0u64..50_000),
            |(inp, dm, dl)| {
                prop_assume!(inp.svi.validate(inp.tenor_secs).is_ok());
                prop_assume!(durrleman_ok(&inp.svi, inp.tenor_secs));
                let q = put_premium(&inp).unwrap();
                // Loading: exact monotonicity by construction.
                let mut more = inp;
                more.tail_loading_bps = (inp.tail_loading_bps + dl).min(MAX_TAIL_LOADING_BPS);
                prop_assert!(put_premium(&more).unwrap().premium >= q.premium);
                // Confidence haircut: lower spot, higher fair price (up to the error bounds).
                // The loaded premium need not rise with it: the loading acts on the time
                // value only, which shrinks deep in the money.
                let mut wider = inp;
                wider.conf_multiplier_bps =
                    (inp.conf_multiplier_bps + dm).min(MAX_CONF_MULTIPLIER_BPS);
                if let Ok(q2) = put_premium(&wider) {
                    let e1 = svi_price(&inp, inp.strike, q.shifted_spot, inp.tenor_secs).1;
                    let e2 = svi_price(&inp, inp.strike, q2.shifted_spot, inp.tenor_secs).1;
                    prop_assert!(q2.shifted_spot <= q.shifted_spot);
                    prop_assert!(q2.fair_price as f64 >= q.fair_price as f64 - (e1 + e2) - 1.0);
                    prop_assert!(q2.intrinsic >= q.intrinsic);
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn validation_errors() {
    let svi = SviParams {
        a: 40_000_000,
        b: 100_000_000,
        rho: -300_000_000,
        m: 0,
        sigma: 200_000_000,
    };
    let ok = PremiumInputs {
        spot: 100 * PRICE_SCALE,
        strike: 80 * PRICE_SCALE,
        confidence: PRICE_SCALE / 10,
        tenor_secs: 30 * 86_400,
        svi,
        rate: 0,
        conf_multiplier_bps: 20_000,
        tail_loading_bps: 15_000,
        min_premium: 0,
        release_interval_secs: 0,
    };
    assert!(put_premium(&ok).is_ok());
    let err = |f: &dyn Fn(&mut PremiumInputs)| {
        let mut i = ok;
        f(&mut i);
        put_premium(&i).unwrap_err()
    };
    assert_eq!(err(&|i| i.spot = 0), MathError::ZeroSpot);
    assert_eq!(err(&|i| i.strike = 0), MathError::ZeroStrike);
    assert_eq!(err(&|i| i.tenor_secs = 0), MathError::ZeroTenor);
    assert_eq!(
        err(&|i| i.tenor_secs = MAX_TENOR_SECS + 1),
        MathError::TenorTooLong
    );
    assert_eq!(err(&|i| i.rate = MAX_RATE + 1), MathError::RateOutOfRange);
    assert_eq!(err(&|i| i.rate = -MAX_RATE - 1), MathError::RateOutOfRange);
    assert_eq!(
        err(&|i| i.conf_multiplier_bps = MAX_CONF_MULTIPLIER_BPS + 1),
        MathError::ConfMultiplierTooLarge
    );
    assert_eq!(
        err(&|i| i.tail_loading_bps = 9_999),
        MathError::TailLoadingBelowOne
    );
    assert_eq!(
        err(&|i| i.tail_loading_bps = MAX_TAIL_LOADING_BPS + 1),
        MathError::TailLoadingTooLarge
    );
    assert_eq!(err(&|i| i.svi.b = -1), MathError::SviNegativeB);
    assert_eq!(
        err(&|i| i.svi.b = svi::SVI_MAX_B + 1),
        MathError::SviBTooLarge
    );
    assert_eq!(
        err(&|i| i.svi.rho = PARAM_SCALE),
        MathError::SviRhoOutOfRange
    );
    assert_eq!(
        err(&|i| i.svi.rho = -PARAM_SCALE),
        MathError::SviRhoOutOfRange
    );
    assert_eq!(err(&|i| i.svi.sigma = 0), MathError::SviSigmaNonPositive);
    assert_eq!(
        err(&|i| i.svi.sigma = svi::SVI_MAX_SIGMA + 1),
        MathError::SviSigmaTooLarge
    );
    assert_eq!(
        err(&|i| i.svi.a = svi::SVI_MAX_ABS_A + 1),
        MathError::SviAOutOfRange
    );
    assert_eq!(
        err(&|i| i.svi.m = -svi::SVI_MAX_ABS_M - 1),
        MathError::SviMOutOfRange
    );
    assert_eq!(
        err(&|i| i.svi.a = -100_000_000),
        MathError::SviNegativeVariance
    );
    assert_eq!(
        err(&|i| i.svi.b = 50 * PARAM_SCALE),
        MathError::SviLeeBoundViolated
    );
    assert_eq!(
        err(&|i| i.confidence = 50 * PRICE_SCALE),
        MathError::ShiftedSpotNonPositive
    );
    assert_eq!(
        err(&|i| i.confidence = u64::MAX),
        MathError::ShiftedSpotNonPositive
    );
    // Boundary of the minimum variance: a = -b sigma sqrt(1 - rho^2) exactly (rho = 0).
    let mut edge = ok;
    edge.svi = SviParams {
        a: -20_000_000,
        b: 100_000_000,
        rho: 0,
        m: 0,
        sigma: 200_000_000,
    };
    edge.strike = edge.spot;
    let q = put_premium(&edge).unwrap();
    // Slightly in the money (spot shifted by 0.2): at least the intrinsic value.
    assert!(q.fair_price >= edge.spot - q.shifted_spot);
    // Lee bound: exactly 2 passes, one more unit fails.
    let mut lee = ok;
    lee.svi.rho = 0;
    lee.tenor_secs = SECONDS_PER_YEAR;
    lee.svi.b = 2 * PARAM_SCALE;
    lee.svi.a = 40_000_000;
    assert!(lee.svi.validate(lee.tenor_secs).is_ok());
    lee.svi.b += 1;
    assert_eq!(
        lee.svi.validate(lee.tenor_secs),
        Err(MathError::SviLeeBoundViolated)
    );
    // Premium overflow: huge strike, negative rate, large loading.
    let mut big = ok;
    big.strike = u64::MAX;
    big.spot = 1;
    big.confidence = 0;
    big.rate = -MAX_RATE;
    big.tenor_secs = MAX_TENOR_SECS;
    big.svi.b = 0;
    assert_eq!(put_premium(&big), Err(MathError::Overflow));
    assert_eq!(
        black76_put(1, u64::MAX, 0, MAX_TENOR_SECS, -MAX_RATE),
        Err(MathError::Overflow)
    );
    assert_eq!(
        black76_put(1, 1, MAX_VOL + 1, 1, 0),
        Err(MathError::VolatilityTooLarge)
    );
    assert_eq!(
        svi.total_variance(svi::SVI_MAX_ABS_K + 1, 100),
        Err(MathError::LogMoneynessOutOfRange)
    );
}

#[test]
fn sanity_values() {
    // ATM, 20 % vol, 1 year, zero rate: P/K = 2 N(0.1) - 1 = 0.0796556745...
    let k = 100 * PRICE_SCALE;
    let p = black76_put(k, k, 200_000_000, SECONDS_PER_YEAR, 0).unwrap();
    assert!(
        (p as f64 / k as f64 - 0.079_655_674_554_057_6).abs() < 1e-12,
        "{p}"
    );
    // Zero volatility: discounted intrinsic value.
    let p = black76_put(80 * PRICE_SCALE, k, 0, SECONDS_PER_YEAR, 0).unwrap();
    assert_eq!(p, 20 * PRICE_SCALE);
    let p = black76_put(120 * PRICE_SCALE, k, 0, SECONDS_PER_YEAR, 0).unwrap();
    assert_eq!(p, 0);
}

#[test]
fn hot_path_operation_count() {
    use crate::math::wide::opcount;
    // Typical writes: OTM/ATM/ITM, zero and non-zero rate.
    let svi = SviParams {
        a: 40_000_000,
        b: 300_000_000,
        rho: -400_000_000,
        m: 50_000_000,
        sigma: 300_000_000,
    };
    let mut worst = (0, 0, 0);
    for (strike, rate) in [
        (60u64, 0i64),
        (95, 0),
        (100, 30_000_000),
        (130, -20_000_000),
        (40, 0),
    ] {
        let inp = PremiumInputs {
            spot: 100 * PRICE_SCALE,
            strike: strike * PRICE_SCALE,
            confidence: PRICE_SCALE / 20,
            tenor_secs: 30 * 86_400,
            svi,
            rate,
            conf_multiplier_bps: 20_000,
            tail_loading_bps: 15_000,
            min_premium: 1_000,
            release_interval_secs: 0,
        };
        opcount::reset();
        put_premium(&inp).unwrap();
        let (m, d, n) = opcount::read();
        println!(
            "put_premium K={strike} r={rate}: mul_wide {m}, div_wide(128/64) {d}, native div {n}"
        );
        worst = (worst.0.max(m), worst.1.max(d), worst.2.max(n));
    }
    assert!(
        worst.0 <= 100 && worst.1 <= 12 && worst.2 <= 40,
        "{worst:?}"
    );
}

/// The American bound (physical delivery series): the European quote at `rate <= 0`; above it,
/// the European quote plus `K (1 - e^{-rT})` (rounded up by at most one unit), never more than
/// the strike and never below the European quote.
#[test]
fn american_bound_is_the_european_quote_plus_the_early_exercise_bound() {
    runner(31)
        .run(&premium_case(), |inp| {
            prop_assume!(inp.svi.validate(inp.tenor_secs).is_ok());
            let european = put_premium(&inp).unwrap();
            let american = american_put_premium(&PremiumInputs {
                release_interval_secs: 3_600,
                ..inp
            })
            .unwrap();
            if inp.rate <= 0 {
                prop_assert_eq!(american, european);
                return Ok(());
            }
            let years = inp.tenor_secs as f64 / YEAR;
            let bound = inp.strike as f64 * (1.0 - (-(inp.rate as f64 / PARAM) * years).exp());
            let added = (american.premium - european.premium) as f64;
            prop_assert!(american.premium >= european.premium);
            prop_assert!(american.premium <= inp.strike);
            if american.premium < inp.strike {
                // Discount factor error of the engine (< 2^-50 relative) plus the round-up.
                let tol = 1.0 + inp.strike as f64 * 1e-12;
                prop_assert!(
                    (added - bound).abs() <= tol,
                    "added {added}, bound {bound}, {inp:?}"
                );
            }
            prop_assert_eq!(american.intrinsic, european.intrinsic);
            Ok(())
        })
        .unwrap();
}
