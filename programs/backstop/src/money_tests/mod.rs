//! Property tests of every arithmetic path that moves money: payouts never exceed the escrow,
//! roundings favour the escrow (and the reserve), pro-rata shares sum to at most the whole.
//!
//! Every property runs `math::tests::cases()` cases (10,000 by default;
//! `BACKSTOP_PROPTEST_CASES=<n>` overrides it) on a fixed seed, and checks the program's own
//! functions against exact `u128` reference arithmetic (never floats).
//!
//! * [`units`]: strike/escrow/premium/payout conversions (`crate::units`).
//! * [`release`]: step sizing (the ratchet, epoch cap, release grid, keeper tip).
//! * [`ratchet`]: whole crashes: no crank lowers what the protocol finally receives.
//! * [`lifecycle`]: whole series: writes, triggers, settlement, reclaims, close (dust sweep).
//! * [`reserve`]: the premium reserve: withdrawals, premiums, tips, budgets.
//! * [`oracle`]: price normalisation (rounds the spot up, the confidence down).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod lifecycle;
mod oracle;
mod ratchet;
mod release;
mod reserve;
mod units;

pub(crate) use crate::math::tests::runner;
use proptest::prelude::*;

/// Largest quote decimals a vault accepts (`create_vault`: `<= PRICE_DECIMALS`).
pub(crate) const MAX_QUOTE_DECIMALS: u8 = 12;
/// Largest collateral decimals a vault accepts (`create_vault`).
pub(crate) const MAX_COLLATERAL_DECIMALS: u8 = crate::constants::MAX_COLLATERAL_DECIMALS;

pub(crate) fn pow10(e: u32) -> u128 {
    10u128.pow(e)
}

/// `10^(cd + 12 - qd)`, independently of `units::quote_scale`.
pub(crate) fn scale(cd: u8, qd: u8) -> u128 {
    pow10(u32::from(cd) + 12 - u32::from(qd))
}

/// Largest strike (quote base units) whose `PRICE_SCALE` price fits a `u64`.
pub(crate) fn max_strike(qd: u8) -> u64 {
    (u128::from(u64::MAX) / pow10(12 - u32::from(qd))) as u64
}

/// Largest total size whose escrow `ceil(strike * size / 10^cd)` fits a `u64` (what
/// `open_series` admits as a size cap).
pub(crate) fn max_size(strike: u64, cd: u8) -> u64 {
    let m = u128::from(u64::MAX) * pow10(u32::from(cd)) / u128::from(strike);
    m.min(u128::from(u64::MAX)) as u64
}

/// A value in `lo..=hi` spread over every magnitude, with the edges (`lo`, `lo + 1`, `hi - 1`,
/// `hi`) drawn often: one draw of `(x, sel)` mapped by `sel` (cheap, even unoptimised).
pub(crate) fn amount(lo: u64, hi: u64) -> impl Strategy<Value = u64> + Clone {
    assert!(lo <= hi);
    let span = hi - lo;
    // An offset in 0..=span.
    let fold = move |v: u64| if span == u64::MAX { v } else { v % (span + 1) };
    (any::<u64>(), any::<u16>()).prop_map(move |(x, sel)| {
        let shift = u32::from(sel >> 8) % 64;
        match sel % 12 {
            0 => lo,
            1 => lo.saturating_add(1).min(hi),
            2 => hi.saturating_sub(1).max(lo),
            3 => hi,
            // Log-spread above `lo`, below `hi`, or anywhere.
            4..=7 => lo + fold(x >> shift),
            8 | 9 => hi - fold(x >> shift),
            _ => lo + fold(x),
        }
    })
}

/// Every decimals pair a vault accepts: `(collateral, quote)`.
pub(crate) fn decimals() -> impl Strategy<Value = (u8, u8)> {
    (0..=MAX_COLLATERAL_DECIMALS, 0..=MAX_QUOTE_DECIMALS)
}

/// A price strictly below `strike_price` (and above 0, as the oracle guarantees), near either
/// end or anywhere; `None` when no such price exists.
pub(crate) fn price_below(strike_price: u64, sel: u8, raw: u64) -> Option<u64> {
    if strike_price <= 1 {
        return None;
    }
    let room = strike_price - 1; // prices 1..=strike_price-1
    Some(match sel % 4 {
        0 => 1,
        1 => strike_price - 1,
        2 => strike_price - 1 - raw % room,
        _ => 1 + raw % room,
    })
}

/// Any oracle price (> 0): below, at or above the strike.
pub(crate) fn any_price(strike_price: u64, sel: u8, raw: u64) -> u64 {
    match sel % 6 {
        0 => strike_price.max(1),
        1 => strike_price.saturating_add(1 + raw % 1_000),
        2 => raw.max(1),
        _ => price_below(strike_price, sel, raw).unwrap_or(1),
    }
}

/// Log-spread raw value for [`price_below`] / [`any_price`].
pub(crate) fn raw_u64() -> impl Strategy<Value = u64> {
    (any::<u64>(), 0u32..64).prop_map(|(x, s)| x >> s)
}
