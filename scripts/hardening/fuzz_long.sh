#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documented fuzzing runs of HARDENING.md: each cargo-fuzz target for
# FUZZ_SECONDS (default 600) at nice 19, one after the other, then the
# Python-level fuzzers (scripts/hardening/fuzz_python.py) for as long each.
# Logs go to target/hardening/. Usage: bash scripts/hardening/fuzz_long.sh
# [rust|python] (both by default).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${FUZZ_SECONDS:-600}"
what="${1:-all}"
out=target/hardening
mkdir -p "$out"
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never

if [ "$what" != python ]; then
    cargo fuzz --version >/dev/null 2>&1 ||
        cargo install cargo-fuzz --locked --version 0.13.2
    python3 fuzz/seed_corpus.py
    for target in unseal json_parse; do
        echo "fuzz: $target for ${seconds}s, log $out/fuzz-$target.log"
        # -O -a: optimised, with debug assertions and overflow checks on.
        nice -n 19 cargo fuzz run -O -a "$target" -- \
            -max_total_time="$seconds" -max_len=8192 -timeout=10 \
            -print_final_stats=1 >"$out/fuzz-$target.log" 2>&1 || {
            tail -n 80 "$out/fuzz-$target.log"
            exit 1
        }
        grep -E '^(Done|stat::)' "$out/fuzz-$target.log"
        echo "corpus: $(ls "fuzz/corpus/$target" | wc -l) inputs"
    done
fi
if [ "$what" != rust ]; then
    nice -n 19 .venv/bin/python scripts/hardening/fuzz_python.py \
        --seconds "$seconds" | tee "$out/fuzz-python.log"
fi
