//! The only place a price is read. Every read of a Pyth `PriceUpdateV2` checks, in this order,
//! each with its own error: owner (the configured receiver program), account layout, feed id,
//! Full verification, exponent range (identity: always an error); then price > 0, freshness and
//! the confidence cap (market). [`read_price`] (writes, quotes) fails on any of them;
//! [`read_reading`] (observations) turns a market failure into "no information" and a wide
//! confidence into a band. Prices are normalised to `math::PRICE_SCALE` (1e-12) with checked
//! arithmetic.
pub mod price_update;

use anchor_lang::prelude::*;

use crate::{constants::PRICE_DECIMALS, errors::BackstopError};
use price_update::{PriceUpdateV2, VerificationLevel};

/// Exponents accepted from Pyth: 10^-18 ..= 10^6 units per price step. Anything outside is not
/// a real feed and would make normalisation overflow or lose the price entirely.
pub const MIN_EXPONENT: i32 = -18;
pub const MAX_EXPONENT: i32 = 6;

/// Which feed a vault trusts and how strictly.
#[derive(Clone, Copy, Debug)]
pub struct OracleConfig {
    /// Program that owns genuine `PriceUpdateV2` accounts (configurable: Pyth's 2026 upgrade
    /// announced new program ids).
    pub receiver: Pubkey,
    pub feed_id: [u8; 32],
    /// The only account the feed may be read from; `Pubkey::default()` = any update of the feed.
    pub price_account: Pubkey,
    /// Largest accepted `conf / price`, in bps.
    pub max_conf_bps: u64,
}

/// How recent the update must be.
#[derive(Clone, Copy, Debug)]
pub enum Freshness {
    /// `publish_time >= now - max_age_secs`: every live read.
    MaxAge { now: i64, max_age_secs: i64 },
    /// Any publish time: the caller checks the publish-time window itself (expiry settlement).
    Window,
}

/// A validated price, normalised to `PRICE_SCALE` (1e-12 quote per collateral unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    /// Rounded up when the feed is finer than 1e-12 (a higher spot never enlarges a payout or a
    /// premium, so the rounding favours the escrow and the reserve).
    pub price: u64,
    /// Rounded down, the same unit.
    pub conf: u64,
    pub publish_time: i64,
    pub prev_publish_time: i64,
}

/// Reads and validates `account` as a `PriceUpdateV2` for `config`.
pub fn read_price(
    account: &AccountInfo,
    config: &OracleConfig,
    freshness: Freshness,
) -> Result<OraclePrice> {
    let update = decode(account, config)?;
    validate(&update, config, freshness)
}

/// Pin, owner and layout: the account is the pinned one (when the vault pins one) and a
/// `PriceUpdateV2` of the configured receiver.
fn decode(account: &AccountInfo, config: &OracleConfig) -> Result<PriceUpdateV2> {
    require!(
        config.price_account == Pubkey::default() || config.price_account == *account.key,
        BackstopError::PriceAccountNotPinned
    );
    require_keys_eq!(
        *account.owner,
        config.receiver,
        BackstopError::OracleWrongOwner
    );
    let data = account.try_borrow_data()?;
    PriceUpdateV2::decode(&data).ok_or_else(|| BackstopError::OracleInvalidAccount.into())
}

/// The checks of [`read_price`] after decoding (pure, unit-tested): identity, then market.
pub fn validate(
    update: &PriceUpdateV2,
    config: &OracleConfig,
    freshness: Freshness,
) -> Result<OraclePrice> {
    check_identity(update, config)?;
    let msg = &update.price_message;
    require!(msg.price > 0, BackstopError::OracleNonPositivePrice);
    if let Freshness::MaxAge { now, max_age_secs } = freshness {
        require!(
            is_fresh(msg.publish_time, now, max_age_secs)?,
            BackstopError::OracleStale
        );
    }
    require!(
        within_bps(msg.conf, msg.price.unsigned_abs(), config.max_conf_bps)?,
        BackstopError::OracleConfidenceTooWide
    );
    normalised(update)
}

/// What the update is: the vault's feed, fully verified, with a sane exponent. A failure is
/// the caller's mistake (a wrong account), never market stress: always an error.
fn check_identity(update: &PriceUpdateV2, config: &OracleConfig) -> Result<()> {
    let msg = &update.price_message;
    require!(
        msg.feed_id == config.feed_id,
        BackstopError::OracleWrongFeed
    );
    require!(
        update.verification_level == VerificationLevel::Full,
        BackstopError::OracleNotFullyVerified
    );
    require!(
        (MIN_EXPONENT..=MAX_EXPONENT).contains(&msg.exponent),
        BackstopError::OracleExponentOutOfRange
    );
    Ok(())
}

