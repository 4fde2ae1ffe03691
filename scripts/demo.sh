#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: set up (scripts/bootstrap.sh), then run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python examples/seal_demo.py "$@"
