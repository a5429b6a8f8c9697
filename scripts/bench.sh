#!/usr/bin/env bash
# Compute-unit benchmarks on the built .so in LiteSVM; writes docs/COMPUTE_UNITS.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_toolchain
# backstop's assembly gives the stack frame table; the plain build after it relinks the .so.
SBF_ASM=1 ./scripts/build-sbf.sh backstop
./scripts/build-sbf.sh
cargo run --locked -q -p backstop-litesvm-tests --bin bench
