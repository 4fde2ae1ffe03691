#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets up a fresh clone: a virtual environment in .venv with the build and
# test dependencies, iron_fast built from source (release mode) into it, and
# the npm packages the interop tests and the demo's Node panel use. Safe to
# run again. It prints a few lines of its own; pip, maturin and npm write to
# target/setup.log, shown only when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
RUST_MIN=1.85 # Cargo.toml's rust-version
LOG=target/setup.log
mkdir -p target
: >"$LOG"

say() { printf 'bootstrap: %s\n' "$*"; }
fail() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

# step WHAT COMMAND...: runs COMMAND with its output in the log; if it
# fails, shows that output and stops.
step() {
    local what=$1 out
    shift
    out=$(mktemp)
    printf '\n$ %s\n' "$*" >>"$LOG"
    if ! "$@" >"$out" 2>&1; then
        cat "$out" >>"$LOG"
        printf 'bootstrap: %s failed; its output:\n' "$what" >&2
        tail -n 200 "$out" >&2
        rm -f "$out"
        fail "$what failed (full log: $LOG)"
    fi
    cat "$out" >>"$LOG"
    rm -f "$out"
}

# A version "a.b[.c]" at least "x.y"?
at_least() { printf '%s\n%s\n' "$2" "$1" | sort -V -C; }

command -v "$PYTHON" >/dev/null || fail "$PYTHON not found: install Python 3.10 or later"
py_version=$("$PYTHON" -c 'import platform; print(platform.python_version())')
at_least "$py_version" 3.10 || fail "Python $py_version is too old: 3.10 or later is needed (PYTHON=python3.12 bash $0)"
command -v cargo >/dev/null || fail "cargo not found: install Rust $RUST_MIN or later (rustup.rs)"
rust_version=$(cargo --version | cut -d' ' -f2)
at_least "$rust_version" "$RUST_MIN" || fail "Rust $rust_version is too old: $RUST_MIN or later is needed (rustup update)"

say "Python $py_version, Rust $rust_version; details go to $LOG"
if [ ! -x .venv/bin/python ]; then
    say "creating .venv and building iron_fast (first run: one to three minutes)"
    step "creating .venv" "$PYTHON" -m venv .venv
else
    say "updating .venv and rebuilding iron_fast if its source changed"
fi
step "upgrading pip" .venv/bin/python -m pip install --upgrade pip
step "installing maturin" .venv/bin/python -m pip install "maturin>=1.9.4,<2"
# Builds the Rust extension and installs the package with its extras.
step "building iron_fast (maturin develop --release)" \
    .venv/bin/maturin develop --release --extras "${IRON_FAST_EXTRAS:-test}"

if command -v npm >/dev/null 2>&1 && [ -f tests/interop/package-lock.json ]; then
    step "npm ci in tests/interop" \
        npm ci --prefix tests/interop --no-audit --no-fund
    node_note="Node $(node --version) with iron-session"
elif [ "${IRON_FAST_REQUIRE_ALL:-0}" = "1" ]; then
    fail "npm or tests/interop/package-lock.json is missing"
else
    node_note="no Node: the interop tests skip and the demo's Node panel says how to enable it"
fi
version=$(.venv/bin/python -c 'import iron_fast; print(iron_fast.__version__)')
say "ready: iron_fast $version in .venv ($node_note)"
