use anchor_lang::prelude::*;

use crate::{errors::BackstopError, state::Vault};

/// The backstop's public strength, all quote base units except the ratio.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaultStrength {
    /// Writers' capital in escrow: what the backstop can still release.
    pub coverage: u64,
    pub premium_paid: u64,
    pub released: u64,
    pub committed_premium: u64,
    /// Liabilities in the protocol's latest report (0 when it never reported).
    pub liabilities: u64,
    /// `coverage / liabilities` in bps (0 when no liabilities were reported).
    pub coverage_ratio_bps: u64,
    pub breach_confirmed: bool,
}

/// Read-only view of a vault's strength (simulate it; nothing is written).
#[derive(Accounts)]
pub struct GetVaultStrength<'info> {
    pub vault: AccountLoader<'info, Vault>,
}

pub fn strength(vault: &Vault, now: i64) -> Result<VaultStrength> {
    let t = &vault.totals;
    let liabilities = vault.report.liabilities;
    let coverage_ratio_bps = if liabilities == 0 {
        0
    } else {
        let r = u128::from(t.escrowed)
            .checked_mul(10_000)
            .and_then(|v| v.checked_div(u128::from(liabilities)))
            .ok_or(BackstopError::MathOverflow)?;
        u64::try_from(r).unwrap_or(u64::MAX)
    };
    Ok(VaultStrength {
        coverage: t.escrowed,
        premium_paid: t.premium_paid,
        released: t.released,
        committed_premium: t.committed_premium,
        liabilities,
        coverage_ratio_bps,
        breach_confirmed: vault.breach_confirmed(now),
    })
}

pub fn handler(ctx: Context<GetVaultStrength>) -> Result<VaultStrength> {
    strength(&*ctx.accounts.vault.load()?, Clock::get()?.unix_timestamp)
}
