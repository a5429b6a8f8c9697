//! Keypairs for the fixtures: random by default; a seeded sequence on request, so that a
//! measurement (the compute-unit guard) sees the same addresses, and so the same PDA bump
//! searches, on every run.
use std::cell::Cell;

use solana_keypair::Keypair;

thread_local! {
    static NEXT_SEED: Cell<Option<u64>> = const { Cell::new(None) };
}

/// From now on, on this thread, every fixture keypair comes from a sequence seeded by `seed`.
pub fn deterministic_keys(seed: u64) {
    NEXT_SEED.with(|s| s.set(Some(seed)));
}

/// The next fixture keypair (seeded when `deterministic_keys` was called on this thread).
pub fn new_keypair() -> Keypair {
    NEXT_SEED.with(|s| match s.get() {
        None => Keypair::new(),
        Some(n) => {
            s.set(Some(n.wrapping_add(1)));
            let mut secret = [0x5b_u8; 32];
            secret[..8].copy_from_slice(&n.to_le_bytes());
            Keypair::new_from_array(secret)
        }
    })
}
