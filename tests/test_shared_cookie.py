# SPDX-License-Identifier: MIT
"""examples/shared_cookie/ live: the Node service (node:http and the real
iron-session 9) and the Python service (Starlette and iron_fast) each
read, change and re-seal the cookie the other wrote, over real HTTP.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import INTEROP_DIR, require_or_skip
from tests.served import ServerProcess, free_port

try:
    import httpx
except ImportError:  # pragma: no cover - a test dependency
    httpx = None  # type: ignore[assignment]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shared_cookie"
PASSWORD = "shared-cookie-test-password-32+chars"
NAME = "shared_session"


def start_service(argv: list[str], env: dict[str, str]) -> ServerProcess:
    """One of the example's services on a free loopback port."""
    port = free_port()
    return ServerProcess(
        argv, cwd=EXAMPLE, env={**env, "PORT": str(port)}, port=port
    )


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, ServerProcess]]:
    node = shutil.which("node")
    if node is None:
        require_or_skip("node is not on PATH (needed for the shared cookie)")
    module = INTEROP_DIR / "node_modules" / "iron-session-9"
    if not (module / "package.json").is_file():
        require_or_skip(f"{module} is missing: run `npm ci` in {INTEROP_DIR}")
    for name in ("httpx", "starlette", "uvicorn"):
        try:
            __import__(name)
        except ImportError:
            require_or_skip(f"{name} is not installed")
    assert node is not None
    entry = json.loads((module / "package.json").read_text())["exports"]["."]
    env = {
        "SECRET_COOKIE_PASSWORD": PASSWORD,
        "IRON_SESSION_MODULE": (module / entry).resolve().as_uri(),
    }
    started: dict[str, ServerProcess] = {}
    try:
        started["node"] = start_service([node, "server.mjs"], env)
        started["python"] = start_service([sys.executable, "app.py"], env)
        yield started
    finally:
        for service in started.values():
            service.stop()


def call(
    service: ServerProcess, method: str, cookie: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """One request with the given session cookie value: the session the
    service answered with and its Set-Cookie lines."""
    path = "/" if method == "GET" else "/visit"
    if method == "LOGOUT":
        method, path = "POST", "/logout"
    headers = {"cookie": f"{NAME}={cookie}"} if cookie else {}
    answer = httpx.request(
        method, service.url + path, headers=headers, timeout=10.0
    )
    assert answer.status_code == 200, answer.text
    return answer.json(), answer.headers.get_list("set-cookie")


def value_of(line: str) -> str:
    name, _, rest = line.partition("=")
    assert name == NAME
    return rest.split(";", 1)[0]


def test_python_writes_node_reads(services: dict[str, ServerProcess]) -> None:
    node, python = services["node"], services["python"]
    body, [line] = call(python, "POST")
    assert body == {
        "service": "python",
        "session": {"visits": 1, "history": ["python"]},
    }
    body, lines = call(node, "GET", value_of(line))
    assert body == {
        "service": "node",
        "session": {"visits": 1, "history": ["python"]},
    }
    assert lines == []


def test_node_writes_python_reads(services: dict[str, ServerProcess]) -> None:
    node, python = services["node"], services["python"]
    _, [line] = call(node, "POST")
    body, lines = call(python, "GET", value_of(line))
    assert body == {
        "service": "python",
        "session": {"visits": 1, "history": ["node"]},
    }
    assert lines == []


def test_back_and_forth_then_logout(
    services: dict[str, ServerProcess],
) -> None:
    node, python = services["node"], services["python"]
    cookie = None
    for turn in range(4):
        service = (python, node)[turn % 2]
        _, [line] = call(service, "POST", cookie)
        cookie = value_of(line)
    body, _ = call(python, "GET", cookie)
    assert body["session"] == {
        "visits": 4,
        "history": ["python", "node", "python", "node"],
    }
    # Either side's logout expires the cookie with the same line.
    _, [python_logout] = call(python, "LOGOUT", cookie)
    _, [node_logout] = call(node, "LOGOUT", cookie)
    assert python_logout == node_logout
    assert python_logout.startswith(f"{NAME}=; Max-Age=0;")


def test_same_set_cookie_attributes(
    services: dict[str, ServerProcess],
) -> None:
    _, [from_node] = call(services["node"], "POST")
    _, [from_python] = call(services["python"], "POST")
    suffix = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
    assert from_node.split(";", 1)[1] == from_python.split(";", 1)[1]
    assert from_python.endswith(suffix)
    assert value_of(from_node).startswith("Fe26.2*1*")
    assert value_of(from_python).startswith("Fe26.2*1*")


def test_each_side_refuses_a_tampered_cookie(
    services: dict[str, ServerProcess],
) -> None:
    _, [line] = call(services["python"], "POST")
    value = value_of(line)
    broken = value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]
    for service in services.values():
        body, lines = call(service, "GET", broken)
        assert (body["session"], lines) == ({}, [])
