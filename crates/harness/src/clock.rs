use anchor_lang::prelude::Clock;
use litesvm::LiteSVM;

/// The current Clock sysvar.
pub fn clock(svm: &LiteSVM) -> Clock {
    svm.get_sysvar::<Clock>()
}

/// Sets the clock's unix timestamp (the slot moves forward by one so the change is visible to
/// slot-based logic too).
pub fn warp_to_timestamp(svm: &mut LiteSVM, unix_timestamp: i64) {
    let mut c = clock(svm);
    c.unix_timestamp = unix_timestamp;
    c.slot = c.slot.saturating_add(1);
    svm.set_sysvar(&c);
}

/// Moves the clock forward by `seconds` and by about one slot per 400 ms.
pub fn advance_seconds(svm: &mut LiteSVM, seconds: i64) {
    let mut c = clock(svm);
    c.unix_timestamp = c.unix_timestamp.saturating_add(seconds);
    c.slot = c
        .slot
        .saturating_add((seconds.max(0) as u64).saturating_mul(5) / 2 + 1);
    svm.set_sysvar(&c);
}
