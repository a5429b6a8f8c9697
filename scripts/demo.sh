#!/usr/bin/env bash
# The crash demo: start the offline local validator, deploy the programs, initialize the config,
# then migrations/demo.ts: a vault, three market makers writing puts through the CLI, SOL slipping
# to $99 (1 % below the $100 strike) where the keeper cranks a first release step, the crash
# deepening to $60 (-40 %) where its deep step advances the rest of the intrinsic, recovery to $100
# by expiry, settlement, reclaims and the report with the conservation check. Everything it starts
# is stopped when it ends, fails or is interrupted.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

DASHBOARD_PID=""
cleanup() {
  [ -z "$DASHBOARD_PID" ] || kill "$DASHBOARD_PID" 2>/dev/null || true
  ./scripts/localnet-down.sh >/dev/null 2>&1 || true
}
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

# The dashboard, served from this machine with an /rpc proxy to the validator.
npm run -s build -w @backstop/web >/dev/null
DASHBOARD_PORT="${DASHBOARD_PORT:-5173}"
node app/web/serve.mjs --port "$DASHBOARD_PORT" --rpc "$LOCALNET_RPC_URL" &
DASHBOARD_PID=$!
export DASHBOARD_URL="http://127.0.0.1:$DASHBOARD_PORT"

rm -f "${LOCALNET_STATE_DIR:-.localnet}/dashboard-url"
npx tsx migrations/demo.ts --cluster localnet
URL="$(cat "${LOCALNET_STATE_DIR:-.localnet}/dashboard-url" 2>/dev/null || echo "$DASHBOARD_URL")"
echo
echo "Dashboard: $URL"
# Interactive runs keep the validator and the dashboard up to look at; scripts and CI end here.
if [ -t 0 ] && [ -t 1 ] && [ "${DEMO_KEEP:-1}" != 0 ]; then
  echo "The validator and the dashboard stay up: press Ctrl-C to stop."
  while kill -0 "$DASHBOARD_PID" 2>/dev/null; do sleep 1; done
fi
