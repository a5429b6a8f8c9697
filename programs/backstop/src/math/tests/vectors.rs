//! Shared Rust/TypeScript test vectors: `tests/vectors/pricing.json`.
//!
//! The file is generated FROM this implementation: `BACKSTOP_WRITE_VECTORS=<path> cargo test
//! vectors` writes it; without the variable the test regenerates it in memory and asserts it is
//! byte-identical to the committed file, so any drift of the Rust engine (or of the generator)
//! fails here, and any drift of the TypeScript mirror fails `app/sdk/test/pricing.test.ts`.
//! Inputs come from a fixed-seed splitmix64 and integer-only sampling (no floats, so the file
//! does not depend on the platform's libm).

use crate::math::*;
use std::fmt::Write as _;

/// splitmix64 (Steele, Lea, Flood 2014); also generates the lookback vectors.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, n)` (n > 0), by 128-bit multiply (no modulo bias worth mentioning).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in `[lo, hi]`.
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        match (hi - lo).checked_add(1) {
            Some(n) => lo + self.below(n),
            None => self.next(),
        }
    }
    pub(super) fn irange(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (i128::from(hi) - i128::from(lo)) as u64; // hi >= lo, span < 2^64
        (i128::from(lo) + i128::from(self.range(0, span))) as i64
    }
    /// Roughly log-uniform in `[lo, hi]` (lo >= 1).
    pub(super) fn log_uniform(&mut self, lo: u64, hi: u64) -> u64 {
        let (el, eh) = (63 - lo.leading_zeros(), 63 - hi.leading_zeros());
        let e = self.range(u64::from(el), u64::from(eh)) as u32;
        let v = (1u64 << e) | (self.next() & ((1u64 << e) - 1));
        v.clamp(lo, hi)
    }
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn res<T>(r: Result<T, MathError>, ok: impl Fn(T) -> String) -> String {
    match r {
        Ok(v) => ok(v),
        Err(e) => format!("\"err\":\"{e:?}\""),
    }
}

fn svi_json(p: &SviParams) -> String {
    format!(
        "{{\"a\":\"{}\",\"b\":\"{}\",\"rho\":\"{}\",\"m\":\"{}\",\"sigma\":\"{}\"}}",
        p.a, p.b, p.rho, p.m, p.sigma
    )
}

const ONE: i64 = PARAM_SCALE;

/// Tenor: mostly 1 s .. 2 y log-uniform, sometimes invalid.
fn tenor(rng: &mut Rng) -> u64 {
    match rng.below(100) {
        0 => 0,
        1 => MAX_TENOR_SECS + rng.range(1, 1_000),
        2 => MAX_TENOR_SECS,
        _ => rng.log_uniform(1, MAX_TENOR_SECS),
    }
}

/// SVI slice: mostly admissible for `secs` (Lee-scaled `b`), sometimes out of bounds.
fn svi(rng: &mut Rng, secs: u64) -> SviParams {
    let rho = rng.irange(-950_000_000, 950_000_000);
    let sigma = rng.irange(10_000_000, 1_500_000_000);
    let m = rng.irange(-500_000_000, 500_000_000);
    // Lee maximum of b at this tenor: 2e18 * year / ((1e9 + |rho|) secs), capped at 50.
    let secs_nz = secs.clamp(1, MAX_TENOR_SECS);
    let b_max = (2 * (ONE as u128).pow(2) * u128::from(SECONDS_PER_YEAR)
        / ((ONE as u128 + u128::from(rho.unsigned_abs())) * u128::from(secs_nz)))
    .min(50 * ONE as u128) as i64;
    let b = (b_max as i128 * rng.range(0, 1000) as i128 / 1000) as i64;
    let vmin = rng.irange(2_500_000, 9 * ONE);
    let sq = isqrt_u128((ONE as u128).pow(2) - u128::from(rho.unsigned_abs()).pow(2)) as i128;
    let a = (vmin as i128 - b as i128 * sigma as i128 * sq / (ONE as i128).pow(2)) as i64;
    let mut p = SviParams {
        a: a.clamp(-svi::SVI_MAX_ABS_A, svi::SVI_MAX_ABS_A),
        b,
        rho,
        m,
        sigma,
    };
    match rng.below(40) {
        0 => p.b = -rng.irange(1, ONE),
        1 => p.b = svi::SVI_MAX_B + rng.irange(1, ONE),
        2 => {
            p.rho = if rng.chance(50) {
                ONE
            } else {
                -ONE - rng.irange(0, 5)
            }
        }
        3 => p.sigma = -rng.irange(0, 3),
        4 => p.sigma = svi::SVI_MAX_SIGMA + 1,
        5 => p.a = -svi::SVI_MAX_ABS_A - 1,
        6 => p.m = svi::SVI_MAX_ABS_M + rng.irange(1, 9),
        7 => p.a = -(vmin + p.b), // likely negative minimum variance
        8 => p.b = b_max + rng.irange(1, ONE), // Lee
        9 => p.b = b_max,         // Lee boundary
        _ => {}
    }
    p
}

