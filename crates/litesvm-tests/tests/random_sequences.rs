//! Seeded random action sequences on the built program, with the money invariants checked
//! after every step (`src/fuzz.rs`). `FUZZ_STEPS` (default 100,000) and `FUZZ_SEED` (default:
//! from the clock, printed) control a run; a failure prints the seed and the step to replay.
//! Longer local runs: `FUZZ_STEPS=2000000 cargo test --release -p backstop-litesvm-tests
//! --test random_sequences -- --nocapture`.
use std::panic::{catch_unwind, AssertUnwindSafe};

use backstop_litesvm_tests::fuzz::{Fuzz, Rng};

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The text a panic carried (`panic!` with or without format arguments).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn random_sequences_keep_every_invariant() {
    let steps = env_u64("FUZZ_STEPS").unwrap_or(100_000);
    let seed = env_u64("FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    // Several independent worlds of 10,000 steps each, so one long-lived state does not
    // dominate the run; each world's seed derives from the run's.
    let per_world = steps.min(10_000);
    let worlds = steps.div_ceil(per_world);
    println!("random sequences: seed {seed:#x}, {steps} steps in {worlds} worlds");
    let mut totals = std::collections::BTreeMap::new();
    let mut refusals = std::collections::BTreeMap::new();
    let (mut release_steps, mut stressed_steps) = (0u64, 0u64);
    let mut statuses = std::collections::BTreeMap::new();
    for w in 0..worlds {
        // World 0 runs the seed itself, so a failure's printed seed replays as world 0.
        let world_seed = if w == 0 {
            seed
        } else {
            Rng::new(seed ^ w.rotate_left(32)).next_u64()
        };
        let mut fuzz = Fuzz::new(world_seed);
        let n = per_world.min(steps - w * per_world);
        let result = catch_unwind(AssertUnwindSafe(|| {
            for _ in 0..n {
                fuzz.step();
            }
        }));
        if let Err(panic) = result {
            let msg = panic_message(panic.as_ref());
            panic!("{msg}\nworld {w}: {}", fuzz.report_failure());
        }
        for (k, v) in &fuzz.successes {
            *totals.entry(*k).or_insert(0u64) += v;
        }
        for (k, v) in &fuzz.refusals {
            *refusals.entry(k.clone()).or_insert(0u64) += v;
        }
        for (k, v) in &fuzz.release_statuses {
            *statuses.entry(k.clone()).or_insert(0u64) += v;
        }
        release_steps += fuzz.release_steps;
        stressed_steps += fuzz.stressed_steps;
    }
    println!(
        "release steps: {release_steps} ({stressed_steps} with a stale, wide or missing feed)"
    );
    println!("successful steps by action: {totals:?}");
    println!("try_release outcomes: {statuses:?}");
    println!("refused transactions by error code: {refusals:?}");
    // A run where nothing happens proves nothing: the money paths must have run.
    for action in [
        "write_put",
        "trigger",
        "deliver_collateral",
        "crash_campaign",
        "settle_series",
        "reclaim",
        "close_series",
        "roll_series",
    ] {
        assert!(
            totals.get(action).copied().unwrap_or(0) > 0 || steps < 10_000,
            "{action} never succeeded in {steps} steps"
        );
    }
    // The non-reverting release must have paid, and said why it did not in several ways.
    assert!(
        statuses.get("Released").copied().unwrap_or(0) > 0 && statuses.len() >= 4 || steps < 10_000,
        "try_release outcomes too narrow: {statuses:?}"
    );
    // Releases are what this run is about: at least one per hundred steps, some of them while
    // a feed was failing.
    assert!(
        release_steps >= steps / 100 && (stressed_steps > 0 || steps < 10_000),
        "only {release_steps} release steps ({stressed_steps} stressed) in {steps} steps"
    );
}

/// The checker itself can fail: one token taken out of an escrow behind the program's back
/// (conservation and the escrow's books both break) is caught at the next check.
#[test]
fn the_invariant_checker_catches_a_drained_escrow() {
    let mut fuzz = Fuzz::new(0xd7a1_4ed0);
    let mut steps = 0;
    while !fuzz.drain_an_escrow() {
        fuzz.step();
        steps += 1;
        assert!(steps < 5_000, "no escrow was ever funded");
    }
    let caught = catch_unwind(AssertUnwindSafe(|| fuzz.check_invariants()));
    let msg = panic_message(
        caught
            .expect_err("a drained escrow went unnoticed")
            .as_ref(),
    );
    assert!(
        msg.contains("created or destroyed") || msg.contains("below"),
        "unexpected failure: {msg}"
    );
}
