//! The runtime's compute meter, logged so a view can show what a computation cost.

/// Logs `Program consumption: <n> units remaining` (the `sol_log_compute_units_` syscall,
/// available on every cluster; a no-op off-chain).
pub fn log_remaining() {
    #[cfg(target_os = "solana")]
    // SAFETY: a syscall with no arguments that only reads the meter and writes the log.
    unsafe {
        solana_define_syscall::definitions::sol_log_compute_units_()
    }
}