fn is_fresh(publish_time: i64, now: i64, max_age_secs: i64) -> Result<bool> {
    let oldest = now
        .checked_sub(max_age_secs)
        .ok_or(BackstopError::MathOverflow)?;
    Ok(publish_time >= oldest)
}

/// `part / whole <= bps / 10_000`, in u128 so nothing overflows.
pub fn within_bps(part: u64, whole: u64, bps: u64) -> Result<bool> {
    let scaled = u128::from(part)
        .checked_mul(10_000)
        .ok_or(BackstopError::MathOverflow)?;
    let allowed = u128::from(whole)
        .checked_mul(u128::from(bps))
        .ok_or(BackstopError::MathOverflow)?;
    Ok(scaled <= allowed)
}

fn normalised(update: &PriceUpdateV2) -> Result<OraclePrice> {
    let msg = &update.price_message;
    Ok(OraclePrice {
        price: normalise(msg.price.unsigned_abs(), msg.exponent, Rounding::Up)?,
        conf: normalise(msg.conf, msg.exponent, Rounding::Down)?,
        publish_time: msg.publish_time,
        prev_publish_time: msg.prev_publish_time,
    })
}

/// What an observation learns from one feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A fresh, positive price; `wide` when its confidence exceeds the vault's cap (the
    /// observation then uses the band `price ± conf`).
    Price { price: OraclePrice, wide: bool },
    /// Stale or non-positive: the feed says nothing now.
    NoInformation,
}

impl OraclePrice {
    /// `(low, high)`: the band an observation uses, `price ± conf` when `wide`, else the price.
    pub fn band(&self, wide: bool) -> (u64, u64) {
        if wide {
            (
                self.price.saturating_sub(self.conf),
                self.price.saturating_add(self.conf),
            )
        } else {
            (self.price, self.price)
        }
    }
}

/// Reads `account` for an observation: identity failures are errors (a wrong account), market
/// failures (stale, non-positive) are [`Reading::NoInformation`], and a confidence above the cap
/// is a wide reading rather than an error. Observations never fail closed on a stressed feed.
pub fn read_reading(
    account: &AccountInfo,
    config: &OracleConfig,
    now: i64,
    max_age_secs: i64,
) -> Result<Reading> {
    let update = decode(account, config)?;
    check_identity(&update, config)?;
    let msg = &update.price_message;
    if msg.price <= 0 || !is_fresh(msg.publish_time, now, max_age_secs)? {
        return Ok(Reading::NoInformation);
    }
    let wide = !within_bps(msg.conf, msg.price.unsigned_abs(), config.max_conf_bps)?;
    Ok(Reading::Price {
        price: normalised(&update)?,
        wide,
    })
}

#[derive(Clone, Copy)]
enum Rounding {
    Up,
    Down,
}

