use anchor_lang::prelude::*;

use crate::{
    compute_units,
    math::{put_premium, PremiumInputs},
    state::SviSlice,
};

/// Everything the pricing engine needs, as raw numbers (prices in `math::PRICE_SCALE`, 1e-12).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotePremiumArgs {
    pub spot: u64,
    pub strike: u64,
    pub confidence: u64,
    pub tenor_secs: u64,
    pub svi: SviSlice,
    /// Continuously compounded annual rate, `math::PARAM_SCALE` (1e-9).
    pub rate: i64,
    pub conf_multiplier_bps: u64,
    pub tail_loading_bps: u64,
    pub min_premium: u64,
    /// Seconds between release steps: prices the lookback put the vault delivers on that grid;
    /// 0 prices the European put.
    pub release_interval_secs: u64,
}

/// The premium per unit of collateral and how it was reached.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PremiumQuoteResult {
    /// Premium charged per unit, `PRICE_SCALE`, rounded down: the intrinsic value plus the
    /// loaded (or floored) time value, at most the discounted strike.
    pub premium: u64,
    /// Discounted forward intrinsic value, `PRICE_SCALE`, rounded down (never loaded).
    pub intrinsic: u64,
    /// Unloaded Black-76 price at the shifted spot, `PRICE_SCALE`, rounded down.
    pub fair_price: u64,
    /// Spot after the confidence haircut, `PRICE_SCALE`.
    pub shifted_spot: u64,
    /// Total variance used, `PARAM_SCALE`.
    pub total_variance: u64,
    pub min_premium_applied: bool,
}

/// A read-only pricing calculator: no accounts, no state change. Clients simulate it to quote.
/// It logs the compute meter twice before and once after the engine, so the engine's own cost
/// is `(r1 - r2) - (r0 - r1)` of the three logged values (benchmarks read it).
#[derive(Accounts)]
pub struct QuotePremium {}

pub fn handler(_ctx: Context<QuotePremium>, args: QuotePremiumArgs) -> Result<PremiumQuoteResult> {
    let inputs = PremiumInputs {
        spot: args.spot,
        strike: args.strike,
        confidence: args.confidence,
        tenor_secs: args.tenor_secs,
        svi: args.svi.into(),
        rate: args.rate,
        conf_multiplier_bps: args.conf_multiplier_bps,
        tail_loading_bps: args.tail_loading_bps,
        min_premium: args.min_premium,
        release_interval_secs: args.release_interval_secs,
    };
    compute_units::log_remaining();
    compute_units::log_remaining();
    let quote = put_premium(&inputs)?;
    compute_units::log_remaining();
    Ok(PremiumQuoteResult {
        premium: quote.premium,
        fair_price: quote.fair_price,
        shifted_spot: quote.shifted_spot,
        total_variance: quote.total_variance,
        min_premium_applied: quote.min_premium_applied,
        intrinsic: quote.intrinsic,
    })
}
