#!/usr/bin/env bash
# TypeScript tests: the SDK's own tests, then the integration tests against a fresh local
# validator that is stopped again however the tests end. Needs target/deploy/*.so.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_node_modules
trap './scripts/localnet-down.sh' EXIT
./scripts/localnet-down.sh      # a validator left from an earlier run would hold old state
./scripts/localnet-up.sh
npm test
