//! Running the on-chain pricing engine (`quote_premium`) in LiteSVM, and the shared vectors.
use anchor_lang::{
    solana_program::instruction::Instruction, AnchorDeserialize, InstructionData, ToAccountMetas,
};
use backstop::{
    instructions::{PremiumQuoteResult, QuotePremiumArgs},
    state::SviSlice,
};
use backstop_harness::{Keypair, LiteSVM, Signer};
use serde_json::Value;

pub fn quote_premium_ix(args: QuotePremiumArgs) -> Instruction {
    Instruction {
        program_id: backstop::ID,
        accounts: backstop::accounts::QuotePremium {}.to_account_metas(None),
        data: backstop::instruction::QuotePremium { args }.data(),
    }
}

/// Outcome of one on-chain quote: the decoded result or the Anchor error name, the compute
/// units of the engine alone (from the program's meter logs) and of the whole transaction.
pub struct OnChainQuote {
    pub result: Result<PremiumQuoteResult, String>,
    pub engine_compute_units: u64,
    pub tx_compute_units: u64,
}

/// `quote_premium` and `check_price` log the meter as r0, r1 (nothing in between: the logging
/// cost itself), then r2 after the measured code: it costs `(r1 - r2) - (r0 - r1)`.
pub fn metered_units(logs: &[String]) -> u64 {
    let r: Vec<u64> = logs
        .iter()
        .filter_map(|l| l.strip_prefix("Program consumption: "))
        .filter_map(|l| l.split(' ').next()?.parse().ok())
        .collect();
    match r[..] {
        [r0, r1, r2] => (r1 - r2) - (r0 - r1),
        _ => 0,
    }
}

/// Simulates `quote_premium` (a view: nothing is written) and decodes its return data.
pub fn quote_on_chain(svm: &LiteSVM, payer: &Keypair, args: QuotePremiumArgs) -> OnChainQuote {
    let tx = solana_tx(svm, payer, quote_premium_ix(args));
    match svm.simulate_transaction(tx) {
        Ok(sim) => {
            let meta = sim.meta;
            let data = meta.return_data.data.clone();
            let result =
                PremiumQuoteResult::deserialize(&mut data.as_slice()).expect("return data");
            OnChainQuote {
                result: Ok(result),
                engine_compute_units: metered_units(&meta.logs),
                tx_compute_units: meta.compute_units_consumed,
            }
        }
        Err(e) => {
            let name = e
                .meta
                .logs
                .iter()
                .find_map(|l| l.split("Error Code: ").nth(1))
                .and_then(|rest| rest.split('.').next())
                .map(str::to_string)
                .unwrap_or_else(|| format!("{:?}: {}", e.err, e.meta.logs.join(" | ")));
            OnChainQuote {
                result: Err(name),
                engine_compute_units: 0,
                tx_compute_units: e.meta.compute_units_consumed,
            }
        }
    }
}

fn solana_tx(svm: &LiteSVM, payer: &Keypair, ix: Instruction) -> backstop_harness::Transaction {
    backstop_harness::Transaction::new_signed_with_payer(
        &[ix],
        Some(&payer.pubkey()),
        &[payer],
        svm.latest_blockhash(),
    )
}

fn num<T: std::str::FromStr>(v: &Value, key: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing"))
        .parse()
        .expect("integer")
}

/// One `put_premium` case of `tests/vectors/pricing.json`: inputs and the expected
/// outcome (the engine's output, or the `MathError` name).
pub struct PremiumVector {
    pub args: QuotePremiumArgs,
    pub expected: Result<(u64, u64, u64, u64, u64, bool), String>,
}

pub fn premium_vectors() -> Vec<PremiumVector> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/pricing.json"
    );
    let text = std::fs::read_to_string(path).expect("pricing vectors");
    let json: Value = serde_json::from_str(&text).expect("vectors json");
    json["put_premium"]
        .as_array()
        .expect("put_premium vectors")
        .iter()
        .map(|v| {
            let s = &v["svi"];
            let args = QuotePremiumArgs {
                spot: num(v, "spot"),
                strike: num(v, "strike"),
                confidence: num(v, "confidence"),
                tenor_secs: num(v, "tenor_secs"),
                svi: SviSlice {
                    a: num(s, "a"),
                    b: num(s, "b"),
                    rho: num(s, "rho"),
                    m: num(s, "m"),
                    sigma: num(s, "sigma"),
                },
                rate: num(v, "rate"),
                conf_multiplier_bps: num(v, "conf_multiplier_bps"),
                tail_loading_bps: num(v, "tail_loading_bps"),
                min_premium: num(v, "min_premium"),
                release_interval_secs: num(v, "release_interval_secs"),
            };
            let expected = match v["err"].as_str() {
                Some(err) => Err(format!("Math{err}")),
                None => {
                    let o = &v["out"];
                    Ok((
                        num(o, "premium"),
                        num(o, "intrinsic"),
                        num(o, "fair_price"),
                        num(o, "shifted_spot"),
                        num(o, "total_variance"),
                        o["min_premium_applied"].as_bool().expect("bool"),
                    ))
                }
            };
            PremiumVector { args, expected }
        })
        .collect()
}

/// A realistic grid: moneyness K/S 0.3-2.0, volatility 5-300 % (flat slice: a = vol^2, b = 0
/// except a mild skew), tenor 1 hour - 1 year, 1 % confidence haircut, 1.5x tail loading.
pub fn realistic_grid() -> Vec<QuotePremiumArgs> {
    const PRICE: u64 = 1_000_000_000_000; // 1.0 in PRICE_SCALE (1e-12)
    const PARAM: i64 = 1_000_000_000; // 1.0 in PARAM_SCALE (1e-9)
    let spot = 150 * PRICE;
    let mut out = vec![];
    for moneyness_pct in [30u64, 50, 70, 85, 100, 115, 150, 200] {
        for vol_pct in [5i64, 20, 60, 120, 300] {
            for tenor in [3_600u64, 86_400, 7 * 86_400, 30 * 86_400, 365 * 86_400] {
                let var = vol_pct * vol_pct * PARAM / 10_000;
                out.push(QuotePremiumArgs {
                    spot,
                    strike: spot / 100 * moneyness_pct,
                    confidence: spot / 1_000,
                    tenor_secs: tenor,
                    svi: SviSlice {
                        a: var,
                        b: var / 20,
                        rho: -PARAM / 2,
                        m: 0,
                        sigma: PARAM / 10,
                    },
                    rate: 0,
                    conf_multiplier_bps: 10_000,
                    tail_loading_bps: 15_000,
                    min_premium: 0,
                    // What write_put prices: the lookback on an hourly release grid.
                    release_interval_secs: 3_600,
                });
            }
        }
    }
    out
}

/// A payer for simulations (funded: the fee payer must exist even when nothing is sent).
pub fn simulation_payer(svm: &mut LiteSVM) -> Keypair {
    backstop_harness::funded_keypair(svm)
}
