#!/usr/bin/env bash
# Generates each program's Anchor IDL on the host (no Solana binary) and the TypeScript client
# from it.
#   scripts/idl.sh          write idl/<program>.json and app/sdk/src/generated/
#   scripts/idl.sh --check  fail when the committed IDL or generated client differ from the code
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
MODE="${1:-write}"
ensure_toolchain
OUT="$ROOT/target/idl"; mkdir -p "$OUT"
for p in "${PROGRAMS[@]}"; do
  n="$(echo "$p" | tr - _)"
  # Own target dir: the IDL build compiles the program with `idl-build` on the host.
  cargo run --locked -q -p idl-gen --target-dir "$OUT/build" -- \
    "programs/$p" "$OUT/$n.json" --target-dir "$OUT/build"
  # example-lender reads Backstop's committed IDL (`declare_program!`): when writing, commit
  # each program's IDL before the next program is built.
  if [ "$MODE" != --check ]; then mkdir -p idl; cp "$OUT/$n.json" "idl/$n.json"; fi
done

ensure_node_modules
GEN="$OUT/generated"; rm -rf "$GEN"
node "$ROOT/scripts/codegen.mjs" "$OUT" "$GEN"

if [ "$MODE" = --check ]; then
  status=0
  for p in "${PROGRAMS[@]}"; do
    n="$(echo "$p" | tr - _)"
    diff -u "idl/$n.json" "$OUT/$n.json" || { echo "idl/$n.json is stale: run scripts/idl.sh" >&2; status=1; }
  done
  diff -ru app/sdk/src/generated "$GEN" || { echo "app/sdk/src/generated is stale: run scripts/idl.sh" >&2; status=1; }
  [ $status = 0 ] && log "IDL and generated client match the code"
  exit $status
fi
mkdir -p idl
for p in "${PROGRAMS[@]}"; do n="$(echo "$p" | tr - _)"; cp "$OUT/$n.json" "idl/$n.json"; done
rm -rf app/sdk/src/generated; cp -r "$GEN" app/sdk/src/generated
log "wrote idl/ and app/sdk/src/generated/"
