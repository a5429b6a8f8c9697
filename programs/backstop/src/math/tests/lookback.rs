//! The lookback engine (`math::lookback`) against an f64 reference of the same closed form:
//! Conze–Viswanathan with the Broadie–Glasserman–Kou shift, the `r -> 0` limit and the
//! small-`a` series (module docs there), on 10,000 random cases.

use super::reference::{norm_cdf, phi};
use super::{cases, runner};
use crate::math::fixed::{PRICE_SCALE, SECONDS_PER_YEAR};
use crate::math::lookback::{lookback_put_q62, LookbackInputs};
use proptest::prelude::*;
use std::cell::RefCell;

const BETA: f64 = 0.582_597_157_939_010_7;
const YEAR: f64 = SECONDS_PER_YEAR as f64;

/// The value of the minimum, `E / (S DF)` of the module docs.
fn minimum_ref(x: f64, w: f64, rt: f64) -> f64 {
    let s = w.sqrt();
    let d = (x + w / 2.0) / s;
    let psi = phi(d) - d * norm_cdf(-d);
    if rt == 0.0 {
        return s * psi;
    }
    let a = 2.0 * rt / w;
    if a <= 2f64.powi(-10) {
        let n0 = norm_cdf(-d);
        let ph = phi(d);
        let g1 = s * psi;
        let g2 = -s * (x - w / 2.0) * psi;
        let g3 = -(x.powi(3) + w.powi(3) / 8.0) * n0 + 1.5 * s * (x * x + w * w / 4.0) * ph
            - s.powi(3) / 2.0 * d * d * ph
            - s.powi(3) / 4.0 * ph;
        return g1 + a * g2 / 2.0 + a * a * g3 / 6.0;
    }
    let c = rt / s;
    let big_a = (-a * x).exp() * norm_cdf(-(d - c));
    let big_b = rt.exp() * norm_cdf(-(d + c));
    (big_a - big_b) / a
}

fn continuous_ref(spot: f64, strike: f64, w: f64, rt: f64) -> f64 {
    let df = (-rt).exp();
    if strike > spot {
        return df * (strike - spot) + continuous_ref(spot, spot, w, rt);
    }
    let s = w.sqrt();
    let x = (spot / strike).ln();
    let d1 = (x + rt + w / 2.0) / s;
    let d2 = d1 - s;
    df * strike * norm_cdf(-d2) - spot * norm_cdf(-d1) + spot * df * minimum_ref(x, w, rt)
}

fn lookback_ref(i: &LookbackInputs) -> f64 {
    let w = i.w_q56 as f64 / 2f64.powi(56);
    let rt = i.rt_q57 as f64 / 2f64.powi(57);
    let (spot, strike) = (i.spot as f64, i.strike as f64);
    if w == 0.0 {
        return (strike - spot).max(0.0) * (-rt).exp();
    }
    let ratio = (i.interval_secs as f64 / i.tenor_secs as f64).min(1.0);
    let h = BETA * w.sqrt() * ratio.sqrt();
    h.exp() * continuous_ref(spot, strike * (-h).exp(), w, rt)
}

fn case() -> impl Strategy<Value = LookbackInputs> {
    (
        1u64..=1_000_000,                                   // spot, USD
        0.3f64..2.0,                                        // strike / spot
        0.05f64..6.0,                                       // volatility
        3_600u64..=2 * SECONDS_PER_YEAR,                    // tenor
        prop_oneof![Just(3_600u64), 60u64..=86_400],        // release interval
        prop_oneof![Just(0.0), 0.0f64..0.5, 0.0f64..0.001], // rate
    )
        .prop_map(|(usd, m, vol, tenor, interval, r)| {
            let tau = tenor as f64 / YEAR;
            let spot = usd * PRICE_SCALE;
            LookbackInputs {
                spot,
                strike: (spot as f64 * m) as u64,
                w_q56: (vol * vol * tau * 2f64.powi(56)) as u64,
                rt_q57: (r * tau * 2f64.powi(57)) as i64,
                tenor_secs: tenor,
                interval_secs: interval,
            }
        })
}

#[derive(Default, Debug)]
struct Worst {
    abs_over_strike: f64,
    rel: f64,
}

