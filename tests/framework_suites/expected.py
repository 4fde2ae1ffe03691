# SPDX-License-Identifier: MIT
"""A pytest plugin for a framework's own test suite run against an iron_fast
adapter: the tests named in ``expected_failures.txt`` are marked xfail
(strict, with the file's reason), so the run passes only when exactly the
expected ones fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

_LIST = Path(__file__).with_name("expected_failures.txt")


def _expected() -> dict[str, str]:
    """``{node id: reason}`` from lines ``<suite>: <node id>  # reason``."""
    found: dict[str, str] = {}
    for line in _LIST.read_text().splitlines():
        entry, _, reason = line.partition("#")
        if entry.strip():
            _suite, _, node = entry.partition(":")
            found[node.strip()] = reason.strip()
    return found


@pytest.hookimpl(trylast=True)  # after plugins that replace items
def pytest_collection_modifyitems(items: list[Any]) -> None:
    expected = _expected()
    for item in items:
        reason = expected.get(item.nodeid)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
