#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test command: set up (scripts/bootstrap.sh), then run the Rust unit
# tests and the whole Python suite (vectors, properties, live Node interop,
# the documentation's code blocks, the demo in a browser). Extra arguments
# go to pytest (bash scripts/test.sh -k vectors). cargo's output goes to
# target/test-cargo.log, shown only when it fails; pytest's last line is
# the verdict ("N passed").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

log=target/test-cargo.log
echo "test: cargo test (the Rust unit tests; output in $log)"
if ! cargo test --locked --quiet >"$log" 2>&1; then
    cat "$log" >&2
    echo "test: cargo test failed (log: $log)" >&2
    exit 1
fi
passed=$(sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$log" |
    awk '{ n += $1 } END { print n + 0 }')
echo "test: cargo test: $passed passed; now the Python suite (pytest)"
exec .venv/bin/python -m pytest -q "$@"
