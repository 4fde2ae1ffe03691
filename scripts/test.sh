#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test command: set up (scripts/bootstrap.sh), then run the Rust unit
# tests and the whole Python suite (vectors, properties, live Node interop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
cargo test --locked --quiet
.venv/bin/python -m pytest "$@"
