# SPDX-License-Identifier: MIT
"""pytest-benchmark: one whole request per call through a small app of each
framework, without a session (``none``), with the framework's own cookie
session (``native``) and with iron_fast's adapter (``iron_fast``; for
Starlette and Flask also ``iron_fast:next``, each request sending the
cookie the previous response set); see ``apps.py``. The view reads the
session and modifies it, so the session is verified, decoded, re-encoded
and written back on every request.

One benchmark group per framework (``request-starlette``, ...); the
per-request overhead of a session is ``median(variant) - median(none)``,
which ``report.py`` computes.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apps


@pytest.mark.parametrize(("framework", "variant"), apps.CASES)
def test_request(benchmark: Any, framework: str, variant: str) -> None:
    pytest.importorskip(framework.removesuffix("_asgi"))
    if variant.startswith("iron_fast"):
        pytest.importorskip(
            "iron_fast._core", reason="iron_fast is not built (maturin)"
        )
    with warnings.catch_warnings():
        # The apps run over plain http in process: iron_fast's warning
        # about a missing Secure flag does not apply.
        warnings.simplefilter("ignore")
        request = apps.FRAMEWORKS[framework](variant)
    benchmark.group = f"request-{framework}"
    benchmark(request)
