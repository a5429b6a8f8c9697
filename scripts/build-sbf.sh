#!/usr/bin/env bash
# Builds every program (or the ones named) into an SBPF v3 .so at target/deploy/<name>.so with
# the pinned nightly and sbpf-linker from crates.io: no Solana platform-tools needed.
# The first run installs the toolchain, the linker (into .tools/) and a patched std source copy.
#
#   scripts/build-sbf.sh [program...]
#   SBF_ASM=1 scripts/build-sbf.sh    writes target/deploy/<name>.s (assembly) instead of the .so
#
# How: targets/sbpf-solana.json is the upstream bpfel spec with std on (os "zkvm": std's generic
# single-threaded platform layer); `--cfg target_os="solana"` turns on the Solana crates' on-chain
# code paths. std is built with -Zbuild-std from a copy of rust-src with two patches (bpf
# MIN_ALIGN; fixed RandomState keys, as SBPF has no writable statics). Panics abort without a
# message (-Cpanic=immediate-abort); atomics are lowered (the VM is single-threaded).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
SBPF_LINKER_VERSION=0.2.6
SBF_ARCH="${SBF_ARCH:-v3}"            # v0 links and loads but faults at run time
TARGET_JSON="$ROOT/targets/sbpf-solana.json"
TARGET_NAME="$(basename "$TARGET_JSON" .json)"
SBF_TOOLCHAIN_DIR="$TOOLS/toolchain-sbf-$TOOLCHAIN"

ensure_toolchain
BASE_SYSROOT="$(rustup run "$TOOLCHAIN" rustc --print sysroot)"

# sbpf-linker dlopens the toolchain's own libLLVM at run time.
if ! [ -x "$TOOLS/bin/sbpf-linker" ] ||
   ! LD_LIBRARY_PATH="$BASE_SYSROOT/lib" "$TOOLS/bin/sbpf-linker" --version 2>/dev/null | grep -q "sbpf-linker $SBPF_LINKER_VERSION"; then
  log "cargo install sbpf-linker $SBPF_LINKER_VERSION"
  cargo install sbpf-linker --version "$SBPF_LINKER_VERSION" --locked --root "$TOOLS"
fi

# A private toolchain in .tools/: the pinned nightly (hard links) plus a patched copy of its
# std sources. It is run by path, not registered with rustup, so checkouts never share it.
if ! [ -f "$SBF_TOOLCHAIN_DIR/.sbf-patched" ] || ! "$SBF_TOOLCHAIN_DIR/bin/rustc" --version >/dev/null 2>&1; then
  log "creating patched toolchain in $SBF_TOOLCHAIN_DIR"
  rm -rf "$SBF_TOOLCHAIN_DIR"; mkdir -p "$TOOLS"
  cp -al "$BASE_SYSROOT" "$SBF_TOOLCHAIN_DIR" 2>/dev/null || cp -a "$BASE_SYSROOT" "$SBF_TOOLCHAIN_DIR"
  LIB="$SBF_TOOLCHAIN_DIR/lib/rustlib/src/rust/library"
  rm -rf "$LIB"; cp -r "$BASE_SYSROOT/lib/rustlib/src/rust/library" "$LIB"
  python3 "$ROOT/scripts/patch-std.py" "$LIB/std/src"
  touch "$SBF_TOOLCHAIN_DIR/.sbf-patched"
fi

if [ $# -gt 0 ]; then PKGS=("$@"); else PKGS=("${PROGRAMS[@]}"); fi

export PATH="$SBF_TOOLCHAIN_DIR/bin:$TOOLS/bin:$PATH"
export RUSTC="$SBF_TOOLCHAIN_DIR/bin/rustc"
unset RUSTUP_TOOLCHAIN
export LD_LIBRARY_PATH="$SBF_TOOLCHAIN_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1   # std's build.rs: don't mark our JSON target restricted_std
export RUSTFLAGS="--cfg target_os=\"solana\" -A explicit_builtin_cfgs_in_flags \
 -A linker_messages -C passes=lower-atomic -Zunstable-options -Cpanic=immediate-abort \
 -C link-arg=--llvm-args=-bpf-stack-size=4096 -C link-arg=--llvm-args=-inline-threshold=0 \
 -C link-arg=--arch=$SBF_ARCH -C link-arg=--deploy=false ${SBF_EXTRA_RUSTFLAGS:-}"
# (-inline-threshold=0 for the linker's whole-program pass: Anchor's account checks and error
# paths are no longer copied into every caller. Measured: backstop.so 2.07 -> 1.34 MB, i.e.
# ~5 SOL less rent, for +0.5 to +3 % CU on most instructions and +10 % on open_series; any
# threshold from 0 to 100 costs the same CU, so 0 keeps the smallest .so. docs/COMPUTE_UNITS.md.)
# (--deploy=false: sbpf-linker would otherwise copy every .so it links, including a dependency
# program built with `cpi`, into ./target/deploy behind our back.)

mkdir -p "$ROOT/target/deploy"
# One cargo invocation per program: building them together would unify features, and a
# program that depends on another with `cpi` (no-entrypoint) would empty the other's .so.
export CARGO_TARGET_DIR="$ROOT/target/sbf-$SBF_ARCH"
for p in "${PKGS[@]}"; do
  so="$(echo "$p" | tr - _)"
  if [ "${SBF_ASM:-0}" = 1 ]; then
    # The same build with the linker told to emit assembly instead of the .so: the text this
    # program is made of, kept as target/deploy/<name>.s (scripts/bench.sh reads its stack
    # frames). The normal build that follows relinks the real .so.
    "$SBF_TOOLCHAIN_DIR/bin/cargo" rustc --release --locked -p "$p" --lib \
      --target "$TARGET_JSON" -Z json-target-spec -Z build-std=std,panic_abort -- \
      -C linker="$ROOT/scripts/sbpf-asm-linker.sh"
    cp "$CARGO_TARGET_DIR/$TARGET_NAME/release/lib$so.so" "$ROOT/target/deploy/$so.s"
    continue
  else
    "$SBF_TOOLCHAIN_DIR/bin/cargo" build --release --locked -p "$p" \
      --target "$TARGET_JSON" -Z json-target-spec -Z build-std=std,panic_abort
  fi
  cp "$CARGO_TARGET_DIR/$TARGET_NAME/release/lib$so.so" "$ROOT/target/deploy/$so.so"
  size=$(stat -c %s "$ROOT/target/deploy/$so.so")
  # An entrypoint-less build is a few KB: fail rather than deploy an empty program.
  [ "$size" -gt 65536 ] || { echo "target/deploy/$so.so is only $size bytes: built without its entrypoint?" >&2; exit 1; }
  log "target/deploy/$so.so $size bytes"
done
