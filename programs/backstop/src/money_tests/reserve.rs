//! The premium reserve under any sequence of funding, withdrawals, series openings, premiums
//! (rounded down), keeper tips, settlements and dust sweeps: it always covers the premium
//! committed to open series, so every premium and tip it pays is there, and a withdrawal is
//! refused only when it would dip into committed premium.

use super::*;
use crate::instructions::trigger::keeper_tip;
use crate::instructions::withdraw_reserve::check_withdrawal;
use crate::units::quote_amount_down;

#[derive(Debug, Clone)]
enum Op {
    Fund(u64),
    Withdraw(u64),
    /// `open_series`: a budget, as a fraction (`/ u64::MAX`) of the uncommitted reserve.
    Open(u64),
    /// `write_put` on series `i % open`: premium per unit (`PRICE_SCALE`) and size.
    Write(usize, u64, u64),
    Tip(u64),
    /// `settle_series` on series `i % open`: releases its unspent budget.
    Settle(usize),
    /// `close_series`: escrow dust swept into the reserve.
    Sweep(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => amount(1, u64::MAX).prop_map(Op::Fund),
        1 => amount(0, u64::MAX).prop_map(Op::Withdraw),
        1 => amount(0, u64::MAX).prop_map(Op::Open),
        3 => (any::<usize>(), amount(0, u64::MAX), amount(1, u64::MAX))
            .prop_map(|(i, p, s)| Op::Write(i, p, s)),
        1 => amount(0, u64::MAX).prop_map(Op::Tip),
        1 => any::<usize>().prop_map(Op::Settle),
        1 => amount(0, 64).prop_map(Op::Sweep),
    ]
}

struct Budget {
    budget: u64,
    paid: u64,
}

#[test]
fn the_reserve_always_covers_committed_premium() {
    runner(130)
        .run(
            &(decimals(), prop::collection::vec(op(), 1..40)),
            |((cd, qd), ops)| {
                let (mut reserve, mut committed) = (0u64, 0u64);
                let mut series: Vec<Budget> = Vec::new();
                for op in ops {
                    match op {
                        // A deposit past u64 fails in the token program.
                        Op::Fund(a) | Op::Sweep(a) => {
                            reserve = reserve.checked_add(a).unwrap_or(reserve)
                        }
                        Op::Withdraw(a) => match check_withdrawal(a, reserve, committed) {
                            Ok(()) => {
                                prop_assert!(a <= reserve);
                                reserve -= a;
                                prop_assert!(reserve >= committed, "withdrew committed premium");
                            }
                            // Refused only when it would dip into committed premium.
                            Err(_) => prop_assert!(
                                a == 0
                                    || u128::from(reserve) < u128::from(committed) + u128::from(a)
                            ),
                        },
                        Op::Open(f) => {
                            // open_series admits budget <= reserve - committed (saturating).
                            let uncommitted = reserve.saturating_sub(committed);
                            let budget = (u128::from(uncommitted) * u128::from(f)
                                / u128::from(u64::MAX))
                                as u64;
                            committed += budget;
                            series.push(Budget { budget, paid: 0 });
                        }
                        Op::Write(i, per_unit, size) => {
                            if series.is_empty() {
                                continue;
                            }
                            let n = series.len();
                            let s = &mut series[i % n];
                            let Ok(premium) = quote_amount_down(per_unit, size, cd, qd) else {
                                continue;
                            };
                            // write_put: premium_paid + premium <= premium_budget.
                            let Some(paid) = s.paid.checked_add(premium) else {
                                continue;
                            };
                            if paid > s.budget {
                                continue;
                            }
                            prop_assert!(premium <= reserve, "premium not in the reserve");
                            reserve -= premium;
                            committed = committed.checked_sub(premium).unwrap();
                            s.paid = paid;
                            // Rounded down: never more than the exact premium.
                            let exact = u128::from(per_unit) * u128::from(size);
                            prop_assert!(u128::from(premium) * scale(cd, qd) <= exact);
                        }
                        Op::Tip(setting) => {
                            let tip = keeper_tip(setting, reserve, committed);
                            prop_assert!(tip <= setting && tip <= reserve);
                            reserve -= tip;
                        }
                        Op::Settle(i) => {
                            if series.is_empty() {
                                continue;
                            }
                            let s = series.swap_remove(i % series.len());
                            committed = committed.checked_sub(s.budget - s.paid).unwrap();
                        }
                    }
                    prop_assert!(reserve >= committed, "reserve below committed premium");
                    let open: u64 = series.iter().map(|s| s.budget - s.paid).sum();
                    prop_assert_eq!(committed, open);
                }
                Ok(())
            },
        )
        .unwrap();
}
