#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bounded fuzzing for CI: each cargo-fuzz target (fuzz/) runs for
# FUZZ_SECONDS (default 45) from the seeds of tests/vectors; any crash,
# panic, leak, hang (10 s per input) or failed oracle fails the run. The
# 10-minute runs of HARDENING.md are scripts/hardening/fuzz_long.sh.
#
# cargo-fuzz needs nightly-only flags (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets
# the stable toolchain accept them. It is installed from crates.io when
# missing (about 2 minutes on 2 cores), pinned so CI does not drift.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-45}"
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
python3 fuzz/seed_corpus.py
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in unseal json_parse; do
    echo "fuzz: $target for ${seconds}s"
    # -O -a: optimised, with debug assertions and overflow checks on.
    if ! cargo fuzz run -O -a "$target" -- \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 80 "$log"
        echo "fuzz: $target FAILED (the input is under fuzz/artifacts/$target/)"
        exit 1
    fi
    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' "$log"
done
echo "fuzz: no crash, panic or hang"
