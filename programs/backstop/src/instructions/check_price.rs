use anchor_lang::prelude::*;

use crate::{
    compute_units,
    oracle::{self, Freshness},
    state::Vault,
};

/// A vault's collateral price as every live read sees it (`PRICE_SCALE`, 1e-12).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedPrice {
    pub price: u64,
    pub conf: u64,
    pub publish_time: i64,
}

/// Read-only: reads `price_update` with the vault's oracle rules, as `write_put` and `trigger`
/// do, and returns the validated price or the exact oracle error. Keepers and writers simulate
/// it before sending. It logs the compute meter twice before and once after the read, so the
/// read's own cost is `(r1 - r2) - (r0 - r1)` of the three logged values (benchmarks read it).
#[derive(Accounts)]
pub struct CheckPrice<'info> {
    pub vault: AccountLoader<'info, Vault>,

    /// CHECK: a Pyth `PriceUpdateV2`, validated by `oracle::read_price`.
    pub price_update: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<CheckPrice>) -> Result<CheckedPrice> {
    let now = Clock::get()?.unix_timestamp;
    let vault = ctx.accounts.vault.load()?;
    let config = vault.collateral_oracle();
    let freshness = Freshness::MaxAge {
        now,
        max_age_secs: i64::from(vault.oracle.max_age_secs),
    };
    compute_units::log_remaining();
    compute_units::log_remaining();
    let price = oracle::read_price(&ctx.accounts.price_update, &config, freshness)?;
    compute_units::log_remaining();
    Ok(CheckedPrice {
        price: price.price,
        conf: price.conf,
        publish_time: price.publish_time,
    })
}
