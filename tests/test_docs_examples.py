# SPDX-License-Identifier: MIT
"""The examples' docstrings: their commands run from the repository root
as written (``.venv/bin/...``, the secret from ``iron-fast keygen``), and
their plain-HTTP development set-up (COOKIE_SECURE=0 on 127.0.0.1) serves
a request without an IronFastWarning.
"""

from __future__ import annotations

import ast
import os
import re
import runpy
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from iron_fast import IronFastWarning
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(
    p
    for p in (ROOT / "examples").rglob("*.py")
    if "node_modules" not in p.parts
)
# An indented line of a docstring that runs something.
COMMAND = re.compile(r"^    (?:[A-Z_]+=\S* )*(\S+).*$", re.MULTILINE)
PASSWORD = "docs-examples-test-password-0123456789-abcdef"


def commands(path: Path) -> list[str]:
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return [m.group(0).strip() for m in COMMAND.finditer(doc)]


@pytest.mark.parametrize(
    "path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT / "examples"))
)
def test_docstring_commands_run_from_the_root(path: Path) -> None:
    found = commands(path)
    assert found, f"{path.name}: no command in its docstring"
    for line in found:
        if line.startswith("export "):
            assert "$(.venv/bin/iron-fast keygen)" in line, line
            continue
        program = COMMAND.match("    " + line)
        assert program is not None
        assert program.group(1).startswith(".venv/bin/") or line.startswith(
            "bash scripts/"
        ), line
        for target in re.findall(r"examples/\S+\.py", line):
            assert (ROOT / target).is_file(), line
        for module in re.findall(r"(examples\.\w+):app", line):
            assert (ROOT / (module.replace(".", "/") + ".py")).is_file()
    assert "secrets.token_urlsafe" not in path.read_text().split('"""')[1]


def _needs(*modules: str) -> None:
    for name in modules:
        try:
            __import__(name)
        except ImportError:
            require_or_skip(f"{name} is not installed (the [test] extra)")


def _quiet(run: Any) -> Any:
    """run() with COOKIE_SECURE=0; fails on any IronFastWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    loud = [str(w.message) for w in caught if w.category is IronFastWarning]
    assert loud == []
    return result


@pytest.fixture
def dev_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_COOKIE_PASSWORD", PASSWORD)
    monkeypatch.setenv("COOKIE_SECURE", "0")


@pytest.mark.parametrize(
    ("example", "path"),
    [
        ("starlette_app.py", "/login"),
        ("fastapi_app.py", "/login"),
        ("shared_cookie/app.py", "/visit"),
    ],
)
def test_asgi_examples_do_not_warn_on_loopback(
    dev_env: None, example: str, path: str
) -> None:
    _needs("starlette", "fastapi", "httpx")
    from starlette.testclient import TestClient

    def run() -> Any:
        app = runpy.run_path(str(ROOT / "examples" / example))["app"]
        with TestClient(app, base_url="http://127.0.0.1") as client:
            return client.post(
                path, data={"name": "Ada"}, follow_redirects=False
            )

    answer = _quiet(run)
    assert answer.status_code in (200, 303)
    assert "Secure" not in answer.headers["set-cookie"]


def test_flask_example_does_not_warn_on_loopback(dev_env: None) -> None:
    _needs("flask")

    def run() -> Any:
        app = runpy.run_path(str(ROOT / "examples" / "flask_app.py"))["app"]
        return app.test_client().post("/login", data={"name": "Ada"})

    answer = _quiet(run)
    assert answer.status_code == 303
    assert "Secure" not in answer.headers["set-cookie"]


def test_aiohttp_example_does_not_warn_on_loopback(dev_env: None) -> None:
    _needs("aiohttp", "aiohttp_session")
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    async def login() -> str:
        example = runpy.run_path(str(ROOT / "examples" / "aiohttp_app.py"))
        async with TestClient(TestServer(example["make_app"]())) as client:
            answer = await client.post(
                "/login", data={"name": "Ada"}, allow_redirects=False
            )
            return answer.headers["set-cookie"]

    line = _quiet(lambda: asyncio.run(login()))
    assert line.startswith("iron_fast_example=Fe26.2*1*")
    assert "Secure" not in line


DJANGO = """
import sys
sys.path.insert(0, sys.argv[1])
import app  # configures Django for itself
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()  # lets the test client's host in
from django.test import Client
answer = Client().get("/")
print(answer.status_code)
"""


def test_django_example_does_not_warn_on_loopback() -> None:
    _needs("django")
    env = {**os.environ, "SECRET_COOKIE_PASSWORD": PASSWORD}
    env["COOKIE_SECURE"] = "0"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    folder = ROOT / "examples" / "django_app"
    run = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::UserWarning",
            "-c",
            DJANGO,
            str(folder),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "200"
    assert "IronFastWarning" not in run.stderr
