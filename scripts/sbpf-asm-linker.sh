#!/usr/bin/env bash
# Linker wrapper for `SBF_ASM=1 scripts/build-sbf.sh`: sbpf-linker on the same inputs, told to
# emit assembly. It writes the assembly, then fails trying to read it back as an object for its
# own SBPF stage; that failure is expected, so success is judged by the output file.
out=""; prev=""
for a in "$@"; do [ "$prev" = -o ] && out="$a"; prev="$a"; done
sbpf-linker "$@" --emit asm >/dev/null 2>&1 || true
grep -q '^entrypoint:' "$out" 2>/dev/null || { echo "sbpf-asm-linker: no assembly written to $out" >&2; exit 1; }
