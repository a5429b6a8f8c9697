#!/usr/bin/env bash
# Stops the local validator started by localnet-up.sh (TERM, then KILL after 5 s).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
STATE="${LOCALNET_STATE_DIR:-$ROOT/.localnet}"
[ -f "$STATE/pid" ] || exit 0
PID="$(cat "$STATE/pid")"
kill "$PID" 2>/dev/null
for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PID" 2>/dev/null && kill -9 "$PID" 2>/dev/null
rm -f "$STATE/pid" "$STATE/ready"
log "localnet (pid $PID) stopped"
