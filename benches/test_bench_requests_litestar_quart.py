# SPDX-License-Identifier: MIT
"""pytest-benchmark: one whole request per call through the Litestar and
Quart apps of ``apps_litestar_quart.py``, without a cookie session
(``none``), with the framework's own (``native``) and with iron_fast's
adapter (``iron_fast``). One group per framework (``request-litestar``,
``request-quart``); the per-request overhead of a session is
``median(variant) - median(none)``.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apps_litestar_quart as apps


@pytest.mark.parametrize(("framework", "variant"), apps.CASES)
def test_request(benchmark: Any, framework: str, variant: str) -> None:
    pytest.importorskip(framework)
    with warnings.catch_warnings():
        # The apps run over plain http in process: iron_fast's warning
        # about a missing Secure flag does not apply.
        warnings.simplefilter("ignore")
        request = apps.request(framework, variant)
    benchmark.group = f"request-{framework}"
    benchmark(request)
