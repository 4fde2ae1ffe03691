# SPDX-License-Identifier: MIT
"""Each framework adapter against the real iron-session 9 in Node: a
cookie an adapter sets is read by Node, a cookie Node sets is read by the
adapter (plain, chunked, across a password rotation), and both write the
same Set-Cookie lines.

Node runs ``tests/interop/session_peer.mjs`` (iron-session 9's
getIronSession over a fake req/res) and the shared ``node_peer``
(sealData/unsealData). Skipped without Node, the npm packages or the
framework, unless IRON_FAST_REQUIRE_ALL=1, where that is a failure.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.conftest import SessionPeer, require_or_skip
from tests.conftest import browser_header as header_of

# aiohttp-session itself keys the request with strings (aiohttp 3.14
# warns), and Sanic imports websockets' legacy module; nothing of ours.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:It is recommended to use web.RequestKey"
    ),
    pytest.mark.filterwarnings("ignore:websockets.legacy is deprecated"),
]
PASSWORD = "interop-adapters-password-0123456789"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
NAME = "shared_session"  # one cookie, shared by a Node and a Python app
DATA = {"user": {"id": 1, "name": "Zoë ✓ 😀"}, "n": [1, 2.5, None, True]}
# Two chunks: aiohttp's server refuses a Cookie header over 8190 bytes
# (its max_field_size), which three chunks would exceed.
BIG = {"blob": "x" * 5000}
ADAPTERS = [
    "flask",
    "django",
    "aiohttp",
    "litestar",
    "quart",
    "falcon_wsgi",
    "falcon_asgi",
    "sanic",
]


# -- Node: iron-session 9's getIronSession ---------------------------------


class NodeApp:
    """iron-session 9 with this file's cookie name and password."""

    def __init__(self, peer: SessionPeer) -> None:
        self.peer = peer

    def run(
        self,
        cookie: str = "",
        actions: list[dict[str, Any]] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        options = {"cookieName": NAME, "password": PASSWORD, **options}
        return self.peer.run(options, cookie, actions)


@pytest.fixture
def node(session_peer: SessionPeer) -> NodeApp:
    return NodeApp(session_peer)


def seal_of(lines: list[str]) -> str:
    (line,) = [x for x in lines if x.startswith(f"{NAME}=")]
    return line.split(";", 1)[0].split("=", 1)[1]


def _require(module: str, name: str) -> None:
    try:
        __import__(module)
    except ImportError:
        require_or_skip(f"{name} is not installed (needed for this adapter)")


# -- Python: one driver per adapter, each through its own test client -----


class Driver:
    """The adapter's test app (tests/test_<adapter>.py) behind its own
    test client: ``get(path, cookie)`` and ``put(data, cookie)`` send
    a raw Cookie header and return (the JSON body or None, the
    Set-Cookie lines)."""

    def __init__(self, adapter: str, stack: ExitStack, **options: Any):
        self.adapter = adapter
        getattr(self, f"_start_{adapter}")(stack, **options)

    def _start_flask(
        self, stack: ExitStack, password: Any = PASSWORD, chunk: bool = False
    ) -> None:
        _require("flask", "Flask")
        from tests.test_flask import make_app

        app = make_app(
            IRON_SESSION_PASSWORD=password,
            IRON_SESSION_CHUNK=chunk,
            SESSION_COOKIE_NAME=NAME,
        )
        client = app.test_client(use_cookies=False)

        def call(method: str, path: str, cookie: str, body: Any) -> Any:
            response = client.open(
                path, method=method, json=body, headers={"Cookie": cookie}
            )
            assert response.status_code == 200, response.data
            data = response.json if response.is_json else None
            return data, response.headers.getlist("Set-Cookie")

        self._call = call

    def _start_django(
        self, stack: ExitStack, password: Any = PASSWORD, chunk: bool = False
    ) -> None:
        from tests.test_django import django_project

        stack.enter_context(
            django_project(
                IRON_SESSION_PASSWORD=password,
                IRON_SESSION={"chunk": chunk},
                SESSION_COOKIE_NAME=NAME,
            )
        )
        from django.test import Client

        def call(method: str, path: str, cookie: str, body: Any) -> Any:
            response = Client().generic(
                method,
                path,
                json.dumps(body) if body is not None else "",
                content_type="application/json",
                HTTP_COOKIE=cookie,
            )
            assert response.status_code == 200, response.content
            is_json = response["Content-Type"] == "application/json"
            data = json.loads(response.content) if is_json else None
            lines = [m.OutputString() for m in response.cookies.values()]
            return data, lines

        self._call = call

    def _start_aiohttp(
        self, stack: ExitStack, password: Any = PASSWORD, chunk: bool = False
    ) -> None:
        _require("aiohttp_session", "aiohttp-session")
        from aiohttp import DummyCookieJar
        from aiohttp.test_utils import TestClient, TestServer

        from tests.test_aiohttp import make_app

        loop = asyncio.new_event_loop()
        stack.callback(loop.close)
        app = make_app(password=password, chunk=chunk, cookie_name=NAME)

        async def start() -> Any:
            # aiohttp's client parts need a running loop to be built in.
            jar = DummyCookieJar()
            client = TestClient(TestServer(app), cookie_jar=jar)
            await client.start_server()
            return client

        client = loop.run_until_complete(start())
        stack.callback(lambda: loop.run_until_complete(client.close()))

        async def fetch(method: str, path: str, cookie: str, body: Any) -> Any:
            headers = {"Cookie": cookie} if cookie else {}
            response = await client.request(
                method, path, json=body, headers=headers
            )
            assert response.status == 200, await response.text()
            is_json = response.content_type == "application/json"
            data = await response.json() if is_json else None
            return data, response.headers.getall("Set-Cookie", [])

        self._call = lambda *args: loop.run_until_complete(fetch(*args))

    def _start_litestar(
        self, stack: ExitStack, password: Any = PASSWORD, chunk: bool = False
    ) -> None:
        _require("litestar", "Litestar")
        from litestar.testing import TestClient

        from tests.test_litestar import BASE_URL, make_app

        app = make_app(password=password, chunk=chunk, cookie_name=NAME)
        client = stack.enter_context(TestClient(app, base_url=BASE_URL))

        def call(method: str, path: str, cookie: str, body: Any) -> Any:
            client.cookies.clear()  # only the raw header given is sent
            response = client.request(
                method, path, json=body, headers={"Cookie": cookie}
            )
            assert response.status_code == 200, response.text
            is_json = response.headers["content-type"] == "application/json"
            data = response.json() if is_json else None
            return data, response.headers.get_list("set-cookie")

        self._call = call

    def _start_quart(
        self, stack: ExitStack, password: Any = PASSWORD, chunk: bool = False
    ) -> None:
        _require("quart", "Quart")
        from tests.test_quart import make_app

        loop = asyncio.new_event_loop()
        stack.callback(loop.close)
        app = make_app(
            IRON_SESSION_PASSWORD=password,
            IRON_SESSION_CHUNK=chunk,
            SESSION_COOKIE_NAME=NAME,
        )
        client = app.test_client(use_cookies=False)

        async def fetch(method: str, path: str, cookie: str, body: Any) -> Any:
            response = await client.open(
                path, method=method, json=body, headers={"Cookie": cookie}
            )
            assert response.status_code == 200, await response.get_data()
            data = await response.get_json() if response.is_json else None
            return data, response.headers.getlist("Set-Cookie")

        self._call = lambda *args: loop.run_until_complete(fetch(*args))

    def _start_falcon_wsgi(self, stack: ExitStack, **options: Any) -> None:
        self._start_falcon(stack, "wsgi", **options)

    def _start_falcon_asgi(self, stack: ExitStack, **options: Any) -> None:
        self._start_falcon(stack, "asgi", **options)

    def _start_falcon(
        self,
        stack: ExitStack,
        mode: str,
        password: Any = PASSWORD,
        chunk: bool = False,
    ) -> None:
        _require("falcon", "Falcon")
        from tests.test_falcon import Browser, make_app

        app = make_app(mode, password=password, chunk=chunk, cookie_name=NAME)
        browser = Browser(app)

        def call(method: str, path: str, cookie: str, body: Any) -> Any:
            result = browser.request(method, path, cookie, json=body)
            assert result.status_code == 200, result.text
            return result.json, result.set_cookies

        self._call = call

    def _start_sanic(
        self, stack: ExitStack, password: Any = PASSWORD, chunk: bool = False
    ) -> None:
        _require("sanic_testing", "Sanic and sanic-testing")
        from tests.test_sanic import make_app, serving

        app = make_app(password=password, chunk=chunk, cookie_name=NAME)
        browser = stack.enter_context(serving(app))

        def call(method: str, path: str, cookie: str, body: Any) -> Any:
            kw = {} if body is None else {"json": body}
            response = browser.request(method, path, cookie, **kw)
            assert response.status_code == 200, response.text
            return response.json, response.set_cookies

        self._call = call

    def get(self, path: str, cookie: str = "") -> Any:
        return self._call("GET", path, cookie, None)

    def put(self, data: dict[str, Any], cookie: str = "") -> Any:
        return self._call("POST", "/put", cookie, data)


@pytest.fixture
def python() -> Iterator[Any]:
    """``python(adapter, **options)``: a started Driver."""
    with ExitStack() as stack:
        yield lambda adapter, **options: Driver(adapter, stack, **options)


# -- the tests -------------------------------------------------------------


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapter_cookie_is_read_by_node(
    adapter: str, python: Any, node: SessionPeer, node_peer: Any
) -> None:
    app = python(adapter)
    _, lines = app.put(DATA)
    assert node.run(header_of(lines))["session_before"] == DATA
    assert node_peer.unseal("v9", seal_of(lines), PASSWORD) == (True, DATA)
    # The Set-Cookie line is the one iron-session writes for the same
    # session: same name, same attributes, in the same order.
    node_lines = node.run(actions=[{"set": DATA}, {"save": True}])[
        "set_cookie"
    ]
    assert [line.split(";", 1)[1] for line in lines] == [
        line.split(";", 1)[1] for line in node_lines
    ]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_node_cookie_is_read_by_adapter(
    adapter: str, python: Any, node: SessionPeer, node_peer: Any
) -> None:
    app = python(adapter)
    node_lines = node.run(actions=[{"set": DATA}, {"save": True}])[
        "set_cookie"
    ]
    data, lines = app.get("/read", header_of(node_lines))
    assert data == DATA
    assert lines == []
    data, lines = app.get("/count", header_of(node_lines))
    assert data == {**DATA, "count": 1}
    assert node.run(header_of(lines))["session_before"] == data
    sealed = node_peer.seal("v9", {"count": 41}, PASSWORD, ttl=3600)
    assert app.get("/count", f"{NAME}={sealed}")[0] == {"count": 42}


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_logout_expires_like_node(
    adapter: str, python: Any, node: SessionPeer
) -> None:
    app = python(adapter)
    _, lines = app.put(DATA)
    cookie = header_of(lines)
    node_lines = node.run(cookie, actions=[{"destroy": True}])["set_cookie"]
    _, lines = app.get("/logout", cookie)
    assert lines == node_lines


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_chunked_both_ways(
    adapter: str, python: Any, node: SessionPeer
) -> None:
    app = python(adapter, chunk=True)
    save = [{"set": BIG}, {"save": True}]
    node_lines = node.run(actions=save, chunk=True)["set_cookie"]
    names = [line.split("=", 1)[0] for line in node_lines]
    assert names == [f"{NAME}.{index}" for index in range(len(names))]
    assert len(names) > 1
    assert app.get("/read", header_of(node_lines))[0] == BIG
    _, lines = app.put({**BIG, "by": adapter})
    assert [line.split("=", 1)[0] for line in lines] == names
    answer = node.run(header_of(lines), chunk=True)
    assert answer["session_before"] == {**BIG, "by": adapter}
    # Node, shrinking the adapter's chunked session back to one cookie,
    # expires the chunks exactly as the adapter does.
    shrink = [{"delete": ["blob"]}, {"save": True}]
    node_lines = node.run(header_of(lines), shrink, chunk=True)["set_cookie"]
    _, py_lines = app.put({"blob": None}, header_of(lines))
    assert [x.split(";", 1)[1] for x in py_lines] == [
        x.split(";", 1)[1] for x in node_lines
    ]
    assert node.run(header_of(py_lines, {}))["session_before"] == {
        "by": adapter
    }


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_rotation_both_ways(
    adapter: str, python: Any, node: SessionPeer
) -> None:
    app = python(adapter, password={1: OLD, 2: NEW})
    old = node.run(
        actions=[{"set": {"count": 1}}, {"save": True}], password={"1": OLD}
    )["set_cookie"]
    data, lines = app.get("/count", header_of(old))
    assert data == {"count": 2}
    assert seal_of(lines).startswith("Fe26.2*2*")
    answer = node.run(header_of(lines), password={"2": NEW})
    assert answer["session_before"] == {"count": 2}
    answer = node.run(header_of(lines), password={"1": OLD})
    assert answer["session_before"] == {}
    assert answer["reasons"] == ["unknown-password"]
