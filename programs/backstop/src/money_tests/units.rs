//! `crate::units`: what a writer escrows rounds up, what leaves an escrow or the reserve rounds
//! down, each by less than one base unit; a payout never exceeds the escrow of the same size.

use super::*;
use crate::units::{escrow_for, intrinsic_for, quote_amount_down, quote_scale, strike_to_price};

/// Strike (quote base units) and decimals a vault and series accept.
fn strike_case() -> impl Strategy<Value = (u8, u8, u64)> {
    decimals().prop_flat_map(|(cd, qd)| (Just(cd), Just(qd), amount(1, max_strike(qd))))
}

#[test]
fn strike_price_is_exact_or_refused() {
    runner(100)
        .run(&(0u8..=20, amount(0, u64::MAX)), |(qd, strike)| {
            let got = strike_to_price(strike, qd);
            if qd > MAX_QUOTE_DECIMALS {
                prop_assert!(got.is_err());
                return Ok(());
            }
            let exact = u128::from(strike) * pow10(12 - u32::from(qd));
            match got {
                Ok(p) => prop_assert_eq!(u128::from(p), exact),
                Err(_) => prop_assert!(exact > u128::from(u64::MAX)),
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn escrow_rounds_up_by_less_than_one_unit() {
    runner(101)
        .run(
            &(
                0..=MAX_COLLATERAL_DECIMALS,
                amount(0, u64::MAX),
                amount(0, u64::MAX),
            ),
            |(cd, strike, size)| {
                let exact = u128::from(strike) * u128::from(size); // x 10^-cd quote base units
                let d = pow10(u32::from(cd));
                match escrow_for(strike, size, cd) {
                    Ok(e) => {
                        let e = u128::from(e) * d;
                        prop_assert!(e >= exact, "escrow below strike x size");
                        prop_assert!(e - exact < d, "escrow more than one unit above");
                    }
                    // Refused only when the rounded-up escrow does not fit a u64.
                    Err(_) => prop_assert!(exact.div_ceil(d) > u128::from(u64::MAX)),
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn premium_rounds_down_by_less_than_one_unit() {
    runner(102)
        .run(
            &(decimals(), amount(0, u64::MAX), amount(0, u64::MAX)),
            |((cd, qd), per_unit, size)| {
                prop_assert_eq!(quote_scale(cd, qd).unwrap(), scale(cd, qd));
                let exact = u128::from(per_unit) * u128::from(size); // x 1/scale
                let s = scale(cd, qd);
                match quote_amount_down(per_unit, size, cd, qd) {
                    Ok(q) => {
                        let q = u128::from(q) * s; // no overflow: q * s <= exact < 2^128
                        prop_assert!(q <= exact, "amount above the exact value");
                        prop_assert!(exact - q < s, "amount more than one unit below");
                    }
                    Err(_) => prop_assert!(exact / s > u128::from(u64::MAX)),
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn splitting_a_write_never_lowers_the_escrow_or_raises_the_premium() {
    runner(103)
        .run(
            &(
                strike_case(),
                amount(0, u64::MAX),
                amount(1, u64::MAX),
                any::<u64>(),
            ),
            |((cd, qd, strike), per_unit, total, cut)| {
                let total = total.min(max_size(strike, cd));
                let a = cut % total.saturating_add(1);
                let b = total - a;
                let e = |s| u128::from(escrow_for(strike, s, cd).unwrap());
                prop_assert!(e(a) + e(b) >= e(total));
                if let Ok(whole) = quote_amount_down(per_unit, total, cd, qd) {
                    let p = |s| u128::from(quote_amount_down(per_unit, s, cd, qd).unwrap());
                    prop_assert!(p(a) + p(b) <= u128::from(whole));
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn a_payout_never_exceeds_the_escrow_of_the_same_size() {
    runner(104)
        .run(
            &(strike_case(), amount(0, u64::MAX), amount(0, u64::MAX)),
            |((cd, qd, strike), size, spot)| {
                // Any size open_series admits (its escrow fits), any spot (even 0).
                let size = size.min(max_size(strike, cd));
                let k = strike_to_price(strike, qd).unwrap();
                let escrow = escrow_for(strike, size, cd).unwrap();
                let payout = intrinsic_for(k, spot, size, cd, qd).unwrap();
                prop_assert!(payout <= escrow, "payout {} > escrow {}", payout, escrow);
                // ... and it is the intrinsic value rounded down.
                let exact = u128::from(k.saturating_sub(spot)) * u128::from(size);
                let p = u128::from(payout) * scale(cd, qd);
                prop_assert!(p <= exact && exact - p < scale(cd, qd));
                // The exact payout never exceeds the exact strike value either.
                prop_assert!(
                    u128::from(payout) * pow10(u32::from(cd))
                        <= u128::from(strike) * u128::from(size)
                );
                Ok(())
            },
        )
        .unwrap();
}

/// Every decimals pair at the extreme strikes and sizes (deterministic complement of the above).
#[test]
fn every_decimals_pair_at_the_edges() {
    for cd in 0..=MAX_COLLATERAL_DECIMALS {
        for qd in 0..=MAX_QUOTE_DECIMALS {
            for strike in [1, 2, 999_999, max_strike(qd) - 1, max_strike(qd)] {
                let k = strike_to_price(strike, qd).unwrap();
                for size in [1, 2, 10u64.pow(u32::from(cd)), max_size(strike, cd)] {
                    let size = size.min(max_size(strike, cd));
                    let escrow = escrow_for(strike, size, cd).unwrap();
                    for spot in [0, 1, k / 2, k - 1, k, u64::MAX] {
                        let payout = intrinsic_for(k, spot, size, cd, qd).unwrap();
                        assert!(payout <= escrow, "cd={cd} qd={qd} K={strike} s={size}");
                    }
                }
            }
        }
    }
}
