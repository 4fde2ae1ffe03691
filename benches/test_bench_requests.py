# SPDX-License-Identifier: MIT
"""pytest-benchmark: one whole request per call through each framework's
app of ``apps.py`` (groups ``request-<framework>``), one per variant."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apps


@pytest.mark.parametrize(
    ("framework", "variant"), apps.CASES + apps.SESSIONLESS_CASES
)
def test_request(benchmark: Any, framework: str, variant: str) -> None:
    pytest.importorskip(framework.removesuffix("_asgi"))
    pytest.importorskip("iron_fast._core", reason="build iron_fast first")
    benchmark.group = f"request-{framework}"
    benchmark(apps.request(framework, variant))
