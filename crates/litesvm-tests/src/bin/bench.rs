//! Compute-unit benchmark of the pricing engine and the instructions inside the built .so
//! (LiteSVM). Not a test:
//! run by `scripts/bench.sh`, it writes docs/COMPUTE_UNITS.md.
use std::fmt::Write as _;

use anchor_lang::prelude::Pubkey;
use backstop::instructions::ReportSolvencyArgs;
use backstop_harness::{send_ok, warp_to_timestamp, Signer};
use backstop_litesvm_tests::{pricing::*, series::*, vault::*, Env};

const SOL: u64 = 1_000_000_000;

/// Compute units of every state-changing instruction, once each, along one life cycle.
fn life_cycle() -> Vec<(&'static str, u64)> {
    let mut out = vec![];
    let mut f = VaultFixture::new();
    out.push(("create_vault", f.create_vault().compute_units_consumed));
    let acc = f.reserve_accounts();
    let m = send_ok(
        &mut f.env.svm,
        &[acc.fund_ix(500_000 * USDC)],
        &f.payer,
        &[&f.protocol],
    );
    out.push(("fund_reserve", m.compute_units_consumed));
    let m = send_ok(
        &mut f.env.svm,
        &[acc.withdraw_ix(USDC)],
        &f.payer,
        &[&f.protocol],
    );
    out.push(("withdraw_reserve", m.compute_units_consumed));
    let mut mk = Market {
        f,
        price_account: Pubkey::new_unique(),
        depeg_account: Pubkey::new_unique(),
    };
    mk.tick(0, 15_000);
    let (strike, expiry) = (100 * USDC, mk.now() + 30 * 86_400);
    let accounts = mk.open_accounts(strike, expiry);
    let ix = accounts.ix(Market::series_args(strike, expiry));
    let (payer, risk) = (mk.f.payer.insecure_clone(), mk.f.risk.insecure_clone());
    out.push((
        "open_series",
        send_ok(&mut mk.f.env.svm, &[ix], &payer, &[&risk]).compute_units_consumed,
    ));
    let keys = accounts.keys;
    let w = mk.writer(100_000);
    out.push((
        "write_put (new position)",
        mk.write(&w, keys, 100 * SOL, 0)
            .expect("write")
            .compute_units_consumed,
    ));
    out.push((
        "write_put (existing position)",
        mk.write(&w, keys, SOL, 0)
            .expect("write")
            .compute_units_consumed,
    ));
    let keeper = mk.keeper();
    mk.tick(10, 8_500);
    out.push((
        "observe_breach",
        mk.observe().expect("observe").compute_units_consumed,
    ));
    let reporter = mk.f.reporter.insecure_clone();
    let args = ReportSolvencyArgs {
        collateral_amount: 1_000 * SOL,
        liabilities: 100_000 * USDC,
    };
    let ix = mk.report_ix(&reporter.pubkey(), args);
    out.push((
        "report_solvency",
        send_ok(&mut mk.f.env.svm, &[ix], &payer, &[&reporter]).compute_units_consumed,
    ));
    mk.tick(61, 8_500);
    out.push((
        "trigger (release, 1 writer)",
        mk.trigger(&keeper, keys)
            .expect("trigger")
            .compute_units_consumed,
    ));
    warp_to_timestamp(&mut mk.f.env.svm, keys.expiry + 5);
    let upd = Pubkey::new_unique();
    mk.set_price_at(upd, 9_000, keys.expiry + 1, keys.expiry - 1);
    out.push((
        "settle_series",
        mk.settle(keys, upd).expect("settle").compute_units_consumed,
    ));
    out.push((
        "reclaim",
        mk.reclaim(keys, &w)
            .expect("reclaim")
            .compute_units_consumed,
    ));
    out.push((
        "close_series",
        mk.close_with(mk.close_accounts(keys))
            .expect("close")
            .compute_units_consumed,
    ));
    out
}

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
    let _ = writeln!(out, "\n## Instructions\n");
    let _ = writeln!(
        out,
        "Whole transactions, once each along one life cycle (`life_cycle` in the bench)."
    );
    let _ = writeln!(
        out,
        "Issue 8 adds min/median/max over realistic inputs, scale runs and the CI guard.\n"
    );
    let _ = writeln!(out, "| instruction | compute units |");
    let _ = writeln!(out, "|---|---|");
    for (name, cu) in life_cycle() {
        let _ = writeln!(out, "| {name} | {cu} |");
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/COMPUTE_UNITS.md");
    std::fs::write(path, &out).expect("write docs/COMPUTE_UNITS.md");
    print!("{out}");
}
