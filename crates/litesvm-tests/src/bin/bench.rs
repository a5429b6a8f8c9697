//! Compute-unit benchmark of the pricing engine inside the built .so (LiteSVM). Not a test:
//! run by `scripts/bench.sh`, it writes docs/COMPUTE_UNITS.md.
use std::fmt::Write as _;

use backstop_litesvm_tests::{pricing::*, Env};

struct Stats {
    n: usize,
    min: u64,
    median: u64,
    max: u64,
}

fn stats(mut v: Vec<u64>) -> Stats {
    v.sort_unstable();
    Stats {
        n: v.len(),
        min: v[0],
        median: v[v.len() / 2],
        max: v[v.len() - 1],
    }
}

fn row(out: &mut String, what: &str, s: &Stats, target: &str) {
    let _ = writeln!(
        out,
        "| {what} | {} | {} | {} | {} | {target} |",
        s.n, s.min, s.median, s.max
    );
}

fn main() {
    let mut env = Env::new();
    let payer = simulation_payer(&mut env.svm);

    let grid: Vec<_> = realistic_grid()
        .into_iter()
        .map(|a| quote_on_chain(&env.svm, &payer, a))
        .collect();
    assert!(
        grid.iter().all(|q| q.result.is_ok()),
        "every grid point prices"
    );
    let grid_engine = stats(grid.iter().map(|q| q.engine_compute_units).collect());
    let grid_tx = stats(grid.iter().map(|q| q.tx_compute_units).collect());

    let vectors: Vec<_> = premium_vectors()
        .into_iter()
        .map(|v| quote_on_chain(&env.svm, &payer, v.args))
        .filter(|q| q.result.is_ok())
        .map(|q| q.engine_compute_units)
        .collect();
    let vec_engine = stats(vectors);

    let so = backstop_harness::read_program("backstop").len();
    let mut out = String::new();
    let _ = writeln!(out, "# Compute units\n");
    let _ = writeln!(out, "Measured by `scripts/bench.sh` on the built `target/deploy/backstop.so` ({so} bytes) in LiteSVM.");
    let _ = writeln!(
        out,
        "\"Engine\" is what the program's own meter logs (`sol_log_compute_units`) read around"
    );
    let _ = writeln!(
        out,
        "`math::put_premium`; \"instruction\" is the whole `quote_premium` transaction (Anchor"
    );
    let _ = writeln!(
        out,
        "dispatch, argument decoding, return data). Regenerate after any change that moves them.\n"
    );
    let _ = writeln!(out, "| what | samples | min | median | max | target |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    row(
        &mut out,
        "premium engine, realistic grid (K/S 0.3-2, vol 5-300 %, 1 h-1 y)",
        &grid_engine,
        "<= 10,000",
    );
    row(
        &mut out,
        "premium engine, shared vectors (random, incl. extremes)",
        &vec_engine,
        "<= 10,000",
    );
    row(
        &mut out,
        "`quote_premium` instruction, realistic grid",
        &grid_tx,
        "",
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/COMPUTE_UNITS.md");
    std::fs::write(path, &out).expect("write docs/COMPUTE_UNITS.md");
    print!("{out}");
}
