//! Account checks Anchor's constraints cannot express cheaply.

use anchor_lang::prelude::Pubkey;

/// True when no key appears twice. Instructions mark their writable accounts `dup` and require
/// this instead of Anchor's built-in duplicate check, which hashes every key into a std
/// `HashSet` (SipHash: ~2,000 CU per account on SBPF); a pairwise compare of <= 8 keys costs a
/// few hundred. Accounts with one writable account skip both: nothing can alias it.
// Not inlined: inlined into an Anchor constraint, the keys and the loop took up to ~1,650
// bytes of an instruction's 4 KiB `try_accounts` stack frame.
#[inline(never)]
pub fn distinct(keys: &[Pubkey]) -> bool {
    keys.iter()
        .enumerate()
        .all(|(i, key)| keys.get(..i).is_some_and(|before| !before.contains(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_any_repeated_pair() {
        let k: Vec<Pubkey> = (0..8).map(|_| Pubkey::new_unique()).collect();
        assert!(distinct(&k));
        assert!(distinct(&[]));
        for i in 0..k.len() {
            for j in 0..k.len() {
                if i != j {
                    let mut dup = k.clone();
                    dup[j] = k[i];
                    assert!(!distinct(&dup), "{i} copied to {j}");
                }
            }
        }
    }
}
