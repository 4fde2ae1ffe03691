# SPDX-License-Identifier: MIT
"""The request benchmark apps of Litestar and Quart, as ``apps.py`` builds
the others: the same view (read the session, bump its counter) with no
cookie session (``none``: an in-memory dict), the framework's own
(``native``: Litestar's ``CookieBackendConfig``, Quart's default signed
cookie) and iron_fast's adapter (``iron_fast``); ``request(framework,
variant)`` runs one whole request in process, each with a cookie not seen
before (``POOL`` of them), so the per-request overhead of a session is
``median(variant) - median(none)``.

Litestar's ASGI app is called directly and its coroutine stepped once;
Quart's needs an event loop (it runs the handler in a task), which every
variant pays alike.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from apps import PASSWORD, POOL
from payloads import PAYLOADS

PAYLOAD = PAYLOADS["100B"]
VARIANTS = ("none", "native", "iron_fast")
# A harness: (prepare, call). ``prepare(cookie)`` makes what one request
# needs, ahead of the timed calls; ``call(prepared)`` runs the request and
# returns the body and the Set-Cookie lines.
Harness = tuple[Callable[[str | None], Any], Callable[[Any], Any]]


def view(session: Any) -> str:
    """What every view does: read the session, bump its counter."""
    if "uid" not in session:
        session.update(PAYLOAD)
    session["count"] = session.get("count", 0) + 1
    return str(session["count"])


def litestar_app(variant: str) -> Any:
    from litestar import Litestar, Request, get
    from litestar.middleware import DefineMiddleware

    @get("/", media_type="text/plain")
    async def index(request: Request[Any, Any, Any]) -> str:
        return view(request.session)

    def with_dict_session(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            scope["session"] = {}
            await app(scope, receive, send)

        return middleware

    if variant == "none":
        middleware: Any = DefineMiddleware(with_dict_session)
    elif variant == "native":
        from litestar.middleware.session.client_side import (
            CookieBackendConfig,
        )

        key = PASSWORD.encode()[:32]  # raw AES-256 key bytes
        middleware = CookieBackendConfig(secret=key).middleware
    else:
        from iron_fast.litestar import IronCookieBackendConfig

        middleware = IronCookieBackendConfig(password=PASSWORD).middleware
    return Litestar(route_handlers=[index], middleware=[middleware])


def quart_app(variant: str) -> Any:
    from flask.sessions import SecureCookieSession
    from quart import Quart, session
    from quart.sessions import SessionInterface

    class DictSessions(SessionInterface):
        async def open_session(self, app: Any, request: Any) -> Any:
            return SecureCookieSession()

        async def save_session(
            self, app: Any, session: Any, response: Any
        ) -> None:
            pass

    app = Quart(__name__)
    app.secret_key = PASSWORD
    if variant == "none":
        app.session_interface = DictSessions()
    elif variant == "iron_fast":
        from iron_fast.quart import IronSessionInterface

        app.session_interface = IronSessionInterface(PASSWORD)

    @app.get("/")
    async def index() -> str:
        return view(session)

    return app


def _scope(cookie: str | None) -> dict[str, Any]:
    headers = [(b"host", b"testserver")]
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }


def _asgi(app: Any, run: Callable[[Any], Any]) -> Harness:
    def call(cookie: str | None) -> tuple[str, list[str]]:
        sent: list[Any] = []
        body = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            if body:
                return body.pop()
            # Then nothing more until the app is done (Quart listens for
            # a disconnect in a task it cancels when the response is out).
            return await asyncio.get_running_loop().create_future()  # type: ignore[no-any-return]

        async def send(message: Any) -> None:
            sent.append(message)

        run(app(_scope(cookie), receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        lines = [v.decode() for k, v in start["headers"] if k == b"set-cookie"]
        text = b"".join(m.get("body", b"") for m in sent if m is not start)
        return text.decode(), lines

    # The scope is a fresh dict per request (apps write into it).
    return lambda cookie: cookie, call


def _step(coro: Any) -> Any:
    """Runs a coroutine that never suspends, without an event loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the app waited for I/O; it cannot be stepped")


def harness(framework: str, variant: str) -> Harness:
    if framework == "litestar":
        return _asgi(litestar_app(variant), _step)
    loop = asyncio.new_event_loop()
    return _asgi(quart_app(variant), loop.run_until_complete)


def request(framework: str, variant: str) -> Callable[[], Any]:
    """One whole request per call, checked once: the view saw the cookie's
    session (its count went from 1 to 2) and the response set one cookie.
    A request cycles through ``POOL`` cookies (``none``: no cookie)."""
    prepare, call = harness(framework, variant)

    def made() -> str:  # a cookie set by a request that sent none
        return str(call(prepare(None))[1][0]).split(";", 1)[0]

    plain = variant == "none"
    pool = [prepare(None if plain else made()) for _ in range(POOL)]
    following = itertools.cycle(pool).__next__

    def one() -> tuple[str, list[str]]:
        return call(following())  # type: ignore[no-any-return]

    body, lines = one()
    expected = ("1", 0) if plain else ("2", 1)
    if (body, len(lines)) != expected:
        raise AssertionError(f"{framework} {variant}: {body!r}, {lines}")
    return one


FRAMEWORKS = ("litestar", "quart")
CASES = [(f, v) for f in FRAMEWORKS for v in VARIANTS]
