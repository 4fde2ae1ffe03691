# SPDX-License-Identifier: MIT
"""Runs every Python block of README.md and docs/*.md as a test (Sybil).

Blocks of one file share a namespace, as a reader pasting them in order
into one interpreter would; ``<!-- clear-namespace -->`` starts afresh.
Doctest output (``>>>`` lines) is checked, with ``...`` matching any text.
The passwords come from the environment, as the README tells the reader to
set them: ``IRON_SESSION_PASSWORD`` and ``IRON_SESSION_NEW_PASSWORD``, made
here by ``iron-fast keygen`` when they are not set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

from sybil import Example, Sybil
from sybil.parsers.markdown import (
    ClearNamespaceParser,
    PythonCodeBlockParser,
    SkipParser,
)

PASSWORD_VARIABLES = ("IRON_SESSION_PASSWORD", "IRON_SESSION_NEW_PASSWORD")
_saved: dict[str, str | None] = {}


def keygen() -> str:
    """What the README's ``iron-fast keygen`` prints."""
    return subprocess.run(
        [sys.executable, "-m", "iron_fast", "keygen"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


class ClearNamespace(ClearNamespaceParser):
    """``<!-- clear-namespace -->``: the next blocks start as a fresh
    script would."""

    @staticmethod
    def evaluate(example: Example) -> None:
        example.document.namespace.clear()
        # As in a script or an interpreter (Flask(__name__) needs it).
        example.document.namespace["__name__"] = "__main__"


def setup(namespace: dict[str, Any]) -> None:
    namespace["__name__"] = "__main__"
    for name in PASSWORD_VARIABLES:
        _saved[name] = os.environ.get(name)
        if not os.environ.get(name):
            os.environ[name] = keygen()


def teardown(namespace: dict[str, Any]) -> None:
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


DOCS = Sybil(
    parsers=[
        PythonCodeBlockParser(
            doctest_optionflags=ELLIPSIS | NORMALIZE_WHITESPACE
        ),
        SkipParser(),
        ClearNamespace(),
    ],
    patterns=["README.md", "docs/*.md"],
    setup=setup,
    teardown=teardown,
)
pytest_collect_file = DOCS.pytest()
