//! The pricing engine inside the built .so: identical to the host engine (and so to the
//! TypeScript mirror) on every shared vector, within its compute budget, with exact errors.
use backstop::{errors::BackstopError, instructions::QuotePremiumArgs, state::SviSlice};
use backstop_harness::*;
use backstop_litesvm_tests::{pricing::*, Env};

/// The budget for one premium computation.
const PREMIUM_CU_BUDGET: u64 = 10_000;

#[test]
fn on_chain_engine_matches_every_shared_vector() {
    let mut env = Env::new();
    let payer = simulation_payer(&mut env.svm);
    let vectors = premium_vectors();
    assert!(vectors.len() >= 1_000, "{} vectors", vectors.len());
    let (mut ok, mut errors) = (0, 0);
    for (i, v) in vectors.iter().enumerate() {
        let got = quote_on_chain(&env.svm, &payer, v.args).result.map(|q| {
            (
                q.premium,
                q.intrinsic,
                q.fair_price,
                q.shifted_spot,
                q.total_variance,
                q.min_premium_applied,
            )
        });
        assert_eq!(got, v.expected, "vector {i}: {:?}", v.args);
        if got.is_ok() {
            ok += 1
        } else {
            errors += 1
        }
    }
    println!(
        "on-chain == host on {} vectors ({ok} quotes, {errors} errors)",
        vectors.len()
    );
}

#[test]
fn premium_fits_its_compute_budget_on_the_realistic_grid() {
    let mut env = Env::new();
    let payer = simulation_payer(&mut env.svm);
    let mut engine: Vec<u64> = realistic_grid()
        .into_iter()
        .map(|args| {
            let q = quote_on_chain(&env.svm, &payer, args);
            if let Err(e) = q.result {
                panic!("{args:?}: {e}");
            }
            q.engine_compute_units
        })
        .collect();
    engine.sort_unstable();
    let (min, median, max) = (
        engine[0],
        engine[engine.len() / 2],
        engine[engine.len() - 1],
    );
    println!(
        "premium engine CU over {} grid points: min {min} median {median} max {max}",
        engine.len()
    );
    assert!(min > 0, "the program measured its own compute units");
    assert!(
        max <= PREMIUM_CU_BUDGET,
        "premium costs {max} CU > {PREMIUM_CU_BUDGET}"
    );
}

#[test]
fn inadmissible_slice_is_rejected_with_its_own_error() {
    let mut env = Env::new();
    let payer = simulation_payer(&mut env.svm);
    let mut args: QuotePremiumArgs = realistic_grid()[0];
    args.svi = SviSlice {
        rho: 1_000_000_000,
        ..args.svi
    };
    let q = quote_on_chain(&env.svm, &payer, args);
    assert_eq!(q.result.err().as_deref(), Some("MathSviRhoOutOfRange"));

    // The same failure as a sent transaction carries the exact code.
    let ix = quote_premium_ix(args);
    assert_program_error(
        send(&mut env.svm, &[ix], &payer, &[]),
        BackstopError::MathSviRhoOutOfRange,
    );
}
