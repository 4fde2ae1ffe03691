#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets up a fresh clone: a virtual environment in .venv with the build and
# test dependencies, iron_fast built from source (release mode) into it, and
# the npm packages the interop tests talk to. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "maturin>=1.9.4,<2"
# Builds the Rust extension and installs the package with its extras.
.venv/bin/maturin develop --release --quiet --extras "${IRON_FAST_EXTRAS:-test}"

if command -v npm >/dev/null 2>&1 && [ -f tests/interop/package-lock.json ]; then
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
elif [ "${IRON_FAST_REQUIRE_ALL:-0}" = "1" ]; then
    echo "bootstrap: npm or tests/interop/package-lock.json is missing" >&2
    exit 1
fi
