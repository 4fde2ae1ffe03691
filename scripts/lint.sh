#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lint: ruff (rules and formatting, pinned as in the `dev` extra), rustfmt,
# and clippy with warnings as errors, with and without the PyO3 binding.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "lint: run scripts/bootstrap.sh first" >&2; exit 1; }
.venv/bin/python -m pip install --quiet "ruff==0.17.6"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
cargo fmt --check
cargo clippy --locked --quiet --all-targets -- -D warnings
cargo clippy --locked --quiet --all-targets --features python -- -D warnings
