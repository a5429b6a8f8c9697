//! The Pyth pull-oracle `PriceUpdateV2` account as the Pyth Solana receiver stores it (Anchor
//! account, borsh): discriminator, write authority, verification level, price message, posted
//! slot. Decoded here rather than through `pyth-solana-receiver-sdk`, whose `pythnet-sdk`
//! dependency brings a second Solana SDK generation (solana-program 5) into the program; the
//! layout is pinned by tests that write the receiver's exact bytes.
use anchor_lang::prelude::*;

/// `sha256("account:PriceUpdateV2")[..8]`.
pub const PRICE_UPDATE_V2_DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];

/// How many Wormhole guardian signatures verified the update.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationLevel {
    Partial { num_signatures: u8 },
    Full,
}

/// Pyth's price message for one feed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceFeedMessage {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub prev_publish_time: i64,
    pub ema_price: i64,
    pub ema_conf: u64,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceUpdateV2 {
    pub write_authority: Pubkey,
    pub verification_level: VerificationLevel,
    pub price_message: PriceFeedMessage,
    pub posted_slot: u64,
}

impl PriceUpdateV2 {
    /// Decodes account data: `None` when the discriminator or the body does not match.
    pub fn decode(data: &[u8]) -> Option<Self> {
        let body = data.strip_prefix(&PRICE_UPDATE_V2_DISCRIMINATOR)?;
        Self::deserialize(&mut &body[..]).ok()
    }
}
