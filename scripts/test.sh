#!/usr/bin/env bash
# Every check and test, from a fresh clone: installs what it needs on first run.
#   fmt check -> banned-construct check on program code -> SBPF build -> the official route's
#   rustc (scripts/check-official.sh) -> clippy -D warnings ->
#   dependency advisories -> Rust unit + LiteSVM tests (incl. the substitution matrix, 100,000
#   randomized steps, exploit regressions, the compute-unit guard) -> IDL/client check ->
#   TypeScript type check -> SDK and dashboard builds -> TypeScript tests (SDK, CLI,
#   keeper, dashboard in headless Chromium, integration on the local validator)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
START=$SECONDS
SUMMARY="$ROOT/target/test-summary.txt"
mkdir -p target; : >"$SUMMARY"
step() { log "== $* ($((SECONDS - START)) s)"; }

step "toolchain and npm packages"
ensure_toolchain
ensure_node_modules

step "cargo fmt --check"
cargo fmt --all --check

step "program code: no unwrap/expect, panics, floats, stray unsafe"
python3 scripts/check-program-code.py

step "build programs (SBPF)"
./scripts/build-sbf.sh

step "official route: both programs compile with the platform-tools' rustc"
./scripts/check-official.sh

step "clippy -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "dependency advisories (crates.io index, security/advisories.toml)"
python3 scripts/audit.py

step "Rust unit and LiteSVM tests"
cargo test --locked --workspace --exclude localnet -- --nocapture 2>&1 | tee target/cargo-test.log
grep -E '^test result:' target/cargo-test.log |
  awk '{p += $4; f += $6} END {print "cargo", p, f}' >>"$SUMMARY"

step "IDL and generated client match the code"
./scripts/idl.sh --check

step "TypeScript type check"
npx tsc --noEmit -p .
npx tsc --noEmit -p app/web

step "SDK and dashboard builds, Chromium for the browser tests"
npm run -s build -w @backstop/sdk
npm run -s build -w @backstop/web
ensure_chromium

step "TypeScript tests on the local validator"
cargo build --locked -q -p localnet
# In a private network namespace (loopback only) when the machine allows it: nothing the
# validator or the tests do can reach beyond 127.0.0.1.
if unshare -n true 2>/dev/null; then
  log "network namespace: loopback only"
  unshare -n bash -c 'ip link set lo up && ./scripts/test-ts.sh' 2>&1 | tee target/ts-test.log
else
  ./scripts/test-ts.sh 2>&1 | tee target/ts-test.log
fi
awk '/^# pass /{p += $3} /^# fail /{f += $3} END {print "node", p, f}' target/ts-test.log >>"$SUMMARY"

step "done"
awk '{p += $2; f += $3} END {printf "all suites: %d passed, %d failed\n", p, f}' "$SUMMARY"
awk '{p += $2; f += $3} END {printf "%d passed, %d failed\n", p, f; exit (f > 0)}' "$SUMMARY"
