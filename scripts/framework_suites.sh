#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The frameworks' own session tests, taken from their source distributions
# on the package index, run against iron_fast's adapters (tests/
# framework_suites/: a shim per framework, and the committed list of the
# tests expected to fail, each for a reason about the cookie format).
# Needs scripts/bootstrap.sh first (iron_fast built into python/).
# Litestar's and Quart's source distributions (2.25, 0.22) ship no tests,
# and only the package registries are reachable from CI: their adapters
# are tested by tests/test_litestar.py and tests/test_quart.py alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SUITES=$ROOT/tests/framework_suites
WORK=$ROOT/target/framework-suites
VENV=$WORK/venv
LOG=$WORK/setup.log
mkdir -p "$WORK/sdists"

# Their own test runner versions (pytest 8), apart from the project's.
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip install --quiet -r "$SUITES/requirements.txt" >"$LOG" 2>&1; then
    cat "$LOG" >&2
    exit 1
fi

fetch() {  # fetch <distribution> <version>: the extracted source folder
    local dist=$1 version=$2
    "$VENV/bin/python" -m pip download --quiet --no-binary :all: --no-deps \
        "$dist==$version" -d "$WORK/sdists" >>"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
    local archive
    archive=$(ls "$WORK/sdists/"*.tar.gz | grep -i "/${dist//-/[-_]}-$version.tar.gz$")
    tar -xzf "$archive" -C "$WORK"
    echo "$WORK/$(basename "$archive" .tar.gz)"
}

version() {  # the pinned version of a distribution in requirements.txt
    grep -i "^$1==" "$SUITES/requirements.txt" | cut -d= -f3
}

run_pytest() {  # run_pytest <source folder> <shim> <pytest args...>
    local src=$1 shim=$2
    shift 2
    echo "== $(basename "$src"): $*"
    (cd "$src" && PYTHONPATH="$SUITES:$ROOT/python:." "$VENV/bin/python" -m pytest \
        -q -p no:cacheprovider -p "$shim" -p expected "$@")
}

src=$(fetch starlette "$(version starlette)")
run_pytest "$src" shim_starlette tests/middleware/test_session.py

src=$(fetch flask "$(version flask)")
run_pytest "$src" shim_flask tests/test_basic.py tests/test_session_interface.py \
    -k "session or flash"

src=$(fetch aiohttp-session "$(version aiohttp-session)")
# No pytest configuration in this one: its setup.cfg stops the search
# for one from reaching this repository's pyproject.toml.
run_pytest "$src" shim_aiohttp -c setup.cfg -o asyncio_mode=auto \
    tests/test_cookie_storage.py tests/test_session_middleware.py

src=$(fetch django "$(version django)")
echo "== $(basename "$src"): sessions_tests CookieSessionTests, SessionMiddlewareTests"
(cd "$src/tests" && PYTHONPATH="$ROOT/python" "$VENV/bin/python" "$SUITES/django_suite.py")
echo "framework suites: only the listed format differences fail"