#[test]
fn lookback_matches_the_f64_reference() {
    let worst = RefCell::new(Worst::default());
    runner(40)
        .run(&case(), |i| {
            let got = lookback_put_q62(&i).unwrap() as f64 / 2f64.powi(62);
            let want = lookback_ref(&i);
            let strike = i.strike as f64;
            let abs = (got - want).abs();
            prop_assert!(
                abs <= 1e-9 * strike,
                "abs {} > 1e-9 K: {:?} got {} want {}",
                abs,
                i,
                got,
                want
            );
            if want >= 1e-6 * strike {
                prop_assert!(abs <= 1e-6 * want, "rel {}: {:?}", abs / want, i);
                let mut w = worst.borrow_mut();
                w.rel = w.rel.max(abs / want);
            }
            let mut w = worst.borrow_mut();
            w.abs_over_strike = w.abs_over_strike.max(abs / strike);
            Ok(())
        })
        .unwrap();
    println!(
        "lookback vs f64 reference over {} cases: {:?}",
        cases(),
        worst.into_inner()
    );
}

#[test]
fn the_issue_example_and_orderings() {
    // 30 days, strike 20 % below spot, 80 % vol, r = 0 (per unit of spot).
    let tenor = 30 * 86_400;
    let w = 0.64 * tenor as f64 / YEAR;
    let base = LookbackInputs {
        spot: PRICE_SCALE,
        strike: PRICE_SCALE / 10 * 8,
        w_q56: (w * 2f64.powi(56)) as u64,
        rt_q57: 0,
        tenor_secs: tenor,
        interval_secs: 3_600,
    };
    let price = |i: &LookbackInputs| lookback_put_q62(i).unwrap() as f64 / 2f64.powi(62) / 1e12;
    let hourly = price(&base);
    assert!((hourly - 0.032_765).abs() < 2e-5, "{hourly}");
    let continuous = price(&LookbackInputs {
        interval_secs: 0,
        ..base
    });
    assert!((continuous - 0.034_044).abs() < 2e-5, "{continuous}");
    // Rarer monitoring, lower price; never below the European put (0.0179).
    let daily = price(&LookbackInputs {
        interval_secs: 86_400,
        ..base
    });
    assert!(
        daily < hourly && hourly < continuous && daily > 0.0179,
        "{daily}"
    );
    // A positive rate lowers a put; a negative one is refused.
    let with_rate = price(&LookbackInputs {
        rt_q57: (0.05 * tenor as f64 / YEAR * 2f64.powi(57)) as i64,
        ..base
    });
    assert!(with_rate < hourly);
    assert!(lookback_put_q62(&LookbackInputs { rt_q57: -1, ..base }).is_err());
}

// ---- Shared Rust/TypeScript vectors: tests/vectors/lookback.json ----------------------------
//
// Generated FROM this implementation, like `tests/vectors/pricing.json` (see `vectors.rs`):
// `BACKSTOP_WRITE_LOOKBACK_VECTORS=<path> cargo test --lib writes_lookback_vectors` writes it,
// `lookback_vectors_match_committed_file` fails when the committed file is stale, and
// `app/sdk/test/lookback.test.ts` replays every vector against the TypeScript mirror. Inputs
// come from a fixed-seed splitmix64 with integer-only sampling (no floats, so the file does not
// depend on the platform's libm).

use super::vectors::Rng;
use crate::math::error::MathError;
use std::fmt::Write as _;

const WRITE_VAR: &str = "BACKSTOP_WRITE_LOOKBACK_VECTORS";
const COMMITTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/lookback.json"
);
const VECTOR_COUNT: u64 = 2_000;

const YEAR_SECS: u64 = SECONDS_PER_YEAR;

/// `vol^2 tau` in Q56 for a `PARAM_SCALE` volatility (the generator's own integer conversion,
/// so the file does not move when the engine's conversions do).
fn w_of(vol: u64, tenor: u64) -> u64 {
    let v2t = u128::from(vol) * u128::from(vol) * u128::from(tenor) / u128::from(YEAR_SECS);
    ((v2t << 56) / 1_000_000_000_000_000_000) as u64
}

/// `r tau` in Q57 for a `PARAM_SCALE` rate.
fn rt_of(rate: u64, tenor: u64) -> i64 {
    (((u128::from(rate) * u128::from(tenor)) << 57) / (1_000_000_000 * u128::from(YEAR_SECS)))
        as i64
}

/// The ranges of `case()` above, integer-only: spot 1..1e6 USD, strike 0.3..2 spot, vol
/// 0.05..3, tenor 1 h..2 y, interval 1 h or 1 min..1 d, rate 0, 0..0.5 or 0..0.001.
fn in_range(rng: &mut Rng) -> LookbackInputs {
    let spot = rng.range(1, 1_000_000) * PRICE_SCALE;
    let strike = (u128::from(spot) * u128::from(rng.range(300_000, 1_999_999)) / 1_000_000) as u64;
    let vol = rng.range(50_000_000, 2_999_999_999);
    let tenor = rng.range(3_600, 2 * YEAR_SECS);
    let interval = if rng.below(2) == 0 {
        3_600
    } else {
        rng.range(60, 86_400)
    };
    let rate = match rng.below(3) {
        0 => 0,
        1 => rng.range(0, 499_999_999),
        _ => rng.range(0, 999_999),
    };
    LookbackInputs {
        spot,
        strike,
        w_q56: w_of(vol, tenor),
        rt_q57: rt_of(rate, tenor),
        tenor_secs: tenor,
        interval_secs: interval,
    }
}

