//! Conversions between the vault's token units and the pricing engine's price scale, each
//! rounding in the escrow's favour: what must enter an escrow rounds up, what leaves one (or
//! the reserve) rounds down.
//!
//! Units: strikes are quote base units per whole collateral unit; sizes are collateral base
//! units (`cd` decimals); prices are `PRICE_SCALE` (1e-12) quote per collateral unit.
use anchor_lang::prelude::*;

use crate::{constants::PRICE_DECIMALS, errors::BackstopError};

fn pow10(exp: u32) -> Result<u128> {
    10u128
        .checked_pow(exp)
        .ok_or_else(|| BackstopError::MathOverflow.into())
}

fn to_u64(v: u128) -> Result<u64> {
    u64::try_from(v).map_err(|_| BackstopError::MathOverflow.into())
}

/// `PRICE_DECIMALS - quote_decimals` (the quote has at most 12 decimals).
fn quote_gap(quote_decimals: u8) -> Result<u32> {
    u32::try_from(PRICE_DECIMALS)
        .ok()
        .and_then(|p| p.checked_sub(u32::from(quote_decimals)))
        .ok_or_else(|| BackstopError::InvalidQuoteDecimals.into())
}

/// A strike in quote base units per whole collateral unit, as a `PRICE_SCALE` price (exact).
pub fn strike_to_price(strike: u64, quote_decimals: u8) -> Result<u64> {
    let v = u128::from(strike)
        .checked_mul(pow10(quote_gap(quote_decimals)?)?)
        .ok_or(BackstopError::MathOverflow)?;
    to_u64(v)
}

/// Quote base units a writer escrows for `size` at `strike`: `ceil(strike * size / 10^cd)`.
pub fn escrow_for(strike: u64, size: u64, collateral_decimals: u8) -> Result<u64> {
    let num = u128::from(strike)
        .checked_mul(u128::from(size))
        .ok_or(BackstopError::MathOverflow)?;
    let den = pow10(u32::from(collateral_decimals))?;
    to_u64(num.div_ceil(den))
}

/// Quote base units paid for `size` collateral delivered at `strike`, rounded down (it leaves
/// the escrow): `floor(strike * size / 10^cd)`. At most what `escrow_for` took for that size.
pub fn delivery_payment(strike: u64, size: u64, collateral_decimals: u8) -> Result<u64> {
    let num = u128::from(strike)
        .checked_mul(u128::from(size))
        .ok_or(BackstopError::MathOverflow)?;
    let den = pow10(u32::from(collateral_decimals))?;
    to_u64(num.checked_div(den).ok_or(BackstopError::MathOverflow)?)
}

/// `10^(cd + 12 - qd)`: divides (per-unit `PRICE_SCALE` amount x collateral base units) down to
/// quote base units.
pub fn quote_scale(collateral_decimals: u8, quote_decimals: u8) -> Result<u128> {
    let exp = u32::from(collateral_decimals)
        .checked_add(quote_gap(quote_decimals)?)
        .ok_or(BackstopError::MathOverflow)?;
    pow10(exp)
}

/// Quote base units for `size` collateral base units at a per-unit `PRICE_SCALE` amount,
/// rounded down: `floor(per_unit * size / 10^(cd + 12 - qd))`.
pub fn quote_amount_down(
    per_unit: u64,
    size: u64,
    collateral_decimals: u8,
    quote_decimals: u8,
) -> Result<u64> {
    let num = u128::from(per_unit)
        .checked_mul(u128::from(size))
        .ok_or(BackstopError::MathOverflow)?;
    let den = quote_scale(collateral_decimals, quote_decimals)?;
    let q = num.checked_div(den).ok_or(BackstopError::MathOverflow)?;
    to_u64(q)
}

/// In-the-money value of `size` puts at `spot` (`PRICE_SCALE`), rounded down:
/// `floor((K - S)+ * size)` in quote base units.
pub fn intrinsic_for(
    strike_price: u64,
    spot: u64,
    size: u64,
    collateral_decimals: u8,
    quote_decimals: u8,
) -> Result<u64> {
    let per_unit = strike_price.saturating_sub(spot);
    quote_amount_down(per_unit, size, collateral_decimals, quote_decimals)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    const USDC: u8 = 6;
    const SOL: u8 = 9;

    #[test]
    fn a_delivery_pays_at_most_what_its_size_escrowed() {
        // $100.000001 strike, 1.5 SOL and a single lamport.
        assert_eq!(
            delivery_payment(100_000_001, 1_500_000_000, SOL).unwrap(),
            150_000_001
        );
        assert_eq!(delivery_payment(100_000_001, 1, SOL).unwrap(), 0);
        assert_eq!(escrow_for(100_000_001, 1, SOL).unwrap(), 1);
        for size in [1, 7, 999_999_999, 1_000_000_001, 123_456_789_012] {
            assert!(
                delivery_payment(100_000_001, size, SOL).unwrap()
                    <= escrow_for(100_000_001, size, SOL).unwrap()
            );
        }
    }

    #[test]
    fn strike_price_is_exact() {
        assert_eq!(
            strike_to_price(100_000_000, USDC).unwrap(),
            100_000_000_000_000
        );
        assert_eq!(strike_to_price(1, 12).unwrap(), 1);
        assert!(strike_to_price(1, 13).is_err());
        assert!(strike_to_price(u64::MAX, USDC).is_err());
    }

    #[test]
    fn escrow_rounds_up() {
        // 100 USDC strike, 1.5 SOL.
        assert_eq!(
            escrow_for(100_000_000, 1_500_000_000, SOL).unwrap(),
            150_000_000
        );
        // 1 lamport of size still escrows one base unit.
        assert_eq!(escrow_for(100_000_000, 1, SOL).unwrap(), 1);
        assert_eq!(escrow_for(100_000_000, 0, SOL).unwrap(), 0);
    }

    #[test]
    fn payouts_round_down() {
        // $7.5 per SOL premium on 2 SOL = 15 USDC.
        assert_eq!(
            quote_amount_down(7_500_000_000_000, 2_000_000_000, SOL, USDC).unwrap(),
            15_000_000
        );
        // One lamport of a $1 premium is 1e-9 USDC: rounds to 0.
        assert_eq!(
            quote_amount_down(1_000_000_000_000, 1, SOL, USDC).unwrap(),
            0
        );
        // K = 100, S = 60: 40 USDC per SOL on 3 SOL.
        let k = strike_to_price(100_000_000, USDC).unwrap();
        assert_eq!(
            intrinsic_for(k, 60_000_000_000_000, 3_000_000_000, SOL, USDC).unwrap(),
            120_000_000
        );
        assert_eq!(
            intrinsic_for(k, 150_000_000_000_000, 3_000_000_000, SOL, USDC).unwrap(),
            0
        );
    }

    #[test]
    fn a_payout_never_exceeds_the_escrow_of_the_same_size() {
        for (strike, size) in [
            (1u64, 1u64),
            (99_999_999, 123_456_789),
            (100_000_000, 7),
            (3, 999_999_999_999),
        ] {
            let k = strike_to_price(strike, USDC).unwrap();
            assert!(
                intrinsic_for(k, 1, size, SOL, USDC).unwrap()
                    <= escrow_for(strike, size, SOL).unwrap()
            );
        }
    }
}
