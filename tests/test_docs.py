# SPDX-License-Identifier: MIT
"""The documentation test (conftest.py at the root, Sybil) covers every
Python block of README.md and docs/*.md, and those blocks print no
password: they read it from the environment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
SKIP = "<!-- skip: next -->"
# A quoted run of 32+ password-like characters, or "x" * 32.
PASSWORD_LITERAL = re.compile(
    r"""(["'])[\w\-~+=]{32,}\1|(["']).\2\s*\*\s*\d{2,}"""
)


def python_blocks(text: str) -> list[re.Match[str]]:
    return list(FENCE.finditer(text))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_every_python_block_is_run(path: Path) -> None:
    try:
        import conftest  # the root one: the Sybil set-up
    except ImportError:
        require_or_skip("sybil is not installed (the [test] extra)")
    text = path.read_text(encoding="utf-8")
    examples = list(conftest.DOCS.parse(path))
    for block in python_blocks(text):
        run = [
            e
            for e in examples
            if block.start() <= e.region.start < block.end()
            and type(e.region.evaluator).__name__ != "function"
        ]
        line = text.count("\n", 0, block.start()) + 1
        if text[: block.start()].rstrip().endswith(SKIP):
            # Only mkdocs includes of files that tests/test_typing.py runs.
            assert block.group(1).startswith('--8<-- "'), (path, line)
        else:
            assert run, f"{path.name}:{line}: a Python block nothing runs"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_no_password_in_a_python_block(path: Path) -> None:
    for block in python_blocks(path.read_text(encoding="utf-8")):
        found = PASSWORD_LITERAL.search(block.group(1))
        assert found is None, f"{path.name}: {found.group(0)[:12]}…"


def test_the_password_pattern_finds_what_a_reader_would_copy() -> None:
    for text in (
        'PASSWORD = "at-least-32-characters-of-secret-from-your-vault"',
        'SessionConfig(password="x" * 32, cookie_name="s")',
        "password='complex_password_at_least_32_characters_long'",
    ):
        assert PASSWORD_LITERAL.search(text), text
    for text in (
        'os.environ["IRON_SESSION_PASSWORD"]',
        '"iron_fast.django.middleware.SessionMiddleware"',
        "'Fe26.2*1*...~2'",
    ):
        assert PASSWORD_LITERAL.search(text) is None, text
