#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: set up (scripts/bootstrap.sh), then run the demo web app
# (examples/demo/app.py) on http://127.0.0.1:${PORT:-8000}/ until Ctrl+C.
# Development only: it keeps a generated password in .iron-fast-dev-secret.
# examples/seal_demo.py is the command-line tour of seal/unseal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python examples/demo/app.py "$@"
