//! CI guard: replays the benchmark's life cycle on the built .so and fails when any
//! instruction costs more than 5 % above docs/COMPUTE_UNITS.md (update the table, with
//! `scripts/bench.sh`, in the same commit as the change that moves it).
use backstop_litesvm_tests::bench::{committed_instruction_table, life_cycle};

#[test]
fn no_instruction_costs_more_than_5_percent_above_the_committed_table() {
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/COMPUTE_UNITS.md"
    ))
    .expect("docs/COMPUTE_UNITS.md");
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
