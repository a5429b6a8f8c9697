#!/usr/bin/env bash
# The crash demo: start the offline local validator, deploy the programs, initialize the config,
# then migrations/demo.ts: a vault, three market makers writing puts through the CLI, a 60 %
# price drop, the keeper confirming the breach and releasing capital, expiry, settlement,
# reclaims and the report. Everything it starts is stopped when it ends, fails or is interrupted.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

cleanup() { ./scripts/localnet-down.sh >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

ensure_toolchain
ensure_node_modules
./scripts/build-sbf.sh
LOCALNET_PRELOAD=0 ./scripts/localnet-up.sh

export LOCALNET_RPC_URL="http://127.0.0.1:${LOCALNET_RPC_PORT:-8899}"
export LOCALNET_WS_URL="ws://127.0.0.1:${LOCALNET_WS_PORT:-8900}"
npx tsx migrations/deploy.ts --cluster localnet
npx tsx migrations/initialize.ts --cluster localnet
npx tsx migrations/demo.ts --cluster localnet