/// Vector `n`: edge and error cases first, then mostly `in_range` with every tenth case in the
/// small-`a` series regime (`2 rt / w <= 2^-10`, both sides of its bound), every tenth with a
/// large `a` (low volatility, high rate), every twentieth deep out of the money (large `d`: the
/// tails, `psi` near 0, the clamps of the direct regime) and every twentieth with wild inputs.
fn vector_case(rng: &mut Rng, n: u64) -> LookbackInputs {
    let b = in_range(rng);
    match n {
        0 => LookbackInputs { rt_q57: -1, ..b },
        1 => LookbackInputs {
            rt_q57: i64::MIN,
            spot: 0,
            tenor_secs: 0,
            ..b
        },
        2 => LookbackInputs {
            spot: 0,
            strike: 0,
            tenor_secs: 0,
            ..b
        },
        3 => LookbackInputs {
            strike: 0,
            tenor_secs: 0,
            ..b
        },
        4 => LookbackInputs { tenor_secs: 0, ..b },
        // No variance: the intrinsic value, discounted or not.
        5 => LookbackInputs {
            w_q56: 0,
            strike: b.spot + 7,
            rt_q57: 0,
            ..b
        },
        6 => LookbackInputs {
            w_q56: 0,
            strike: b.spot / 2,
            ..b
        },
        7 => LookbackInputs {
            w_q56: 0,
            strike: b.spot * 2,
            rt_q57: 1 << 56,
            ..b
        },
        // The smallest variance with s != 0, with and without a rate (a huge).
        8 => LookbackInputs {
            w_q56: 1,
            rt_q57: 0,
            ..b
        },
        9 => LookbackInputs {
            w_q56: 1,
            rt_q57: 1 << 50,
            ..b
        },
        10 => LookbackInputs {
            interval_secs: 0,
            ..b
        },
        11 => LookbackInputs {
            interval_secs: b.tenor_secs,
            ..b
        },
        12 => LookbackInputs {
            interval_secs: u64::MAX,
            ..b
        },
        13 => LookbackInputs {
            rt_q57: 1 << 57,
            ..b
        },
        14 => LookbackInputs {
            rt_q57: 2 << 57,
            ..b
        },
        15 => LookbackInputs {
            rt_q57: i64::MAX,
            ..b
        },
        16 => LookbackInputs {
            spot: u64::MAX,
            strike: u64::MAX,
            ..b
        },
        17 => LookbackInputs {
            spot: 1,
            strike: 1,
            ..b
        },
        18 => LookbackInputs { strike: 1, ..b },
        19 => LookbackInputs {
            spot: 1,
            strike: u64::MAX,
            ..b
        },
        20 => LookbackInputs {
            w_q56: u64::MAX,
            rt_q57: 1 << 40,
            ..b
        },
        21 => LookbackInputs {
            w_q56: u64::MAX,
            interval_secs: b.tenor_secs,
            ..b
        },
        22 => LookbackInputs {
            w_q56: 89 << 56,
            interval_secs: b.tenor_secs,
            rt_q57: 0,
            ..b
        },
        23 => LookbackInputs {
            w_q56: 1 << 63,
            rt_q57: 1 << 45,
            ..b
        },
        24 => LookbackInputs { rt_q57: 1, ..b },
        25 => LookbackInputs {
            strike: b.spot,
            rt_q57: 0,
            ..b
        },
        26 => LookbackInputs {
            tenor_secs: 1,
            interval_secs: 3_600,
            ..b
        },
        27 => LookbackInputs {
            spot: PRICE_SCALE,
            strike: PRICE_SCALE / 10 * 3,
            w_q56: w_of(2_999_999_999, 2 * YEAR_SECS),
            rt_q57: rt_of(499_999_999, 2 * YEAR_SECS),
            tenor_secs: 2 * YEAR_SECS,
            ..b
        },
        // d = x / s + s / 2 in [64, 128) in the direct regime (x = 8, s = 0.1, a = 2): d + c
        // leaves i64 unless clamped.
        28 => LookbackInputs {
            spot: 2_981 * PRICE_SCALE,
            strike: PRICE_SCALE,
            w_q56: (1 << 56) / 100,
            rt_q57: (1 << 57) / 100,
            ..b
        },
        // Direct regime with A < B after rounding (found by search): the difference saturates at 0.
        29 => LookbackInputs {
            spot: 605_816_000_000_000_000,
            strike: 2_776_489_315_338_266,
            w_q56: 28_659_358_227_682_412,
            rt_q57: 2_361_533_508_622_192,
            tenor_secs: 10_000_000,
            interval_secs: 23_554,
        },
        _ if n % 20 == 9 => LookbackInputs {
            strike: (b.spot >> rng.range(2, 16)).max(1),
            ..b
        },
        _ if n % 20 == 19 => LookbackInputs {
            spot: rng.log_uniform(1, u64::MAX),
            strike: rng.log_uniform(1, u64::MAX),
            w_q56: rng.log_uniform(1, u64::MAX),
            rt_q57: (rng.next() >> rng.range(1, 63)) as i64,
            tenor_secs: rng.log_uniform(1, u64::MAX),
            interval_secs: rng.log_uniform(1, u64::MAX),
        },
        _ if n % 10 == 7 => {
            // a = rt_q57 / w_q56 <= 2^-10 (series); a few exactly at and just above the bound.
            let bound = b.w_q56 >> 10;
            let rt = match rng.below(10) {
                0 => bound,
                1 => bound + 1,
                _ => rng.range(1, bound.max(1)),
            };
            LookbackInputs {
                rt_q57: rt as i64,
                ..b
            }
        }
        _ if n % 10 == 8 => {
            let vol = rng.range(50_000_000, 150_000_000);
            let rate = rng.range(100_000_000, 500_000_000);
            LookbackInputs {
                w_q56: w_of(vol, b.tenor_secs),
                rt_q57: rt_of(rate, b.tenor_secs),
                ..b
            }
        }
        _ => b,
    }
}

