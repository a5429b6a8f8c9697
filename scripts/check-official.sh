#!/usr/bin/env bash
# Keeps the official build route green: compiles both programs with the rustc of the
# platform-tools `anchor build` uses (OFFICIAL_RUSTC in lib.sh) and `target_os = "solana"`, the
# cfg that route compiles under. A type check (no SBPF codegen: that toolchain's LLVM target is
# not on these machines); a feature newer than that rustc, or code that only compiles off-chain,
# fails here rather than on a user's `anchor build`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_official_rustc
packages=()
for p in "${PROGRAMS[@]}"; do packages+=(-p "$p"); done
log "rustc $(rustup run "$OFFICIAL_RUSTC" rustc --version | cut -d' ' -f2), target_os = \"solana\": ${PROGRAMS[*]}"
# target_os is normally set by --target alone: the lint that guards that is allowed on purpose.
RUSTUP_TOOLCHAIN="$OFFICIAL_RUSTC" \
  RUSTFLAGS='--cfg target_os="solana" -A explicit_builtin_cfgs_in_flags -D warnings' \
  cargo check --locked -q "${packages[@]}" --lib --target-dir target/official
log "ok"
