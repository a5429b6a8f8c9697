#!/usr/bin/env bash
# The demo: start the offline local validator, deploy the programs, initialize the config and
# print it. Everything it starts is stopped when it ends, fails or is interrupted.
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
