//! Tests of the pricing engine: `f64` references, property tests and the shared vectors.
//!
//! Case counts: every property/reference test runs `ProptestConfig::with_cases(10_000)` by
//! default; `BACKSTOP_PROPTEST_CASES=<n>` overrides it for quick local iterations.
//! Worst cases are printed (`cargo test -- --nocapture`).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    clippy::cast_lossless,
    clippy::float_cmp
)]

mod lookback;
mod pricing;
mod primitives;
mod reference;
mod vectors;

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Cases per property test (acceptance: 10,000).
pub(crate) fn cases() -> u32 {
    std::env::var("BACKSTOP_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// A deterministic runner (fixed seed, no failure-persistence files).
pub(crate) fn runner(seed_tag: u8) -> TestRunner {
    let config = Config {
        failure_persistence: None,
        max_global_rejects: 1_000_000,
        max_shrink_iters: 2_000,
        ..Config::with_cases(cases())
    };
    let mut seed = [0u8; 32];
    seed[0] = seed_tag;
    seed[1] = 0x5b;
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed))
}

pub(crate) const Q57: f64 = (1u64 << 57) as f64;
pub(crate) const Q63: f64 = 9_223_372_036_854_775_808.0;
pub(crate) const Q64: f64 = 18_446_744_073_709_551_616.0;
