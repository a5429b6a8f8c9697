//! Pyth pull-oracle `PriceUpdateV2` accounts, written byte for byte as the Pyth receiver program
//! stores them, so the program's real oracle checks run against them.
use anchor_lang::prelude::Pubkey;
use litesvm::LiteSVM;
use solana_account::Account;

/// The Pyth Solana receiver program that owns `PriceUpdateV2` accounts. Pyth has announced new
/// program ids for its 2026 upgrade: tests that need another owner pass it explicitly.
pub const PYTH_RECEIVER_ID: Pubkey =
    Pubkey::from_str_const("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");

/// Pyth's push oracle: keeps one sponsored `PriceUpdateV2` account per (shard, feed id), a PDA
/// of `[shard as u16 LE, feed id]` that only ever moves forward.
pub const PYTH_PUSH_ORACLE_ID: Pubkey =
    Pubkey::from_str_const("pythWSnswVUd12oZpeFP8e9CVaEqJg25g1Vtc2biRsT");

/// The sponsored push-feed account of `feed` on `shard`.
pub fn push_feed_address(shard: u16, feed: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[&shard.to_le_bytes(), feed], &PYTH_PUSH_ORACLE_ID).0
}

/// Anchor discriminator of `PriceUpdateV2`: sha256("account:PriceUpdateV2")[..8].
pub const PRICE_UPDATE_V2_DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];

/// Space the receiver allocates: the largest borsh encoding (Partial verification).
pub const PRICE_UPDATE_V2_LEN: usize = 8 + 32 + 2 + 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8;

/// How many Wormhole guardian signatures verified the update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationLevel {
    Partial { num_signatures: u8 },
    Full,
}

/// The fields of a `PriceUpdateV2` account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceUpdate {
    pub write_authority: Pubkey,
    pub verification_level: VerificationLevel,
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub prev_publish_time: i64,
    pub ema_price: i64,
    pub ema_conf: u64,
    pub posted_slot: u64,
}

impl PriceUpdate {
    /// A fully verified update of `price` x 10^`exponent` published at `publish_time`, with the
    /// previous update one second earlier.
    pub fn new(feed_id: [u8; 32], price: i64, conf: u64, exponent: i32, publish_time: i64) -> Self {
        Self {
            write_authority: Pubkey::new_unique(),
            verification_level: VerificationLevel::Full,
            feed_id,
            price,
            conf,
            exponent,
            publish_time,
            prev_publish_time: publish_time.saturating_sub(1),
            ema_price: price,
            ema_conf: conf,
            posted_slot: 1,
        }
    }

    /// Borsh encoding with the Anchor discriminator, zero-padded to [`PRICE_UPDATE_V2_LEN`].
    pub fn to_account_data(&self) -> Vec<u8> {
        let mut d = Vec::with_capacity(PRICE_UPDATE_V2_LEN);
        d.extend_from_slice(&PRICE_UPDATE_V2_DISCRIMINATOR);
        d.extend_from_slice(self.write_authority.as_ref());
        match self.verification_level {
            VerificationLevel::Partial { num_signatures } => {
                d.extend_from_slice(&[0, num_signatures])
            }
            VerificationLevel::Full => d.push(1),
        }
        d.extend_from_slice(&self.feed_id);
        d.extend_from_slice(&self.price.to_le_bytes());
        d.extend_from_slice(&self.conf.to_le_bytes());
        d.extend_from_slice(&self.exponent.to_le_bytes());
        d.extend_from_slice(&self.publish_time.to_le_bytes());
        d.extend_from_slice(&self.prev_publish_time.to_le_bytes());
        d.extend_from_slice(&self.ema_price.to_le_bytes());
        d.extend_from_slice(&self.ema_conf.to_le_bytes());
        d.extend_from_slice(&self.posted_slot.to_le_bytes());
        d.resize(PRICE_UPDATE_V2_LEN, 0);
        d
    }
}

/// Writes (or overwrites) a `PriceUpdateV2` account owned by `owner` at `address`.
pub fn write_price_update_with_owner(
    svm: &mut LiteSVM,
    address: Pubkey,
    update: &PriceUpdate,
    owner: Pubkey,
) {
    write_raw_account(svm, address, update.to_account_data(), owner);
}

/// Writes raw bytes as an account owned by `owner` (malformed-oracle tests).
pub fn write_raw_account(svm: &mut LiteSVM, address: Pubkey, data: Vec<u8>, owner: Pubkey) {
    let lamports = svm.minimum_balance_for_rent_exemption(data.len());
    svm.set_account(
        address,
        Account {
            lamports,
            data,
            owner,
            executable: false,
            rent_epoch: 0,
        },
    )
    .expect("set raw account");
}

/// Writes a `PriceUpdateV2` account owned by the Pyth receiver at `address`.
pub fn write_price_update(svm: &mut LiteSVM, address: Pubkey, update: &PriceUpdate) {
    write_price_update_with_owner(svm, address, update, PYTH_RECEIVER_ID);
}

/// Parses a 64-hex-digit feed id (with or without 0x).
pub fn feed_id_from_hex(hex: &str) -> [u8; 32] {
    let hex = hex.trim_start_matches("0x");
    assert_eq!(hex.len(), 64, "feed id must be 32 bytes of hex");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex digit");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discriminator_is_sha256_of_account_name() {
        use sha2::{Digest, Sha256};
        let h = Sha256::digest(b"account:PriceUpdateV2");
        assert_eq!(&h[..8], &PRICE_UPDATE_V2_DISCRIMINATOR);
    }

    #[test]
    fn full_update_layout() {
        let u = PriceUpdate::new([7; 32], 15_000_000_000, 1_000_000, -8, 1_700_000_000);
        let d = u.to_account_data();
        assert_eq!(d.len(), PRICE_UPDATE_V2_LEN);
        assert_eq!(d[40], 1, "Full verification tag");
        assert_eq!(&d[41..73], &[7; 32]);
        assert_eq!(
            i64::from_le_bytes(d[73..81].try_into().unwrap()),
            15_000_000_000
        );
        assert_eq!(i32::from_le_bytes(d[89..93].try_into().unwrap()), -8);
        assert_eq!(
            i64::from_le_bytes(d[93..101].try_into().unwrap()),
            1_700_000_000
        );
    }
}
