#!/usr/bin/env bash
# Prints a program's id for a cluster from Anchor.toml.  usage: program-id.sh <program> [cluster]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
prog="$1"; cluster="${2:-localnet}"
awk -v sec="[programs.$cluster]" -v key="$prog" '
  $0 == sec { on = 1; next } /^\[/ { on = 0 }
  on && $1 == key { gsub(/"/, "", $3); print $3; found = 1; exit }
  END { if (!found) exit 1 }' "$ROOT/Anchor.toml" || { echo "no id for $prog on $cluster in Anchor.toml" >&2; exit 1; }
