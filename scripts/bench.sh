#!/usr/bin/env bash
# Compute-unit benchmarks on the built .so in LiteSVM; writes docs/COMPUTE_UNITS.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_toolchain
./scripts/build-sbf.sh
cargo run --locked -q -p backstop-litesvm-tests --bin bench