fn premium_inputs(rng: &mut Rng) -> PremiumInputs {
    let spot = if rng.chance(5) {
        rng.log_uniform(1, u64::MAX)
    } else {
        rng.log_uniform(PRICE_SCALE, 1_000_000 * PRICE_SCALE)
    };
    let strike = if rng.chance(10) {
        rng.log_uniform(1, u64::MAX)
    } else {
        ((u128::from(spot) * u128::from(rng.range(300, 2_000)) / 1_000) as u64).max(1)
    };
    let confidence = match rng.below(10) {
        0 => 0,
        1 => rng.next() >> rng.range(0, 63),
        _ => (u128::from(spot) * u128::from(rng.range(0, 20_000)) / 1_000_000) as u64,
    };
    let tenor_secs = tenor(rng);
    let svi = svi(rng, tenor_secs);
    let rate = match rng.below(20) {
        0 => MAX_RATE + rng.irange(1, 100),
        1 => -MAX_RATE,
        2 => MAX_RATE,
        3..=10 => rng.irange(-MAX_RATE, MAX_RATE),
        _ => 0,
    };
    let conf_multiplier_bps = match rng.below(20) {
        0 => MAX_CONF_MULTIPLIER_BPS + rng.range(1, 10),
        1..=5 => 0,
        _ => rng.range(0, 50_000),
    };
    let tail_loading_bps = match rng.below(25) {
        0 => rng.range(0, 9_999),
        1 => MAX_TAIL_LOADING_BPS + rng.range(1, 100),
        2 => MAX_TAIL_LOADING_BPS,
        3..=10 => 10_000,
        _ => rng.range(10_000, 30_000),
    };
    let min_premium = if rng.chance(70) {
        0
    } else {
        (u128::from(strike) * u128::from(rng.range(0, 1_000)) / 100_000) as u64
    };
    // European (no early release) or the lookback on a release grid of 1 minute to 1 day.
    let release_interval_secs = match rng.below(10) {
        0..=3 => 0,
        4 => 3_600,
        _ => rng.range(60, 86_400),
    };
    // The lookback prices r >= 0 only: keep a few negative rates as error vectors.
    let rate = if release_interval_secs > 0 && rate < 0 && !rng.chance(10) {
        -rate
    } else {
        rate
    };
    let mut inp = PremiumInputs {
        spot,
        strike,
        confidence,
        tenor_secs,
        svi,
        rate,
        conf_multiplier_bps,
        tail_loading_bps,
        min_premium,
        release_interval_secs,
    };
    match rng.below(60) {
        0 => inp.spot = 0,
        1 => inp.strike = 0,
        2 => inp.confidence = spot, // haircut >= spot for any multiplier >= 1x
        _ => {}
    }
    inp
}

