# Shared by the scripts in this folder: paths, pins and the one-time toolchain install.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")"
TOOLS="$ROOT/.tools"
export RUSTUP_TOOLCHAIN="$TOOLCHAIN"
# Programs built to target/deploy/<name>.so; the order is the deploy order.
PROGRAMS=(backstop example-lender)

log() { echo "[$(basename "$0")] $*" >&2; }

# The pinned nightly with rust-src, clippy and rustfmt. RUSTUP_AUTO_INSTALL may be off, so a
# rust-toolchain.toml alone installs nothing: install it explicitly, never self-updating rustup.
ensure_toolchain() {
  if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1 ||
     ! [ -d "$(rustup run "$TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library" ] ||
     ! rustup run "$TOOLCHAIN" cargo clippy --version >/dev/null 2>&1 ||
     ! rustup run "$TOOLCHAIN" rustfmt --version >/dev/null 2>&1; then
    log "installing $TOOLCHAIN (rust-src, clippy, rustfmt)"
    rustup toolchain install "$TOOLCHAIN" --profile minimal \
      --component rust-src --component clippy --component rustfmt --no-self-update
  fi
}

# The rustc of the platform-tools that `anchor build` uses (anchor-cli 1.2.2 -> platform-tools
# v1.57 -> rustc 1.95): the one place it is pinned. scripts/check-official.sh compiles both
# programs with it, as the official route will, so nothing here drifts from what users build.
OFFICIAL_RUSTC="1.95.0"

ensure_official_rustc() {
  if ! rustup run "$OFFICIAL_RUSTC" rustc --version >/dev/null 2>&1; then
    log "installing rustc $OFFICIAL_RUSTC (the platform-tools' rustc)"
    rustup toolchain install "$OFFICIAL_RUSTC" --profile minimal --no-self-update
  fi
}

# npm dependencies of the root workspace, installed once from the lock file.
ensure_node_modules() {
  if ! [ -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "npm ci"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

# Debian's Chromium for the dashboard's browser tests (playwright-core drives it; no browser is
# downloaded by the test tool). Installed once; needs root (CI and these machines run as root).
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    log "installing chromium (Debian package)"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
}
