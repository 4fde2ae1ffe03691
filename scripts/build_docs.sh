#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the documentation site (docs/ and the API reference generated
# from the docstrings and _core.pyi) into target-docs/site. --strict turns
# every warning (a broken link, an unresolved reference) into a failure.
#
#   bash scripts/build_docs.sh          # then open target-docs/site/index.html
#
# The reference is read from the sources (python/), so neither Rust nor a
# build of the package is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${IRON_FAST_DOCS_DIR:-target-docs}
python=${PYTHON:-python3}
if [ ! -x "$out/venv/bin/python" ]; then
    "$python" -m venv "$out/venv"
fi
# The docs extra of pyproject.toml, the one list of the tools' versions.
mapfile -t requirements < <("$out/venv/bin/python" - <<'PY'
import tomllib

with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"]["docs"]))
PY
)
"$out/venv/bin/python" -m pip install --quiet --upgrade pip
"$out/venv/bin/python" -m pip install --quiet "${requirements[@]}"
"$out/venv/bin/python" -m mkdocs build --strict --site-dir "$out/site"
echo "build_docs: $out/site/index.html"
