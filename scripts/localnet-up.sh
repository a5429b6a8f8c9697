#!/usr/bin/env bash
# Starts the offline local validator (localnet/, surfpool-core) in the background with every
# program of target/deploy preloaded at its Anchor.toml id, and waits until it is READY.
# The upgrade authority of the programs is the localnet deployer key, .localnet/deployer.json,
# created on first use and funded at start.
#
# env: LOCALNET_RPC_PORT (8899), LOCALNET_WS_PORT (8900), LOCALNET_STATE_DIR (.localnet),
#      LOCALNET_FIXTURES (a folder of <PUBKEY>.json account fixtures, optional),
#      LOCALNET_PRELOAD (1; 0 starts without programs), LOCALNET_SLOT_TIME_MS (400)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RPC_PORT="${LOCALNET_RPC_PORT:-8899}"
WS_PORT="${LOCALNET_WS_PORT:-8900}"
STATE="${LOCALNET_STATE_DIR:-$ROOT/.localnet}"
mkdir -p "$STATE"

if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
  log "already running (pid $(cat "$STATE/pid")): $(cat "$STATE/ready" 2>/dev/null)"
  exit 0
fi

ensure_toolchain
(cd "$ROOT" && cargo build --locked -q -p localnet)
BIN="$ROOT/target/debug/localnet"

DEPLOYER="$(node "$ROOT/scripts/keygen.mjs" "$STATE/deployer.json")"
ARGS=(--host 127.0.0.1 --rpc-port "$RPC_PORT" --ws-port "$WS_PORT"
      --upgrade-authority "$DEPLOYER" --airdrop "$DEPLOYER" --ready-file "$STATE/ready"
      --slot-time-ms "${LOCALNET_SLOT_TIME_MS:-400}")
# LOCALNET_PRELOAD=0 starts without programs (migrations/deploy.ts deploys them).
[ "${LOCALNET_PRELOAD:-1}" = 0 ] || for p in "${PROGRAMS[@]}"; do
  name="$(echo "$p" | tr - _)"
  so="$ROOT/target/deploy/$name.so"
  [ -f "$so" ] || { echo "missing $so: run scripts/build-sbf.sh first" >&2; exit 1; }
  ARGS+=(--program "$("$ROOT/scripts/program-id.sh" "$name" localnet)=$so")
done
if [ -n "${LOCALNET_FIXTURES:-}" ]; then
  for f in "$LOCALNET_FIXTURES"/*.json; do
    [ -e "$f" ] && ARGS+=(--account "$(basename "$f" .json)=$f")
  done
fi

rm -f "$STATE/ready"
"$BIN" "${ARGS[@]}" >"$STATE/localnet.log" 2>&1 &
echo $! >"$STATE/pid"
for _ in $(seq 1 600); do   # up to 60 s
  if [ -s "$STATE/ready" ]; then log "$(cat "$STATE/ready") pid=$(cat "$STATE/pid")"; exit 0; fi
  if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
    echo "localnet exited during start-up:" >&2; cat "$STATE/localnet.log" >&2
    rm -f "$STATE/pid"; exit 1
  fi
  sleep 0.1
done
echo "localnet not ready after 60 s:" >&2; cat "$STATE/localnet.log" >&2
"$ROOT/scripts/localnet-down.sh"; exit 1
