#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The typed API, checked two ways: mypy --strict over the package, the
# examples and docs/examples ([tool.mypy] in pyproject.toml), and stubtest,
# which imports the compiled iron_fast._core and compares it with the
# hand-written python/iron_fast/_core.pyi.
#
#   bash scripts/check_types.sh        # uses .venv (scripts/bootstrap.sh)
#   PYTHON=/path/to/python bash scripts/check_types.sh
#
# The interpreter must already have iron_fast installed (stubtest imports
# it); the tools and the framework packages the adapters import are added
# to it from the `dev` and `test` extras, without reinstalling iron_fast.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || { echo "check_types: no $python; run scripts/bootstrap.sh" >&2; exit 1; }

# The extras' requirements, with the self-references (iron-fast[...])
# expanded, read from pyproject.toml so there is one list to maintain.
mapfile -t requirements < <("$python" - <<'PY'
import re
import tomllib

with open("pyproject.toml", "rb") as f:
    extras = tomllib.load(f)["project"]["optional-dependencies"]
seen, todo, out = set(), ["dev", "test"], []
while todo:
    extra = todo.pop()
    if extra in seen:
        continue
    seen.add(extra)
    for req in extras[extra]:
        own = re.fullmatch(r"iron-fast\[([^\]]+)\]", req.replace(" ", ""))
        if own:
            todo.extend(own.group(1).split(","))
        else:
            out.append(req)
print("\n".join(dict.fromkeys(out)))
PY
)
"$python" -m pip install --quiet "${requirements[@]}"

echo "== mypy --strict"
"$python" -m mypy --config-file pyproject.toml

echo "== stubtest iron_fast._core"
"$python" -m mypy.stubtest iron_fast._core \
    --mypy-config-file pyproject.toml \
    --allowlist scripts/stubtest-allowlist.txt