/// `value * 10^exponent` expressed in units of 10^-PRICE_DECIMALS.
fn normalise(value: u64, exponent: i32, rounding: Rounding) -> Result<u64> {
    let shift = exponent
        .checked_add(PRICE_DECIMALS)
        .ok_or(BackstopError::MathOverflow)?;
    let factor = 10u64
        .checked_pow(shift.unsigned_abs())
        .ok_or(BackstopError::MathOverflow)?;
    let out = if shift >= 0 {
        value.checked_mul(factor)
    } else {
        match rounding {
            Rounding::Down => value.checked_div(factor),
            Rounding::Up => factor
                .checked_sub(1)
                .and_then(|f| value.checked_add(f))
                .and_then(|v| v.checked_div(factor)),
        }
    };
    let out = out.ok_or(BackstopError::OraclePriceOutOfRange)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    use super::{price_update::PriceFeedMessage, *};

    const FEED: [u8; 32] = [7; 32];

    fn config() -> OracleConfig {
        OracleConfig {
            receiver: Pubkey::new_unique(),
            feed_id: FEED,
            price_account: Pubkey::default(),
            max_conf_bps: 200,
        }
    }

    fn update(price: i64, conf: u64, exponent: i32, publish_time: i64) -> PriceUpdateV2 {
        PriceUpdateV2 {
            write_authority: Pubkey::default(),
            verification_level: VerificationLevel::Full,
            price_message: PriceFeedMessage {
                feed_id: FEED,
                price,
                conf,
                exponent,
                publish_time,
                prev_publish_time: publish_time - 1,
                ema_price: price,
                ema_conf: conf,
            },
            posted_slot: 1,
        }
    }

    const FRESH: Freshness = Freshness::MaxAge {
        now: 1_000,
        max_age_secs: 60,
    };

    fn err(r: Result<OraclePrice>) -> anchor_lang::error::Error {
        r.unwrap_err()
    }

    #[test]
    fn normalises_every_exponent_to_the_same_price() {
        // $150.12345678 written with three exponents.
        let a = validate(
            &update(15_012_345_678, 1_000_000, -8, 990),
            &config(),
            FRESH,
        )
        .unwrap();
        let b = validate(
            &update(150_123_456_780_000, 10_000_000_000, -12, 990),
            &config(),
            FRESH,
        )
        .unwrap();
        let c = validate(
            &update(150_123_456_780_000_000, 10_000_000_000_000, -15, 990),
            &config(),
            FRESH,
        )
        .unwrap();
        assert_eq!(a.price, 150_123_456_780_000);
        assert_eq!((a.price, a.conf), (b.price, b.conf));
        assert_eq!((a.price, a.conf), (c.price, c.conf));
    }

    #[test]
    fn finer_than_scale_rounds_price_up_and_conf_down() {
        let p = validate(
            &update(1_000_000_000_000_001, 1_999, -15, 990),
            &config(),
            FRESH,
        )
        .unwrap();
        assert_eq!(p.price, 1_000_000_000_001); // ceil(1_000_000_000_000_001 / 1000)
        assert_eq!(p.conf, 1); // floor(1_999 / 1000)
    }

    #[test]
    fn each_rejection_has_its_own_error() {
        let c = config();
        let mut wrong_feed = update(100, 0, -2, 990);
        wrong_feed.price_message.feed_id = [8; 32];
        assert_eq!(
            err(validate(&wrong_feed, &c, FRESH)),
            BackstopError::OracleWrongFeed.into()
        );
        let mut partial = update(100, 0, -2, 990);
        partial.verification_level = VerificationLevel::Partial { num_signatures: 13 };
        assert_eq!(
            err(validate(&partial, &c, FRESH)),
            BackstopError::OracleNotFullyVerified.into()
        );
        assert_eq!(
            err(validate(&update(0, 0, -2, 990), &c, FRESH)),
            BackstopError::OracleNonPositivePrice.into()
        );
        assert_eq!(
            err(validate(&update(-5, 0, -2, 990), &c, FRESH)),
            BackstopError::OracleNonPositivePrice.into()
        );
        assert_eq!(
            err(validate(&update(100, 0, -2, 939), &c, FRESH)),
            BackstopError::OracleStale.into()
        );
        // 2 % is allowed, 2.01 % is not.
        assert!(validate(&update(10_000, 200, -2, 990), &c, FRESH).is_ok());
        assert_eq!(
            err(validate(&update(10_000, 201, -2, 990), &c, FRESH)),
            BackstopError::OracleConfidenceTooWide.into()
        );
        assert_eq!(
            err(validate(&update(100, 0, -19, 990), &c, FRESH)),
            BackstopError::OracleExponentOutOfRange.into()
        );
        assert_eq!(
            err(validate(&update(100, 0, 7, 990), &c, FRESH)),
            BackstopError::OracleExponentOutOfRange.into()
        );
        // 10^6 * 10^12 * i64::MAX does not fit u64.
        assert_eq!(
            err(validate(&update(i64::MAX, 0, 6, 990), &c, FRESH)),
            BackstopError::OraclePriceOutOfRange.into()
        );
    }

    #[test]
    fn staleness_boundary_is_inclusive_and_window_mode_skips_it() {
        let c = config();
        assert!(validate(&update(100, 0, -2, 940), &c, FRESH).is_ok());
        assert!(validate(&update(100, 0, -2, 1), &c, Freshness::Window).is_ok());
    }

    #[test]
    fn decode_requires_the_discriminator() {
        let u = update(100, 1, -2, 5);
        let mut data = price_update::PRICE_UPDATE_V2_DISCRIMINATOR.to_vec();
        u.serialize(&mut data).unwrap();
        assert_eq!(PriceUpdateV2::decode(&data), Some(u));
        data[0] ^= 1;
        assert_eq!(PriceUpdateV2::decode(&data), None);
    }

    #[test]
    fn identity_failures_come_before_market_failures() {
        let c = config();
        // A stale update of another feed is a wrong account first.
        let mut u = update(100, 0, -2, 1);
        u.price_message.feed_id = [8; 32];
        assert_eq!(
            err(validate(&u, &c, FRESH)),
            BackstopError::OracleWrongFeed.into()
        );
    }

    #[test]
    fn bands_widen_only_wide_readings() {
        let p = OraclePrice {
            price: 100,
            conf: 7,
            publish_time: 0,
            prev_publish_time: 0,
        };
        assert_eq!(p.band(false), (100, 100));
        assert_eq!(p.band(true), (93, 107));
        let huge = OraclePrice { conf: 500, ..p };
        assert_eq!(huge.band(true), (0, 600));
    }
}
