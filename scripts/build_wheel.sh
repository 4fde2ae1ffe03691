#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the release wheel the way users get it, without Docker: a
# manylinux_2_17 abi3 wheel linked through zig (ziglang from PyPI), checked
# with auditwheel, installed into a fresh virtual environment whose PATH has
# no Rust toolchain, and the whole test suite run against that install.
#
#   bash scripts/build_wheel.sh [pytest args...]
#
# Everything goes under target-wheel/ (or $IRON_FAST_WHEEL_DIR): its own
# cargo target directory, so the shared .venv and target/ are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${IRON_FAST_WHEEL_DIR:-target-wheel}
mkdir -p "$out"
out=$(cd "$out" && pwd)
python=${PYTHON:-python3}
tools=$out/tools
dist=$out/dist
venv=$out/venv

step() { printf '\n== build_wheel: %s\n' "$*"; }
die() { printf 'build_wheel: %s\n' "$*" >&2; exit 1; }

step "tools (maturin, ziglang, auditwheel) in $tools"
if [ ! -x "$tools/bin/python" ]; then
    "$python" -m venv "$tools"
fi
"$tools/bin/python" -m pip install --quiet --upgrade pip
# Pinned so a new release of a build tool cannot change the wheel's tags
# between two runs of the same commit.
"$tools/bin/python" -m pip install --quiet \
    "maturin==1.16.0" "ziglang==0.17.1" "auditwheel==6.8.2"

step "maturin build --release --zig (manylinux_2_17, abi3)"
rm -rf "$dist"
# maturin finds zig as `python -m ziglang` of the first python on PATH.
PATH="$tools/bin:$PATH" CARGO_TARGET_DIR="$out/cargo" \
    "$tools/bin/maturin" build --release --locked --zig \
    --compatibility manylinux_2_17 pypi \
    --out "$dist"
shopt -s nullglob
wheels=("$dist"/*.whl)
shopt -u nullglob
[ "${#wheels[@]}" -eq 1 ] || die "expected one wheel in $dist, got ${#wheels[@]}"
wheel=${wheels[0]}
echo "wheel: $(basename "$wheel")"
case $(basename "$wheel") in
    *-cp310-abi3-*manylinux_2_17_*.whl) ;;
    *) die "the wheel is not tagged cp310-abi3-manylinux_2_17: $wheel" ;;
esac

step "auditwheel show"
"$tools/bin/auditwheel" show "$wheel"
report=$("$tools/bin/auditwheel" show --json "$wheel")
# The audit must find the wheel no newer than its tag (every glibc symbol
# it uses is in manylinux_2_17), needing no library outside the policy,
# and free of the ABI traps auditwheel knows.
"$tools/bin/python" - "$wheel" "$report" <<'EOF'
import json
import re
import sys

wheel, report = sys.argv[1], json.loads(sys.argv[2])
claimed = re.search(r"manylinux_(\d+)_(\d+)_", wheel)
found = re.fullmatch(r"manylinux_(\d+)_(\d+)_\w+", report["overall_tag"])
if claimed is None or found is None:
    sys.exit(f"auditwheel: the wheel is {report['overall_tag']}, not manylinux")
need = tuple(map(int, found.groups()))
have = tuple(map(int, claimed.groups()))
problems = []
if need > have:
    problems.append(f"needs glibc {need} but is tagged {have}")
if report["external_libs"]:
    problems.append(f"needs external libraries {report['external_libs']}")
for trap in ("pyfpe", "ucs2", "unsupported_isa"):
    if report[trap]:
        problems.append(f"auditwheel flags {trap}")
if problems:
    sys.exit("auditwheel: " + "; ".join(problems))
print(
    f"auditwheel: consistent with manylinux_{need[0]}_{need[1]}, tagged "
    f"manylinux_{have[0]}_{have[1]}, no external libraries: ok"
)
EOF

step "fresh virtual environment $venv, no Rust toolchain on PATH"
# Drop every PATH entry that holds a Rust toolchain, keep the rest (node
# for the interop tests lives there).
clean_path=""
IFS=: read -r -a entries <<<"$PATH"
for dir in "${entries[@]}"; do
    [ -n "$dir" ] || continue
    if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then
        continue
    fi
    clean_path=${clean_path:+$clean_path:}$dir
done
rm -rf "$venv"
"$python" -m venv "$venv"
run_clean() {
    env -u CARGO_HOME -u RUSTUP_HOME -u CARGO_TARGET_DIR -u VIRTUAL_ENV \
        PATH="$venv/bin:$clean_path" "$@"
}
if run_clean sh -c 'command -v cargo || command -v rustc'; then
    die "a Rust toolchain is still on PATH"
fi
run_clean python -m pip install --quiet --upgrade pip
# --only-binary: nothing may be compiled, least of all iron-fast itself.
run_clean python -m pip install --quiet --only-binary :all: \
    "${wheel}[test]"

step "the suite against the installed wheel"
# pytest runs from the checkout (tests import `tests.*`), where python/ is
# not on sys.path: iron_fast must come from the wheel.
location=$(run_clean python -c \
    'import iron_fast._core as c, iron_fast as p; print(p.__file__); print(c.__file__)')
echo "$location"
case $location in
    "$venv"/lib/*/site-packages/iron_fast/*) ;;
    *) die "iron_fast was not imported from the wheel" ;;
esac
if grep -q -v "^$venv/" <<<"$location"; then
    die "part of iron_fast was not imported from the wheel"
fi
run_clean iron-fast --version
run_clean python -m pytest -p no:cacheprovider "$@"

step "stubtest: the installed stub against the installed compiled module"
# The dev extra's mypy, so both checks agree on what a stub may say.
run_clean python -m pip install --quiet --only-binary :all: "mypy==2.4.1"
run_clean python -m mypy.stubtest iron_fast._core \
    --allowlist scripts/stubtest-allowlist.txt
echo "build_wheel: $(basename "$wheel") built, audited, tested: ok"
