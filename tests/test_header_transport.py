# SPDX-License-Identifier: MIT
"""The session header (``SessionConfig(header=...)``) for API clients,
through each adapter's own test client (Starlette, Flask, aiohttp,
Django, Litestar, Quart, Falcon WSGI and ASGI, Sanic): log in with an
empty header, keep the value sent back, send it again; destroy sends it
empty; bad and oversized values are an empty session, never a 5xx;
browsers keep their cookies."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pytest

from iron_fast import CookieTooLarge
from iron_fast.cookies import ResponseJar
from iron_fast.errors import ConfigError
from iron_fast.limits import MAX_HEADER_BYTES
from iron_fast.session import get_iron_session
from iron_fast.session_config import SessionConfig
from tests.conftest import require_or_skip

# aiohttp-session itself keys the request with strings (aiohttp 3.14
# warns); nothing of iron_fast's.
pytestmark = pytest.mark.filterwarnings(
    "ignore:It is recommended to use web.RequestKey"
)
PASSWORD = "header-test-password-0123456789-abcdef"
HEADER = "X-Session"
NAME = "session"

# Each app has these routes: /login?user=U sets session["user"], /read
# answers the session as JSON, /count adds 1 to session["count"],
# /logout destroys (or empties) it, /big stores ?n= characters.


class Reply(Protocol):
    status: int
    headers: dict[str, list[str]]  # lower-case names
    body: Any


class _Reply:
    def __init__(
        self, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self.status = status
        self.headers: dict[str, list[str]] = {}
        for name, value in headers:
            self.headers.setdefault(name.lower(), []).append(value)
        self.body = json.loads(body) if body.startswith(b"{") else body

    def session_header(self) -> str | None:
        values = self.headers.get(HEADER.lower())
        if values is None:
            return None
        (value,) = values
        return value


Send = Callable[[str, dict[str, str]], _Reply]


# -- the apps --------------------------------------------------------------


def starlette_send(config: SessionConfig) -> Iterator[Send]:
    try:
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route
        from starlette.testclient import TestClient
    except ImportError:
        require_or_skip("Starlette is not installed")
    from iron_fast.starlette import IronSessionMiddleware

    async def login(request: Request) -> JSONResponse:
        request.session["user"] = request.query_params["user"]
        return JSONResponse(dict(request.session))

    async def read(request: Request) -> JSONResponse:
        return JSONResponse(dict(request.session))

    async def count(request: Request) -> JSONResponse:
        session = request.session
        session["count"] = session.get("count", 0) + 1
        return JSONResponse(dict(session))

    async def logout(request: Request) -> JSONResponse:
        request.session.clear()
        return JSONResponse({})

    async def big(request: Request) -> JSONResponse:
        request.session["blob"] = "x" * int(request.query_params["n"])
        return JSONResponse({})

    app = Starlette(
        routes=[
            Route(f"/{view.__name__}", view)
            for view in (login, read, count, logout, big)
        ],
        middleware=[Middleware(IronSessionMiddleware, config=config)],
    )
    with TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False
    ) as client:

        def send(path: str, headers: dict[str, str]) -> _Reply:
            client.cookies.clear()
            response = client.get(path, headers=headers)
            return _Reply(
                response.status_code,
                list(response.headers.multi_items()),
                response.content,
            )

        yield send


def flask_send(config: SessionConfig) -> Iterator[Send]:
    try:
        from flask import Flask, jsonify, request, session
    except ImportError:
        require_or_skip("Flask is not installed")
    from iron_fast.flask import IronSessionInterface

    app = Flask(__name__)
    app.config["SESSION_COOKIE_NAME"] = NAME
    app.session_interface = IronSessionInterface(
        PASSWORD, header=config.header
    )

    @app.get("/login")
    def login() -> Any:
        session["user"] = request.args["user"]
        return jsonify(dict(session))

    @app.get("/read")
    def read() -> Any:
        return jsonify(dict(session))

    @app.get("/count")
    def count() -> Any:
        session["count"] = session.get("count", 0) + 1
        return jsonify(dict(session))

    @app.get("/logout")
    def logout() -> Any:
        session.clear()
        return jsonify({})

    @app.get("/big")
    def big() -> Any:
        session["blob"] = "x" * int(request.args["n"])
        return jsonify({})

    def send(path: str, headers: dict[str, str]) -> _Reply:
        # The Cookie header as given: no test-client cookie jar over it.
        client = app.test_client(use_cookies=False)
        response = client.get(path, headers=headers, base_url="https://x/")
        return _Reply(
            response.status_code, list(response.headers), response.data
        )

    yield send


def aiohttp_send(config: SessionConfig) -> Iterator[Send]:
    from tests.test_aiohttp import make_app

    try:
        from aiohttp import DummyCookieJar
        from aiohttp.test_utils import TestClient, TestServer
    except ImportError:
        require_or_skip("aiohttp-session is not installed")
    # test_aiohttp's app: /login, /read, /count, /logout and POST /put.
    app = make_app(password=PASSWORD, cookie_name=NAME, header=config.header)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def call(coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(30)

    async def start() -> TestClient:
        server = TestServer(app)
        # Headers up to the session header's own limit reach the app (the
        # server refuses lines over 8190 bytes by default, with a 400).
        await server.start_server(max_field_size=4 * 8192)
        client = TestClient(server, cookie_jar=DummyCookieJar())
        await client.start_server()
        return client

    client = call(start())

    async def fetch(path: str, headers: dict[str, str]) -> _Reply:
        route, _, query = path.partition("?")
        if route == "/big":
            blob = "x" * int(query.partition("=")[2])
            response = await client.post(
                "/put", json={"blob": blob}, headers=headers
            )
        else:
            response = await client.get(path, headers=headers)
        body = await response.read()
        return _Reply(response.status, list(response.headers.items()), body)

    try:
        yield lambda path, headers: call(fetch(path, headers))
    finally:
        call(client.close())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def django_send(config: SessionConfig) -> Iterator[Send]:
    from tests.test_django import django_project

    with django_project(
        SESSION_COOKIE_NAME=NAME,
        IRON_SESSION={"header": config.header},
    ):
        from django.test import Client

        routes = {
            "/login": "/login",
            "/read": "/read",
            "/count": "/count",
            "/logout": "/logout",
        }

        def send(path: str, headers: dict[str, str]) -> _Reply:
            route, _, query = path.partition("?")
            if route == "/big":
                n = int(query.partition("=")[2])
                response = Client().post(
                    "/put",
                    json.dumps({"blob": "x" * n}),
                    content_type="application/json",
                    headers=headers,
                )
            else:
                target = routes[route] + (f"?{query}" if query else "")
                response = Client().get(target, headers=headers)
            pairs = list(response.items())
            pairs += [
                ("Set-Cookie", morsel.OutputString())
                for morsel in response.cookies.values()
            ]
            return _Reply(response.status_code, pairs, response.content)

        yield send


def _put_body(path: str) -> dict[str, Any] | None:
    """/login?user=U and /big?n=N as the POST /put body of the apps that
    have only that route (tests/test_litestar.py's, test_quart's)."""
    route, _, query = path.partition("?")
    value = query.partition("=")[2]
    if route == "/login":
        return {"user": value}
    if route == "/big":
        return {"blob": "x" * int(value)}
    return None


def litestar_send(config: SessionConfig) -> Iterator[Send]:
    try:
        from litestar.testing import TestClient
    except ImportError:
        require_or_skip("Litestar is not installed")
    from iron_fast.litestar import IronCookieBackendConfig
    from tests.test_litestar import make_app

    app = make_app(IronCookieBackendConfig(config))
    with TestClient(app, base_url="https://testserver.local") as client:

        def send(path: str, headers: dict[str, str]) -> _Reply:
            client.cookies.clear()
            body = _put_body(path)
            if body is None:
                response = client.get(path, headers=headers)
            else:
                response = client.post("/put", json=body, headers=headers)
            return _Reply(
                response.status_code,
                list(response.headers.multi_items()),
                response.content,
            )

        yield send


def quart_send(config: SessionConfig) -> Iterator[Send]:
    try:
        import quart  # noqa: F401
    except ImportError:
        require_or_skip("Quart is not installed")
    from iron_fast.quart import IronSessionInterface
    from tests.test_quart import make_app

    app = make_app(IronSessionInterface(PASSWORD, header=config.header))

    async def fetch(path: str, headers: dict[str, str]) -> _Reply:
        client = app.test_client()
        body = _put_body(path) if not path.startswith("/login") else None
        if body is None:
            response = await client.get(path, headers=headers)
        else:
            response = await client.post("/put", json=body, headers=headers)
        return _Reply(
            response.status_code,
            list(response.headers.items()),
            await response.get_data(),
        )

    yield lambda path, headers: asyncio.run(fetch(path, headers))


def _falcon_send(config: SessionConfig, mode: str) -> Iterator[Send]:
    try:
        import falcon  # noqa: F401
        from falcon.testing import TestClient
    except ImportError:
        require_or_skip("Falcon is not installed")
    from tests.test_falcon import make_app

    options = {"cookie_name": config.cookie_name, "header": config.header}
    client = TestClient(make_app(mode, **options))

    def send(path: str, headers: dict[str, str]) -> _Reply:
        body = _put_body(path)
        if body is None:
            result = client.simulate_get(path, headers=headers)
        else:
            result = client.simulate_post("/put", json=body, headers=headers)
        return _Reply(
            result.status_code, list(result.headers.items()), result.content
        )

    yield send


def falcon_wsgi_send(config: SessionConfig) -> Iterator[Send]:
    yield from _falcon_send(config, "wsgi")


def falcon_asgi_send(config: SessionConfig) -> Iterator[Send]:
    yield from _falcon_send(config, "asgi")


def sanic_send(config: SessionConfig) -> Iterator[Send]:
    try:
        import sanic  # noqa: F401
        import sanic_testing  # noqa: F401
    except ImportError:
        require_or_skip("Sanic or sanic-testing is not installed")
    from tests.test_sanic import make_app, serving

    options = {"cookie_name": config.cookie_name, "header": config.header}
    with serving(make_app(**options)) as browser:

        def send(path: str, headers: dict[str, str]) -> _Reply:
            body = _put_body(path)
            client = browser.client
            if body is None:
                _, response = client.get(path, headers=headers)
            else:
                _, response = client.post("/put", json=body, headers=headers)
            return _Reply(
                response.status,
                list(response.headers.items()),
                response.body,
            )

        # Sanic refuses a request whose headers pass its own limit (8 KB)
        # with 413, before any middleware: never a 5xx either.
        send.server_header_limit = 8192  # type: ignore[attr-defined]
        yield send


ADAPTERS = {
    "falcon-asgi": falcon_asgi_send,
    "falcon-wsgi": falcon_wsgi_send,
    "sanic": sanic_send,
    "litestar": litestar_send,
    "quart": quart_send,
    "starlette": starlette_send,
    "flask": flask_send,
    "aiohttp": aiohttp_send,
    "django": django_send,
}


@pytest.fixture(params=sorted(ADAPTERS))
def send(request: Any) -> Iterator[Send]:
    config = SessionConfig(password=PASSWORD, cookie_name=NAME, header=HEADER)
    yield from ADAPTERS[request.param](config)


# -- the flow --------------------------------------------------------------


def test_api_client_logs_in_keeps_the_header_and_sends_it_back(send):
    login = send("/login?user=ada", {HEADER: ""})
    assert login.status == 200
    token = login.session_header()
    assert token and token.startswith("Fe26.2*")
    assert "set-cookie" not in login.headers
    assert HEADER.lower() in ",".join(login.headers["vary"]).lower()

    read = send("/read", {HEADER: token})
    assert read.body == {"user": "ada"}
    assert read.session_header() is None  # unchanged: nothing sent
    assert "set-cookie" not in read.headers

    counted = send("/count", {HEADER: token})
    token2 = counted.session_header()
    assert token2 and token2 != token
    assert send("/read", {HEADER: token2}).body == {"user": "ada", "count": 1}

    out = send("/logout", {HEADER: token2})
    assert out.session_header() == ""
    assert "set-cookie" not in out.headers


def test_browsers_keep_cookies(send):
    reply = send("/login?user=ada", {})
    assert reply.session_header() is None
    (line,) = reply.headers["set-cookie"]
    assert line.startswith(f"{NAME}=Fe26.2*")
    seal = line.split(";")[0].split("=", 1)[1]
    # The cookie wins over a header; a header client is answered in the
    # header, not with Set-Cookie.
    both = send("/count", {"Cookie": f"{NAME}={seal}", HEADER: ""})
    assert both.body == {"user": "ada", "count": 1}
    assert both.session_header()
    assert "set-cookie" not in both.headers


def _refused_by_the_server(send: Send, value: str, reply: _Reply) -> bool:
    limit = getattr(send, "server_header_limit", None)
    if limit is None or len(value) <= limit:
        return False
    assert reply.status == 413  # the server's own limit, before the app
    return True


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "Fe26.2*1*a*b*c*d*e*f",
        "Fe26.2*" + "A" * (MAX_HEADER_BYTES + 1),
    ],
)
def test_bad_or_oversized_header_is_an_empty_session(send, value):
    reply = send("/read", {HEADER: value})
    if _refused_by_the_server(send, value, reply):
        return
    assert reply.status == 200
    assert reply.body == {}
    assert "set-cookie" not in reply.headers


def test_oversized_genuine_header_is_an_empty_session(send):
    token = send("/big?n=100", {HEADER: ""}).session_header()
    assert token
    padded = token + "~" + "x" * MAX_HEADER_BYTES  # genuine, too long
    assert send("/read", {HEADER: token}).body == {"blob": "x" * 100}
    reply = send("/read", {HEADER: padded})
    if not _refused_by_the_server(send, padded, reply):
        assert reply.body == {}


def test_session_too_big_for_the_header_is_refused_not_sent():
    config = SessionConfig(password=PASSWORD, cookie_name=NAME, header=HEADER)
    jar = ResponseJar(None, "")
    session = get_iron_session(jar, config)
    session["blob"] = "x" * MAX_HEADER_BYTES
    with pytest.raises(CookieTooLarge, match=HEADER):
        session.save()
    assert jar.header_out is None and not jar.lines


def test_header_is_unused_without_the_option():
    with_header = SessionConfig(
        password=PASSWORD, cookie_name=NAME, header=HEADER
    )
    jar = ResponseJar(None, "")
    get_iron_session(jar, with_header).update(user="ada")
    jar.session_header = with_header.codec.save(jar, {"user": "ada"})
    assert get_iron_session(jar, with_header) == {"user": "ada"}
    # A jar holding a header value, under a config without header=: the
    # codec reads cookies only, and answers with Set-Cookie.
    config = with_header.replace(header=None)
    session = get_iron_session(jar, config)
    assert session == {}
    session["user"] = "bob"
    session.save()
    assert list(jar.lines) == [NAME]


@pytest.mark.parametrize(
    "bad", ["", "X Session", "Cookie", "set-cookie", 1, b"X-Session"]
)
def test_bad_header_option_names_itself(bad):
    with pytest.raises(ConfigError) as info:
        SessionConfig(password=PASSWORD, cookie_name=NAME, header=bad)
    assert info.value.option == "header"
