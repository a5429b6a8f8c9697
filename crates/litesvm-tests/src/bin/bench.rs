//! Compute-unit benchmark of the pricing engine and the instructions inside the built .so
//! (LiteSVM). Not a test:
//! run by `scripts/bench.sh`, it writes docs/COMPUTE_UNITS.md.
use std::fmt::Write as _;

use backstop_litesvm_tests::{bench::*, pricing::*, Env};

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

/// `<backstop::instructions::x::WritePut as anchor_lang::Accounts<..>>::try_accounts` reads as
/// `WritePut::try_accounts`; other names stay whole.
fn short_name(name: &str) -> String {
    let accounts = name
        .strip_prefix("<backstop::instructions::")
        .filter(|_| name.ends_with(">>::try_accounts"))
        .and_then(|rest| rest.split(" as ").next())
        .and_then(|path| path.rsplit("::").next());
    match accounts {
        Some(ty) => format!("{ty}::try_accounts (Anchor account loading and checks)"),
        None => name.replace('|', "\\|"),
    }
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
        "premium engine (hourly lookback), realistic grid (K/S 0.3-2, vol 5-300 %, 1 h-1 y)",
        &grid_engine,
        "<= 12,000",
    );
    row(
        &mut out,
        "premium engine, shared vectors (random, incl. extremes)",
        &vec_engine,
        "<= 12,000",
    );
    row(
        &mut out,
        "`quote_premium` instruction, realistic grid",
        &grid_tx,
        "",
    );
    let oracle = oracle_read_units();
    let oracle_read = stats(oracle.iter().map(|o| o.0).collect());
    let oracle_tx = stats(oracle.iter().map(|o| o.1).collect());
    row(
        &mut out,
        "oracle read + validation (`oracle::read_price`), expo -5..-12, $0.01-$100k",
        &oracle_read,
        "<= 1,600",
    );
    row(
        &mut out,
        "`check_price` instruction, same updates",
        &oracle_tx,
        "",
    );
    let (transfer, cpi, init) = reference_units();
    for line in [
        format!(
            "\nReference, same run: a top-level SPL token `transfer` costs {transfer} CU (LiteSVM"
        ),
        "ships p-token; classic SPL Token charged ~4,645); a PDA-signed `transfer_checked` CPI"
            .into(),
        format!(
            "costs its caller {cpi} CU (invoke, account serialization, signer derivation and the"
        ),
        "token program; read from `write_put`'s log between two CPIs); an Anchor `init` of the"
            .into(),
        format!("129-byte `Position` (PDA search + `create_account` CPI + rent) costs {init} CU"),
        "(`write_put` on a new position minus the same write on an existing one).".into(),
    ] {
        let _ = writeln!(out, "{line}");
    }

    let _ = writeln!(out, "\n## Instructions\n");
    let runs: Vec<_> = scenarios().into_iter().map(life_cycle_of).collect();
    let _ = writeln!(
        out,
        "Whole transactions along {} life cycles (`scenarios` in the bench): other keys, strikes",
        runs.len()
    );
    let _ = writeln!(
        out,
        "90-140 USD, tenors 1-180 days, sizes 1-600 SOL, shallow and deep releases. \"seeded\" is the"
    );
    let _ = writeln!(
        out,
        "baseline run with fixed keys (a PDA bump search costs ~1,500 CU per extra try), which"
    );
    let _ = writeln!(
        out,
        "`tests/compute_guard.rs` replays in CI, failing when any row rises more than 5 %.\n"
    );
    let _ = writeln!(out, "| instruction | seeded | min | median | max |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for (i, (name, seeded)) in runs[0].iter().enumerate() {
        let s = stats(runs.iter().map(|r| r[i].1).collect());
        let _ = writeln!(
            out,
            "| {name} | {seeded} | {} | {} | {} |",
            s.min, s.median, s.max
        );
    }

    let _ = writeln!(out, "\n## Scale\n");
    let _ = writeln!(
        out,
        "Release and settlement touch no position: writers settle lazily, pro rata, at reclaim."
    );
    let _ = writeln!(
        out,
        "Target: at 10,000 writers <= 1.05 x the cost at 1 writer; a release step <= 40,000 CU.\n"
    );
    let _ = writeln!(out, "| writers in the series | trigger | settle_series |");
    let _ = writeln!(out, "|---|---|---|");
    let scale: Vec<_> = std::env::var("BENCH_WRITERS")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1usize, 100, 1_000, 10_000]);
    let mut scaled = vec![];
    for n in scale {
        let (t, st) = release_and_settle_with_writers(n);
        let _ = writeln!(out, "| {n} | {t} | {st} |");
        scaled.push((n, t, st));
    }
    let _ = writeln!(out, "\n| open series in the vault | write_put |");
    let _ = writeln!(out, "|---|---|");
    let mut writes = vec![];
    for n in [1usize, 50] {
        let cu = write_with_open_series(n);
        let _ = writeln!(out, "| {n} | {cu} |");
        writes.push(cu);
    }

    let _ = writeln!(out, "\n## By CPI from a protected protocol\n");
    let _ = writeln!(
        out,
        "Whole transactions of `programs/example-lender` calling Backstop along one crash (its own"
    );
    let _ = writeln!(
        out,
        "account checks included): what a lender's instruction should budget. docs/INTEGRATION.md.\n"
    );
    let _ = writeln!(out, "| call | compute units |");
    let _ = writeln!(out, "|---|---|");
    for (what, cu) in cpi_units() {
        let _ = writeln!(out, "| {what} | {cu} |");
    }

    // Targets of the benchmark issue, reported as measured (missed ones say by how much).
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let write_target = 2 * (5_707 + 2 * 4_645);
    let write_rows = runs
        .iter()
        .flatten()
        .filter(|(name, _)| name.starts_with("write_put"))
        .map(|(_, cu)| *cu);
    let write_max = writes.iter().copied().chain(write_rows).max().unwrap_or(0);
    let (first, last) = (scaled.first().copied(), scaled.last().copied());
    let _ = writeln!(out, "\n## Targets\n");
    let _ = writeln!(out, "| target | measured | status |");
    let _ = writeln!(out, "|---|---|---|");
    let _ = writeln!(
        out,
        "| whole premium <= 12,000 CU | max {} (engine, all vectors) | {} |",
        vec_engine.max,
        verdict(vec_engine.max <= 12_000)
    );
    let _ = writeln!(
        out,
        "| oracle read + validation <= 1,600 CU | max {} | {} |",
        oracle_read.max,
        verdict(oracle_read.max <= 1_600)
    );
    let _ = writeln!(
        out,
        "| write_put <= 2 x (5,707 + 2 x 4,645) = {write_target} CU | max {write_max} | {} ({:.2} x the target) |",
        verdict(write_max <= write_target),
        write_max as f64 / write_target as f64
    );
    if let (Some((n0, t0, s0)), Some((n1, t1, s1))) = (first, last) {
        let _ = writeln!(
            out,
            "| trigger and settle at {n1} writers <= 1.05 x at {n0} | trigger {:.4} x, settle {:.4} x | {} |",
            t1 as f64 / t0 as f64,
            s1 as f64 / s0 as f64,
            verdict(t1 * 100 <= t0 * 105 && s1 * 100 <= s0 * 105)
        );
        let step_max = runs
            .iter()
            .flatten()
            .filter(|(name, _)| name.starts_with("trigger"))
            .map(|(_, cu)| *cu)
            .chain(scaled.iter().map(|&(_, t, _)| t))
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "| release step (trigger) <= 40,000 CU | max {step_max} | {} |",
            verdict(step_max <= 40_000)
        );
    }

    // Where write_put's units go: a one-off profile (sol_log_compute_units between the
    // handler's phases, 2026-12-02, not kept in the program: every log costs ~100 CU).
    for line in [
        "",
        "Why `write_put` misses: the target assumes a premium (5,707) and two classic SPL Token",
        "transfers (4,645 each). Both are met here: the engine costs ~4,700-7,500 CU and each of",
        "the three token CPIs 2,300-3,000 (the token program itself ~100 under p-token; the rest",
        "is the invoke and PDA signing). What the formula leaves out is Anchor's fixed cost,",
        "measured by logging the meter between the handler's phases of a write on an existing",
        "position: entry, loading and checking the accounts ~15,300, of which the position's PDA",
        "search is ~1,500 per bump tried (~4,500 at bump 253); checks, oracle read and quote",
        "~10,200; token CPIs ~8,200; the event's self-CPI (`emit_cpi!`) ~4,300; books ~700;",
        "writing the accounts back ~2,400. Already taken out: the zero-copy `Vault` (~9,800 on",
        "every instruction that loads it), the reserve, escrow, put mint, holder and quote mint",
        "passed through undeserialized (checked by `has_one` against the vault and the series,",
        "~4,400), the config checked by address instead of re-derived (~1,500), and Anchor's",
        "duplicate-account check (a std `HashSet`, ~12,000) replaced by `guards::distinct`. Left",
        "on the way to 30,000: a position opened by its own instruction and then checked by",
        "`has_one` (no PDA search), a zero-copy `Series`, and plain `emit!` logs instead of the",
        "event CPI (kept: indexers read CPI events from any RPC, logs can be truncated).",
    ] {
        let _ = writeln!(out, "{line}");
    }

    let _ = writeln!(out, "\n## Accounts and binaries\n");
    let _ = writeln!(out, "| account | bytes | rent-exempt lamports |");
    let _ = writeln!(out, "|---|---|---|");
    for (name, bytes, rent) in account_sizes() {
        let _ = writeln!(out, "| {name} | {bytes} | {rent} |");
    }
    let _ = writeln!(out, "\n| program | .so bytes |");
    let _ = writeln!(out, "|---|---|");
    for name in ["backstop", "example_lender"] {
        let _ = writeln!(
            out,
            "| {name} | {} |",
            backstop_harness::read_program(name).len()
        );
    }
    let asm_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/deploy/backstop.s"
    );
    if let Ok(asm) = std::fs::read_to_string(asm_path) {
        let _ = writeln!(
            out,
            "\nWhere `backstop.so`'s code goes (bytes of instructions per function, from its assembly;"
        );
        let _ = writeln!(
            out,
            "linked with the inliner's threshold at 0, `scripts/build-sbf.sh`):\n"
        );
        let _ = writeln!(out, "| part | code bytes | share |");
        let _ = writeln!(out, "|---|---|---|");
        let parts = code_by_part(&backstop_litesvm_tests::stack::text_sizes(&asm));
        let total: u64 = parts.iter().map(|p| p.1).sum();
        for (part, bytes) in &parts {
            let share = *bytes as f64 * 100.0 / total.max(1) as f64;
            let _ = writeln!(out, "| {part} | {bytes} | {share:.0} % |");
        }
        let frames = backstop_litesvm_tests::stack::frame_sizes(&asm);
        let over_half = frames.iter().filter(|f| f.1 > 2_048).count();
        let _ = writeln!(out, "\n## Stack frames\n");
        let _ = writeln!(
            out,
            "Deepest byte below `r10` each function of `backstop.so` addresses (its assembly, from"
        );
        let _ = writeln!(
            out,
            "`SBF_ASM=1 scripts/build-sbf.sh backstop`); SBPF gives every frame 4,096 bytes. {} functions,",
            frames.len()
        );
        let _ = writeln!(
            out,
            "{over_half} of them above 2 KiB. The ten closest to the limit:\n"
        );
        let _ = writeln!(out, "| function | frame bytes | headroom |");
        let _ = writeln!(out, "|---|---|---|");
        for (name, bytes) in frames.iter().take(10) {
            let name = short_name(name);
            let _ = writeln!(out, "| `{name}` | {bytes} | {} |", 4_096i64 - *bytes as i64);
        }
    }

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/COMPUTE_UNITS.md");
    std::fs::write(path, &out).expect("write docs/COMPUTE_UNITS.md");
    print!("{out}");
}

