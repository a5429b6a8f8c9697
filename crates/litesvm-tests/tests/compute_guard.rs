//! CI guard: replays the benchmark's life cycle on the built .so and fails when any
//! instruction costs more than 5 % above docs/COMPUTE_UNITS.md (update the table, with
//! `scripts/bench.sh`, in the same commit as the change that moves it).
use backstop_litesvm_tests::bench::{committed_instruction_table, life_cycle};

fn committed_table() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/COMPUTE_UNITS.md"
    ))
    .expect("docs/COMPUTE_UNITS.md")
}

#[test]
fn no_instruction_costs_more_than_5_percent_above_the_committed_table() {
    let table = committed_table();
    let committed = committed_instruction_table(&table);
    let measured = life_cycle();
    assert_eq!(
        committed.len(),
        measured.len(),
        "the table lists every measured instruction: {committed:?}"
    );
    let mut over = vec![];
    for (name, cu) in &measured {
        let (_, limit) = committed
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} missing from docs/COMPUTE_UNITS.md"));
        println!("{name}: {cu} CU (committed {limit})");
        if *cu * 100 > *limit * 105 {
            over.push(format!("{name}: {cu} > 1.05 x {limit}"));
        }
    }
    assert!(over.is_empty(), "compute units rose: {over:?}");
}

/// The same 5 % guard on the two pieces with their own targets: the oracle read and the
/// premium engine (the worst case over the same inputs as the benchmark).
#[test]
fn oracle_read_and_premium_engine_stay_within_5_percent_of_the_table() {
    use backstop_litesvm_tests::{bench::*, pricing::*, Env};
    let table = committed_table();
    let oracle_limit = committed_row_max(&table, "oracle read + validation").expect("oracle row");
    let engine_limit =
        committed_row_max(&table, "premium engine (hourly lookback), realistic grid")
            .expect("engine row");
    let oracle = oracle_read_units()
        .iter()
        .map(|o| o.0)
        .max()
        .expect("samples");
    let mut env = Env::new();
    let payer = simulation_payer(&mut env.svm);
    let engine = realistic_grid()
        .into_iter()
        .map(|a| quote_on_chain(&env.svm, &payer, a).engine_compute_units)
        .max()
        .expect("samples");
    println!("oracle read: max {oracle} CU (committed {oracle_limit}); engine: max {engine} CU (committed {engine_limit})");
    assert!(
        oracle * 100 <= oracle_limit * 105,
        "oracle read rose: {oracle} > 1.05 x {oracle_limit}"
    );
    assert!(
        engine * 100 <= engine_limit * 105,
        "premium engine rose: {engine} > 1.05 x {engine_limit}"
    );
    assert!(oracle > 0 && engine > 0, "the meters were read");
}

/// The same guard on what a protocol pays by CPI (the table docs/INTEGRATION.md points to).
#[test]
fn cpi_calls_cost_no_more_than_5_percent_above_the_committed_table() {
    let table = committed_table();
    let section = table
        .split("## By CPI from a protected protocol")
        .nth(1)
        .expect("the CPI section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let mut over = vec![];
    for (what, cu) in backstop_litesvm_tests::bench::cpi_units() {
        let row = format!("| {what} | ");
        let limit: u64 = section
            .lines()
            .find_map(|l| l.strip_prefix(&row))
            .and_then(|rest| rest.trim_end_matches(" |").parse().ok())
            .unwrap_or_else(|| panic!("{what} missing from the CPI table"));
        println!("{what}: {cu} CU (committed {limit})");
        if cu * 100 > limit * 105 {
            over.push(format!("{what}: {cu} > 1.05 x {limit}"));
        }
    }
    assert!(over.is_empty(), "CPI costs rose: {over:?}");
}
