# SPDX-License-Identifier: MIT
"""Each framework adapter driven in-process, without a server or a test
client, so that fuzzing and the memory soak can send many requests: a
request carries a raw ``Cookie`` header (as the server hands it over) and
the answer is the status, the session the view saw, and the Set-Cookie
lines. ``GET /`` shows the session; ``GET /bump`` adds one to ``n``.

The reference is ``get_iron_session(HeaderCookieJar(header), CONFIG)``:
every adapter must see exactly the session it sees, and never fail.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from iron_fast import HeaderCookieJar, SessionConfig, get_iron_session

PASSWORD = "hardening-adapters-password-0123456789-abc"
COOKIE = "hsession"
CONFIG = SessionConfig(password=PASSWORD, cookie_name=COOKIE, chunk=True)


@dataclass
class Answer:
    status: int
    session: Any
    set_cookies: list[str] = field(default_factory=list)


def reference(header: str) -> dict[str, Any]:
    """The session the core reads from this Cookie header."""
    return dict(get_iron_session(HeaderCookieJar(header), CONFIG))


def _bump(session: Any) -> None:
    session["n"] = session.get("n", 0) + 1


def _answer(status: int, body: bytes, set_cookies: list[str]) -> Answer:
    try:
        session = json.loads(body) if status == 200 else None
    except ValueError:
        session = body.decode("latin-1")
    return Answer(status, session, set_cookies)


class Starlette:
    name = "starlette"

    def __init__(self) -> None:
        from starlette.applications import Starlette as App
        from starlette.middleware import Middleware
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from iron_fast.starlette import IronSessionMiddleware

        async def show(request: Request) -> JSONResponse:
            if request.url.path == "/bump":
                _bump(request.session)
            return JSONResponse(dict(request.session))

        self.app = App(
            routes=[Route("/", show), Route("/bump", show)],
            middleware=[Middleware(IronSessionMiddleware, config=CONFIG)],
        )
        self.loop = asyncio.new_event_loop()

    def request(self, header: str | None, path: str = "/") -> Answer:
        return _asgi(self.app, self.loop, header, path)

    def close(self) -> None:
        self.loop.close()


def _asgi(
    app: Any, loop: asyncio.AbstractEventLoop, header: str | None, path: str
) -> Answer:
    headers = [(b"host", b"testserver")]
    if header is not None:
        headers.append((b"cookie", header.encode("latin-1")))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    loop.run_until_complete(app(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    lines = [
        v.decode("latin-1")
        for k, v in start["headers"]
        if k.lower() == b"set-cookie"
    ]
    return _answer(start["status"], body, lines)


def _environ(header: str | None, path: str) -> dict[str, Any]:
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if header is not None:
        environ["HTTP_COOKIE"] = header  # WSGI: the bytes as Latin-1
    return environ


def _wsgi(app: Callable[..., Any], header: str | None, path: str) -> Answer:
    status: list[str] = []
    headers: list[tuple[str, str]] = []

    def start_response(s: str, h: list[tuple[str, str]], *_: Any) -> None:
        status.append(s)
        headers.extend(h)

    chunks = app(_environ(header, path), start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    lines = [v for k, v in headers if k.lower() == "set-cookie"]
    return _answer(int(status[0].split()[0]), body, lines)


class Flask:
    name = "flask"

    def __init__(self) -> None:
        from flask import Flask as App
        from flask import jsonify, request, session

        from iron_fast.flask import IronSessionInterface

        app = App(__name__)
        app.config["SESSION_COOKIE_NAME"] = COOKIE
        app.session_interface = IronSessionInterface(
            PASSWORD, cookie_options={"secure": True}, chunk=True
        )

        @app.get("/")
        @app.get("/bump")
        def show() -> Any:
            if request.path == "/bump":
                _bump(session)
            return jsonify(dict(session))

        self.app = app

    def request(self, header: str | None, path: str = "/") -> Answer:
        return _wsgi(self.app, header, path)

    def close(self) -> None:
        pass


def _django_view(request: Any) -> Any:
    from django.http import JsonResponse

    if request.path == "/bump":
        _bump(request.session)
    return JsonResponse(dict(request.session.items()))


urlpatterns: list[Any] = []


class Django:
    name = "django"

    def __init__(self) -> None:
        from django.urls import path

        from tests.test_django import django_project

        self._stack = ExitStack()
        self._stack.enter_context(
            django_project(
                ROOT_URLCONF=__name__,
                MIDDLEWARE=["iron_fast.django.middleware.SessionMiddleware"],
                IRON_SESSION_PASSWORD=PASSWORD,
                SESSION_COOKIE_NAME=COOKIE,
                IRON_SESSION={"chunk": True},
            )
        )
        from django.core.handlers.wsgi import WSGIHandler

        urlpatterns[:] = [path("", _django_view), path("bump", _django_view)]
        self.app = WSGIHandler()

    def request(self, header: str | None, path: str = "/") -> Answer:
        return _wsgi(self.app, header, path)

    @staticmethod
    def reference(header: str) -> dict[str, Any]:
        """Django's middleware reads request.COOKIES, which Django's own
        parser fills (it unquotes a quoted value, unlike cookie@2)."""
        from django.http import parse_cookie

        class CookiesJar(HeaderCookieJar):
            def read(self, name: str) -> str | None:
                return cookies.get(name)

        cookies = parse_cookie(header)
        return dict(get_iron_session(CookiesJar(), CONFIG))

    def close(self) -> None:
        self._stack.close()


class Aiohttp:
    name = "aiohttp"

    def __init__(self) -> None:
        from aiohttp import web
        from aiohttp_session import get_session, session_middleware

        from iron_fast.aiohttp import IronStorage

        async def show(request: web.Request) -> web.StreamResponse:
            session = await get_session(request)
            if request.path == "/bump":
                _bump(session)
            return web.json_response(dict(session))

        self.handler = show
        self.middleware = session_middleware(
            IronStorage(PASSWORD, cookie_name=COOKIE, chunk=True)
        )
        self.loop = asyncio.new_event_loop()
        self._template: Any = None
        self._served = 0

    def request(self, header: str | None, path: str = "/") -> Answer:
        from aiohttp.test_utils import make_mocked_request
        from aiohttp.web import HTTPException
        from multidict import CIMultiDict

        headers = CIMultiDict({"Host": "testserver"})
        if header is not None:
            headers["Cookie"] = header

        async def run() -> Any:
            self._served += 1
            if self._template is None or self._served % 256 == 0:
                # Mocks are slow to build, so one request is cloned; and
                # renewed, since its mocks record every call made on them.
                self._template = make_mocked_request("GET", "/")
            request = self._template.clone(rel_url=path, headers=headers)
            try:
                return await self.middleware(request, self.handler)
            except HTTPException as error:
                return error

        response = self.loop.run_until_complete(run())
        lines = response.headers.getall("Set-Cookie", [])
        return _answer(response.status, response.body, list(lines))

    def close(self) -> None:
        self.loop.close()


class Falcon:
    name = "falcon"
    asgi = False

    def __init__(self) -> None:
        import falcon
        import falcon.asgi

        from iron_fast.falcon import IronSessionMiddleware

        def show(req: Any, resp: Any) -> None:
            if req.path == "/bump":
                _bump(req.context.session)
            resp.media = dict(req.context.session)

        class Show:
            on_get = staticmethod(show)

        class AsyncShow:
            @staticmethod
            async def on_get(req: Any, resp: Any) -> None:
                show(req, resp)

        app_type = falcon.asgi.App if self.asgi else falcon.App
        self.app = app_type(middleware=[IronSessionMiddleware(CONFIG)])
        resource = AsyncShow() if self.asgi else Show()
        self.app.add_route("/", resource)
        self.app.add_route("/bump", resource)
        self.loop = asyncio.new_event_loop()

    def request(self, header: str | None, path: str = "/") -> Answer:
        if self.asgi:
            return _asgi(self.app, self.loop, header, path)
        return _wsgi(self.app, header, path)

    def close(self) -> None:
        self.loop.close()


class FalconAsgi(Falcon):
    name = "falcon-asgi"
    asgi = True


class Sanic:
    name = "sanic"
    _apps = itertools.count()  # Sanic wants a new name for each app

    def __init__(self) -> None:
        with warnings.catch_warnings():
            # Sanic imports websockets' legacy module, which warns.
            warnings.filterwarnings("ignore", "websockets.legacy")
            self._build()

    def _build(self) -> None:
        from sanic import Sanic as App
        from sanic import json as json_response

        from iron_fast.sanic import IronSession

        App.test_mode = True  # several apps in one process
        app = App(f"hardening_{next(self._apps)}")
        IronSession(app, CONFIG)

        @app.get("/")
        @app.get("/bump", name="bump")
        async def show(request: Any) -> Any:
            if request.path == "/bump":
                _bump(request.ctx.session)
            return json_response(dict(request.ctx.session))

        self.app = app
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        # The ASGI lifespan's startup, which Sanic needs before a request;
        # it then waits for a shutdown that is never sent.
        started = asyncio.Event()
        events = [{"type": "lifespan.startup"}]
        answers: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return events.pop() if events else await asyncio.Future()

        async def send(message: dict[str, Any]) -> None:
            answers.append(message)
            started.set()

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        self._lifespan = asyncio.ensure_future(self.app(scope, receive, send))
        waiting = asyncio.ensure_future(started.wait())
        await asyncio.wait(
            {waiting, self._lifespan},
            timeout=30,
            return_when=asyncio.FIRST_COMPLETED,
        )
        waiting.cancel()
        if self._lifespan.done() and not started.is_set():
            self._lifespan.result()  # raises what stopped it
        if [a["type"] for a in answers] != ["lifespan.startup.complete"]:
            raise RuntimeError(f"Sanic did not start: {answers}")

    def request(self, header: str | None, path: str = "/") -> Answer:
        return _asgi(self.app, self.loop, header, path)

    def close(self) -> None:
        self._lifespan.cancel()
        self.loop.run_until_complete(
            asyncio.gather(self._lifespan, return_exceptions=True)
        )
        self.loop.close()


ADAPTERS = {
    a.name: a
    for a in (Starlette, Flask, Django, Aiohttp, Falcon, FalconAsgi, Sanic)
}


@contextmanager
def driver(name: str) -> Iterator[Any]:
    adapter = ADAPTERS[name]()
    try:
        yield adapter
    finally:
        adapter.close()


def check(adapter: Any, header: str | None, genuine: list[dict[str, Any]]):
    """One request, checked: a 200, the reference's session, and that is
    either empty or one of the sessions genuinely sealed into the header;
    then /bump must save exactly that session plus one."""
    expected = getattr(adapter, "reference", reference)(header or "")
    assert expected == {} or expected in genuine, (header, expected)
    answer = adapter.request(header)
    assert answer.status == 200, (adapter.name, header, answer)
    assert answer.session == expected, (adapter.name, header, answer)
    bumped = adapter.request(header, "/bump")
    assert bumped.status == 200, (adapter.name, header, bumped)
    assert bumped.session == {**expected, "n": expected.get("n", 0) + 1}
    jar = HeaderCookieJar(
        "; ".join(line.split(";", 1)[0] for line in bumped.set_cookies)
    )
    saved = dict(get_iron_session(jar, CONFIG))
    assert saved == bumped.session, (adapter.name, header, bumped)
    return answer