/// Builds the whole JSON document.
pub(crate) fn generate() -> String {
    let mut rng = Rng(0x0BAC_C570_9E5E_ED01);
    let mut out = String::new();
    out.push_str("{\n  \"format\": 1,\n");
    out.push_str("  \"generator\": \"programs/backstop/src/math/tests/vectors.rs (BACKSTOP_WRITE_VECTORS=<path> cargo test vectors)\",\n");
    out.push_str(
        "  \"note\": \"integers are decimal strings; err is the MathError variant name\",\n",
    );

    let mut section = |name: &str, lines: Vec<String>, last: bool| {
        let _ = writeln!(out, "  \"{name}\": [");
        let n = lines.len();
        for (i, l) in lines.into_iter().enumerate() {
            let _ = writeln!(out, "    {{{l}}}{}", if i + 1 < n { "," } else { "" });
        }
        let _ = writeln!(out, "  ]{}", if last { "" } else { "," });
    };

    // ln_ratio: every mantissa bucket, extremes, and zero arguments.
    let mut v = Vec::new();
    for i in 0..400u64 {
        let (num, den) = match i {
            0 => (0, 5),
            1 => (5, 0),
            2 => (1, u64::MAX),
            3 => (u64::MAX, 1),
            4 => (u64::MAX, u64::MAX),
            _ if i < 132 => ((128 + (i - 4)) << 56 | (rng.next() >> 8), 1 << 63),
            _ => (rng.log_uniform(1, u64::MAX), rng.log_uniform(1, u64::MAX)),
        };
        v.push(format!(
            "\"num\":\"{num}\",\"den\":\"{den}\",{}",
            res(ln_ratio(num, den), |o| format!("\"out\":\"{o}\""))
        ));
    }
    section("ln_ratio", v, false);

    let mut v = Vec::new();
    for i in 0..200u64 {
        let x: u128 = match i {
            0 => 0,
            1 => 1,
            2 => u128::MAX,
            3 => 1 << 64,
            _ => (u128::from(rng.next()) << 64 | u128::from(rng.next())) >> rng.range(0, 127),
        };
        v.push(format!(
            "\"x\":\"{x}\",{}",
            res(ln_q64(x), |o| format!("\"out\":\"{o}\""))
        ));
    }
    section("ln_q64", v, false);

    let mut v = Vec::new();
    for i in 0..400u64 {
        let x: i64 = match i {
            0 => 0,
            1 => i64::MIN,
            2 => i64::MAX,
            3 => (44 << 57) + (1 << 56),
            4 => 45 << 57,
            _ if i < 94 => ((i - 5) as i64) << 50 | (rng.next() >> 14) as i64, // every table entry
            _ => rng.irange(-(70 << 57), 45 << 57),
        };
        v.push(format!(
            "\"x\":\"{x}\",{}",
            res(exp_fixed(x), |o| format!("\"out\":\"{o}\""))
        ));
    }
    section("exp_fixed", v, false);

    let mut v = Vec::new();
    for i in 0..500u64 {
        let x: i64 = match i {
            0 => 0,
            1 => i64::MIN,
            2 => i64::MAX,
            3 => 19 << 56,
            4 => (19 << 56) - 1,
            _ if i < 45 => {
                // both signs of every interval
                let j = ((i - 5) / 2) as i64;
                let v = (j << 56) | (rng.next() >> 8) as i64 & ((1 << 56) - 1);
                if i % 2 == 0 {
                    v
                } else {
                    -v
                }
            }
            _ => rng.irange(-(12 << 57), 12 << 57),
        };
        v.push(format!(
            "\"x\":\"{x}\",{}",
            res(norm_cdf(x), |o| format!("\"out\":\"{o}\""))
        ));
    }
    section("norm_cdf", v, false);

    let mut v = Vec::new();
    for i in 0..200u64 {
        let n: u128 = match i {
            0 => 0,
            1 => u128::MAX,
            2 => (u128::from(u64::MAX)) * u128::from(u64::MAX),
            3 => (u128::from(u64::MAX)) * u128::from(u64::MAX) - 1,
            _ => (u128::from(rng.next()) << 64 | u128::from(rng.next())) >> rng.range(0, 127),
        };
        v.push(format!("\"n\":\"{n}\",\"out\":\"{}\"", isqrt_u128(n)));
    }
    section("isqrt_u128", v, false);

    let mut v = Vec::new();
    for i in 0..100u64 {
        let (n, d): (u128, u64) = match i {
            0 => (5, 0),
            1 => (u128::MAX, u64::MAX),
            _ => (
                (u128::from(rng.next()) << 64 | u128::from(rng.next())) >> rng.range(0, 127),
                rng.next() >> rng.range(0, 63),
            ),
        };
        v.push(format!(
            "\"n\":\"{n}\",\"d\":\"{d}\",{}",
            res(div_wide(n, d), |o| format!("\"out\":\"{o}\""))
        ));
    }
    section("div_wide", v, false);

    let mut v = Vec::new();
    for i in 0..400u64 {
        let secs = tenor(&mut rng);
        let p = svi(&mut rng, secs);
        let k: i64 = match i {
            0 => svi::SVI_MAX_ABS_K + 1,
            1 => -svi::SVI_MAX_ABS_K,
            _ => rng.irange(-(10 << 57), 10 << 57),
        };
        v.push(format!(
            "\"svi\":{},\"k\":\"{k}\",\"tenor_secs\":\"{secs}\",{}",
            svi_json(&p),
            res(p.total_variance(k, secs), |o| format!("\"out\":\"{o}\""))
        ));
    }
    section("svi_total_variance", v, false);

    let mut v = Vec::new();
    for _ in 0..500u64 {
        let inp = premium_inputs(&mut rng);
        let vol = match rng.below(20) {
            0 => 0,
            1 => MAX_VOL + 1,
            2 => MAX_VOL,
            _ => rng.range(10_000_000, 3_000_000_000),
        };
        v.push(format!(
            "\"spot\":\"{}\",\"strike\":\"{}\",\"vol\":\"{vol}\",\"tenor_secs\":\"{}\",\"rate\":\"{}\",{}",
            inp.spot,
            inp.strike,
            inp.tenor_secs,
            inp.rate,
            res(black76_put(inp.spot, inp.strike, vol, inp.tenor_secs, inp.rate), |o| format!("\"out\":\"{o}\""))
        ));
    }
    section("black76_put", v, false);

    let mut v = Vec::new();
    for _ in 0..1500u64 {
        let inp = premium_inputs(&mut rng);
        v.push(format!(
            "\"spot\":\"{}\",\"strike\":\"{}\",\"confidence\":\"{}\",\"tenor_secs\":\"{}\",\"svi\":{},\"rate\":\"{}\",\"conf_multiplier_bps\":\"{}\",\"tail_loading_bps\":\"{}\",\"min_premium\":\"{}\",\"release_interval_secs\":\"{}\",{}",
            inp.spot,
            inp.strike,
            inp.confidence,
            inp.tenor_secs,
            svi_json(&inp.svi),
            inp.rate,
            inp.conf_multiplier_bps,
            inp.tail_loading_bps,
            inp.min_premium,
            inp.release_interval_secs,
            res(put_premium(&inp), |q| format!(
                "\"out\":{{\"premium\":\"{}\",\"intrinsic\":\"{}\",\"fair_price\":\"{}\",\"shifted_spot\":\"{}\",\"total_variance\":\"{}\",\"min_premium_applied\":{}}}",
                q.premium, q.intrinsic, q.fair_price, q.shifted_spot, q.total_variance, q.min_premium_applied
            ))
        ));
    }
    section("put_premium", v, false);

    // Physical delivery series: the American bound (rates of both signs).
    let mut v = Vec::new();
    for _ in 0..300u64 {
        let mut inp = premium_inputs(&mut rng);
        inp.rate = rng.irange(-50_000_000, 200_000_000);
        v.push(format!(
            "\"spot\":\"{}\",\"strike\":\"{}\",\"confidence\":\"{}\",\"tenor_secs\":\"{}\",\"svi\":{},\"rate\":\"{}\",\"conf_multiplier_bps\":\"{}\",\"tail_loading_bps\":\"{}\",\"min_premium\":\"{}\",\"release_interval_secs\":\"{}\",{}",
            inp.spot,
            inp.strike,
            inp.confidence,
            inp.tenor_secs,
            svi_json(&inp.svi),
            inp.rate,
            inp.conf_multiplier_bps,
            inp.tail_loading_bps,
            inp.min_premium,
            inp.release_interval_secs,
            res(american_put_premium(&inp), |q| format!(
                "\"out\":{{\"premium\":\"{}\",\"intrinsic\":\"{}\",\"fair_price\":\"{}\",\"shifted_spot\":\"{}\",\"total_variance\":\"{}\",\"min_premium_applied\":{}}}",
                q.premium, q.intrinsic, q.fair_price, q.shifted_spot, q.total_variance, q.min_premium_applied
            ))
        ));
    }
    section("american_put_premium", v, true);
    out.push_str("}\n");
    out
}

const COMMITTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/pricing.json"
);

#[test]
fn vectors_match_committed_file() {
    let doc = generate();
    if let Ok(path) = std::env::var("BACKSTOP_WRITE_VECTORS") {
        std::fs::write(&path, &doc).unwrap();
        println!("wrote {} bytes to {path}", doc.len());
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_else(|e| {
        panic!("cannot read {COMMITTED}: {e}; regenerate with BACKSTOP_WRITE_VECTORS=<path>")
    });
    assert!(
        committed == doc,
        "{COMMITTED} is stale: the Rust pricing engine (or the generator) changed. Regenerate with \
         BACKSTOP_WRITE_VECTORS=$PWD/../../tests/vectors/pricing.json cargo test vectors \
         (from programs/backstop) and re-run the TypeScript tests."
    );
    // Coverage the TypeScript suite relies on.
    let premium_section = doc.split("\"put_premium\"").nth(1).unwrap();
    let total = premium_section.matches("\"spot\"").count();
    let errors = premium_section.matches("\"err\"").count();
    assert!(
        total >= 1_000 && errors >= 100 && total - errors >= 800,
        "{total} {errors}"
    );
}
