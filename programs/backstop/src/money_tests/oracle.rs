//! `oracle::validate`: the spot every payout and premium is computed from is rounded up to the
//! 1e-12 scale (a higher spot never enlarges a payout or a premium), the confidence down, each
//! by less than one unit; exact when the feed is no finer than the scale.

use super::*;
use crate::oracle::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use crate::oracle::{validate, Freshness, OracleConfig, MAX_EXPONENT, MIN_EXPONENT};
use anchor_lang::prelude::Pubkey;

const FEED: [u8; 32] = [9; 32];
const MAX_CONF_BPS: u64 = 2_000;

fn update(price: i64, conf: u64, exponent: i32) -> PriceUpdateV2 {
    PriceUpdateV2 {
        write_authority: Pubkey::default(),
        verification_level: VerificationLevel::Full,
        price_message: PriceFeedMessage {
            feed_id: FEED,
            price,
            conf,
            exponent,
            publish_time: 1_000,
            prev_publish_time: 999,
            ema_price: price,
            ema_conf: conf,
        },
        posted_slot: 1,
    }
}

#[test]
fn the_spot_rounds_up_and_the_confidence_down() {
    let config = OracleConfig {
        receiver: Pubkey::new_unique(),
        feed_id: FEED,
        price_account: Pubkey::default(),
        max_conf_bps: MAX_CONF_BPS,
    };
    runner(140)
        .run(
            &(
                amount(1, i64::MAX as u64),
                any::<u64>(),
                MIN_EXPONENT..=MAX_EXPONENT,
            ),
            |(price, conf_raw, exponent)| {
                // Any confidence the cap admits.
                let max_conf = (u128::from(price) * u128::from(MAX_CONF_BPS) / 10_000) as u64;
                let conf = conf_raw % max_conf.saturating_add(1);
                let got = validate(
                    &update(price as i64, conf, exponent),
                    &config,
                    Freshness::Window,
                );
                let shift = exponent + 12;
                if shift >= 0 {
                    let f = pow10(shift as u32);
                    let (p, c) = (u128::from(price) * f, u128::from(conf) * f);
                    match got {
                        Ok(o) => {
                            prop_assert_eq!(u128::from(o.price), p);
                            prop_assert_eq!(u128::from(o.conf), c);
                        }
                        Err(_) => prop_assert!(p > u128::from(u64::MAX)),
                    }
                } else {
                    let f = pow10(shift.unsigned_abs());
                    let o = got.unwrap();
                    let (p, c) = (u128::from(o.price) * f, u128::from(o.conf) * f);
                    prop_assert!(p >= u128::from(price) && p - u128::from(price) < f);
                    prop_assert!(c <= u128::from(conf) && u128::from(conf) - c < f);
                }
                Ok(())
            },
        )
        .unwrap();
}
