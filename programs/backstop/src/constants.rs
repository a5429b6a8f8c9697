//! PDA seeds and protocol-wide constants.

use anchor_lang::prelude::{constant, pubkey, Pubkey};

/// Seed of the singleton [`crate::state::Config`] PDA.
#[constant]
pub const CONFIG_SEED: &[u8] = b"config";
/// That PDA under this program's id, precomputed: comparing an address is free, deriving it
/// costs ~1,500 CU per instruction. `tests::config_address_is_the_pda` keeps the two equal.
#[constant]
pub const CONFIG_ADDRESS: Pubkey = pubkey!("2VA9aauC4EB85ZbEhv434kV7C2aPCnCWhxUrNMra8Rjy");
/// `["vault", authority, quote_mint, collateral_feed]`
#[constant]
pub const VAULT_SEED: &[u8] = b"vault";
/// `["reserve", vault]`: the premium reserve token account.
#[constant]
pub const RESERVE_SEED: &[u8] = b"reserve";
/// `["recovery", vault]`: where released capital lands until the protocol draws it.
#[constant]
pub const RECOVERY_SEED: &[u8] = b"recovery";
/// `["series", vault, strike_le, expiry_le]`
#[constant]
pub const SERIES_SEED: &[u8] = b"series";
/// `["escrow", series]`: writers' capital.
#[constant]
pub const ESCROW_SEED: &[u8] = b"escrow";
/// `["put_mint", series]`
#[constant]
pub const PUT_MINT_SEED: &[u8] = b"put_mint";
/// `["holder", series]`: the put tokens held for the protected protocol.
#[constant]
pub const HOLDER_SEED: &[u8] = b"holder";
/// `["position", series, writer]`
#[constant]
pub const POSITION_SEED: &[u8] = b"position";
/// `["collateral", series]`: collateral delivered to a physical series.
#[constant]
pub const COLLATERAL_SEED: &[u8] = b"collateral";
/// `["ladder", vault]`: the vault's continuous-coverage template.
#[constant]
pub const LADDER_SEED: &[u8] = b"ladder";

/// Rolled series expire on this grid (a whole hour), so a caller can name the series' address
/// before the roll lands.
pub const LADDER_EXPIRY_GRID_SECS: i64 = 3_600;
/// Shortest overlap a ladder may set: 10 minutes for a keeper to roll the next series.
pub const MIN_LADDER_OVERLAP_SECS: u32 = 600;
/// Rung strikes: 10 % to 100 % of spot (a backstop insures falls).
pub const MIN_LADDER_STRIKE_BPS: u16 = 1_000;
pub const MAX_LADDER_STRIKE_BPS: u16 = 10_000;

/// Bounds on vault settings: a breach must persist 30 s to 7 days.
pub const MIN_PERSISTENCE_SECS: u32 = 30;
pub const MAX_PERSISTENCE_SECS: u32 = 7 * 86_400;
/// Oldest price a vault may accept for live reads: 1 s to 1 minute (a caller must not be able
/// to pick a favourable price from a long window).
pub const MAX_ORACLE_AGE_SECS: u32 = 60;
/// Widest confidence cap a vault may set: 20 % of the price.
pub const MAX_CONF_CAP_BPS: u16 = 2_000;
/// Shortest release epoch: 1 minute.
pub const MIN_RELEASE_EPOCH_SECS: u32 = 60;
/// Largest collateral decimals (put tokens use the same).
pub const MAX_COLLATERAL_DECIMALS: u8 = 18;

/// Decimals of every normalised price (`math::PRICE_SCALE` = 10^12, exponent -12).
#[constant]
pub const PRICE_DECIMALS: i32 = 12;
const _: () = assert!(10u64.pow(PRICE_DECIMALS as u32) == crate::math::PRICE_SCALE);
/// Exported for integrators (IDL constants): every price is `PRICE_SCALE` (1e12) per unit,
/// rates and SVI parameters `PARAM_SCALE` (1e9), ratios in `BPS` (1e4).
#[constant]
pub const PRICE_SCALE: u64 = crate::math::PRICE_SCALE;
#[constant]
pub const PARAM_SCALE: i64 = crate::math::PARAM_SCALE;
#[constant]
pub const BPS: u64 = crate::math::BPS;

/// Shortest time to expiry a series may open with: 1 hour.
pub const MIN_SERIES_TENOR_SECS: i64 = 3_600;

/// After expiry, this long only the first update at/after expiry (or the earliest one shown)
/// can settle a series; after it, the earliest candidate is final, or a fresh update settles.
pub const SETTLEMENT_GRACE_SECS: i64 = 3_600;
/// After expiry plus this, a series settles at the update nearest to expiry however old, or at
/// the vault's last observed price: settlement always ends (docs/DESIGN.md section 7).
pub const SETTLEMENT_DEADLINE_SECS: i64 = 7 * 86_400;

/// Bounds on the release interval (how often one series may step): 1 minute to 1 day.
pub const MIN_RELEASE_INTERVAL_SECS: u32 = 60;
pub const MAX_RELEASE_INTERVAL_SECS: u32 = 86_400;
/// Settings timelock bounds: 1 hour to 7 days (the SDK and CLI default to 24 hours).
pub const MIN_SETTINGS_TIMELOCK_SECS: u32 = 3_600;
pub const MAX_SETTINGS_TIMELOCK_SECS: u32 = 7 * 86_400;
/// Largest change of a pricing setting in one timelocked update: the tail loading by 5,000 bps
/// (0.5x), the confidence multiplier by 10,000 bps (1 conf), the rate by 0.05 (`PARAM_SCALE`),
/// the premium floor to at most twice its value (or $0.01, `PRICE_SCALE`, from zero).
pub const MAX_LOADING_STEP_BPS: u32 = 5_000;
pub const MAX_CONF_MULTIPLIER_STEP_BPS: u32 = 10_000;
pub const MAX_RATE_STEP: i64 = 50_000_000;
pub const MIN_FLOOR_STEP: u64 = 10_000_000_000;
/// Longest write cutoff before expiry: 7 days.
pub const MAX_WRITE_CUTOFF_SECS: u32 = 7 * 86_400;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_address_is_the_pda() {
        let (pda, _) = Pubkey::find_program_address(&[CONFIG_SEED], &crate::ID);
        assert_eq!(pda, CONFIG_ADDRESS);
    }
}
