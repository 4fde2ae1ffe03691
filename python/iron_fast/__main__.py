# SPDX-License-Identifier: MIT
"""``python -m iron_fast``: the ``iron-fast`` command, for environments
where the console script is not on PATH."""

from __future__ import annotations

import sys

from iron_fast.cli import main

if __name__ == "__main__":
    sys.exit(main())