/// Whether a function (demangled name) belongs to a part of the code.
type NameTest = fn(&str) -> bool;

/// Code bytes grouped by what the code does: Anchor's generated account loading, the
/// instruction bodies (handler, events, write-back), error names, the pricing math, the rest.
fn code_by_part(sizes: &[(String, u64)]) -> Vec<(&'static str, u64)> {
    let parts: [(&str, NameTest); 5] = [
        (
            "Anchor account loading and checks (`try_accounts`, init closures)",
            |n| n.contains("try_accounts"),
        ),
        (
            "instruction bodies (`__global::*`: handler, events, account write-back)",
            |n| n.contains("__private::__global"),
        ),
        (
            "error names and messages (the program's and Anchor's)",
            |n| n.contains("BackstopError") || n.contains("anchor_lang_error"),
        ),
        ("pricing math (`math::`)", |n| n.contains("backstop::math")),
        (
            "everything else (deserialization, oracle, std, Anchor runtime)",
            |_| true,
        ),
    ];
    let mut totals = [0u64; 5];
    for (name, bytes) in sizes {
        if let Some(i) = parts.iter().position(|(_, matches)| matches(name)) {
            totals[i] += bytes;
        }
    }
    parts
        .iter()
        .zip(totals)
        .map(|((part, _), t)| (*part, t))
        .collect()
}