fn lookback_json(i: &LookbackInputs, r: Result<u128, MathError>) -> String {
    let res = match r {
        Ok(v) => format!("\"out\":\"{v}\""),
        Err(e) => format!("\"err\":\"{e:?}\""),
    };
    format!(
        "{{\"spot\":\"{}\",\"strike\":\"{}\",\"w_q56\":\"{}\",\"rt_q57\":\"{}\",\"tenor_secs\":\"{}\",\"interval_secs\":\"{}\",{res}}}",
        i.spot, i.strike, i.w_q56, i.rt_q57, i.tenor_secs, i.interval_secs
    )
}

/// The whole JSON document.
fn generate_lookback_vectors() -> String {
    let mut rng = Rng(0x100C_BAC0_5EED_0001);
    let mut out = String::new();
    out.push_str("{\n  \"format\": 1,\n");
    out.push_str("  \"generator\": \"programs/backstop/src/math/tests/lookback.rs (BACKSTOP_WRITE_LOOKBACK_VECTORS=<path> cargo test --lib writes_lookback_vectors)\",\n");
    out.push_str("  \"note\": \"lookback_put_q62 (price units times 2^62); integers are decimal strings; err is the MathError variant name\",\n");
    out.push_str("  \"lookback_put_q62\": [\n");
    for n in 0..VECTOR_COUNT {
        let i = vector_case(&mut rng, n);
        let sep = if n + 1 < VECTOR_COUNT { "," } else { "" };
        let _ = writeln!(out, "    {}{sep}", lookback_json(&i, lookback_put_q62(&i)));
    }
    out.push_str("  ]\n}\n");
    out
}

/// Writes the vectors, only when `BACKSTOP_WRITE_LOOKBACK_VECTORS` names a path.
#[test]
fn writes_lookback_vectors() {
    let Ok(path) = std::env::var(WRITE_VAR) else {
        return;
    };
    let doc = generate_lookback_vectors();
    std::fs::write(&path, &doc).unwrap();
    println!("wrote {} bytes to {path}", doc.len());
}

#[test]
fn lookback_vectors_match_committed_file() {
    if std::env::var(WRITE_VAR).is_ok() {
        return; // being (re)written by `writes_lookback_vectors` right now
    }
    let doc = generate_lookback_vectors();
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_else(|e| {
        panic!("cannot read {COMMITTED}: {e}; regenerate with {WRITE_VAR}=<path>")
    });
    assert!(
        committed == doc,
        "{COMMITTED} is stale: the Rust lookback engine (or its generator) changed. Regenerate \
         with {WRITE_VAR}=$PWD/../../tests/vectors/lookback.json cargo test --lib \
         writes_lookback_vectors (from programs/backstop) and re-run \
         app/sdk/test/lookback.test.ts."
    );
    // Coverage the TypeScript test relies on: both outcomes, in numbers.
    let errors = doc.matches("\"err\"").count();
    let outs = doc.matches("\"out\"").count();
    assert!(
        errors >= 10 && outs >= 1_800,
        "{errors} errors, {outs} outputs"
    );
}
