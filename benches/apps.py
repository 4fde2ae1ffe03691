# SPDX-License-Identifier: MIT
"""The benchmark apps: one small app per framework, with each kind of
session, run in process (``request(framework, variant)``) or under a real
server (``served()``, for ``benches/server/run.py``).

Variants: ``bare`` (no session middleware at all), ``none`` (an in-memory
dict as the session, no cookie), ``native`` (the framework's own cookie
session), ``iron_fast`` (iron_fast's adapter) and ``iron_fast:next`` (the
user's next request: each request sends the cookie the last response
set). benches/README.md says what each measures.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import secrets
import warnings
from collections.abc import Callable
from typing import Any

from payloads import PAYLOADS

# Fresh for every run unless a server bench hands one to its workers.
PASSWORD = os.environ.get("BENCH_PASSWORD") or secrets.token_urlsafe(32)
PAYLOAD = PAYLOADS["100B"]
NEXT = "iron_fast:next"
# Distinct cookies a request cycles through: 8x iron_fast's verified-seal
# cache (512 entries), so that cache practically never answers.
POOL = 4096
warnings.filterwarnings("ignore", module="iron_fast")  # plain http here

Request = Callable[[], Any]


def view(session: Any, modify: bool = True) -> str:
    """What every view does: read the session (and bump its counter)."""
    if not modify:
        return str(session.get("count", 0))
    if "uid" not in session:
        session.update(PAYLOAD)
    session["count"] = session.get("count", 0) + 1
    return str(session["count"])


def prime(session: Any) -> str:
    """The session every benchmark request carries: 100 B and a count."""
    session.update(PAYLOAD)
    session["count"] = 1
    return "1"


# -- the apps -----------------------------------------------------------


def starlette_app(variant: str, modify: bool = True) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    def session_of(request: Any) -> Any:
        # bare: no middleware put one in the scope; the view's dict work
        # stays, so only the session machinery is compared.
        return request.scope.get("session", {})

    async def index(request: Any) -> PlainTextResponse:
        return PlainTextResponse(view(session_of(request), modify))

    async def primed(request: Any) -> PlainTextResponse:
        return PlainTextResponse(prime(session_of(request)))

    class DictSession:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            scope["session"] = {}
            await self.app(scope, receive, send)

    middleware = []
    if variant == "none":
        middleware = [Middleware(DictSession)]
    elif variant == "native":
        from starlette.middleware.sessions import SessionMiddleware

        middleware = [Middleware(SessionMiddleware, secret_key=PASSWORD)]
    elif variant != "bare":
        from iron_fast.starlette import IronSessionMiddleware

        middleware = [Middleware(IronSessionMiddleware, password=PASSWORD)]
    routes = [Route("/", index), Route("/prime", primed)]
    return Starlette(routes=routes, middleware=middleware)


def flask_app(variant: str, modify: bool = True) -> Any:
    from flask import Flask, session
    from flask.sessions import SecureCookieSession, SessionInterface

    class DictSessions(SessionInterface):
        def open_session(self, app: Any, request: Any) -> Any:
            return SecureCookieSession()

        def save_session(self, app: Any, session: Any, response: Any) -> None:
            pass

    app = Flask(__name__)
    if variant != "bare":  # bare: Flask's null session, never touched
        app.secret_key = PASSWORD
    if variant == "none":
        app.session_interface = DictSessions()
    elif variant.startswith("iron_fast"):
        from iron_fast.flask import IronSessionInterface

        app.session_interface = IronSessionInterface(PASSWORD)

    def store() -> Any:
        return {} if variant == "bare" else session

    app.add_url_rule("/", "index", lambda: view(store(), modify))
    app.add_url_rule("/prime", "prime", lambda: prime(store()))
    return app


urlpatterns: list[Any] = []  # Django's ROOT_URLCONF is this module


def django_app(variant: str) -> Any:
    from django.conf import settings

    if not settings.configured:
        import django
        from django.http import HttpResponse
        from django.urls import path

        settings.configure(
            SECRET_KEY=PASSWORD,
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF=__name__,
            IRON_SESSION_PASSWORD=PASSWORD,
        )
        django.setup()
        urlpatterns.append(
            path("", lambda r: HttpResponse(view(r.session))),
        )
    from django.core.handlers.wsgi import WSGIHandler

    settings.SESSION_ENGINE, settings.MIDDLEWARE = {
        "none": ("", [f"{__name__}.DictSessionMiddleware"]),
        "native": (
            "django.contrib.sessions.backends.signed_cookies",
            ["django.contrib.sessions.middleware.SessionMiddleware"],
        ),
        "iron_fast": (
            "iron_fast.django",
            ["iron_fast.django.middleware.SessionMiddleware"],
        ),
    }[variant]
    return WSGIHandler()  # reads the middleware (and engine) now


class DictSessionMiddleware:
    """Django's ``none``: an in-memory dict as ``request.session``."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.session = {}
        return self.get_response(request)


def litestar_app(variant: str, modify: bool = True) -> Any:
    from litestar import Litestar, get
    from litestar.middleware import DefineMiddleware

    def session_of(request: Any) -> Any:
        # bare: no middleware, and Litestar's request.session would raise.
        return {} if variant == "bare" else request.session

    @get("/", media_type="text/plain")
    async def index(request: Any) -> str:  # Litestar's, by its name
        return view(session_of(request), modify)

    @get("/prime", media_type="text/plain")
    async def primed(request: Any) -> str:
        return prime(session_of(request))

    def dict_session(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            scope["session"] = {}
            await app(scope, receive, send)

        return middleware

    middleware: list[Any] = []
    if variant == "none":
        middleware = [DefineMiddleware(dict_session)]
    elif variant == "native":
        from litestar.middleware.session.client_side import (
            CookieBackendConfig,
        )

        key = PASSWORD.encode()[:32]  # raw AES-256-GCM key bytes
        middleware = [CookieBackendConfig(secret=key).middleware]
    elif variant != "bare":
        from iron_fast.litestar import IronCookieBackendConfig

        middleware = [IronCookieBackendConfig(password=PASSWORD).middleware]
    return Litestar(route_handlers=[index, primed], middleware=middleware)


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


def falcon_app(variant: str, asgi: bool = False, modify: bool = True) -> Any:
    """Falcon (``falcon.asgi`` if ``asgi``), which has no cookie session
    of its own: ``bare``, ``none`` and ``iron_fast`` only."""
    import falcon
    import falcon.asgi

    class DictSession:
        def process_request(self, req: Any, resp: Any) -> None:
            req.context.session = {}

        async def process_request_async(self, req: Any, resp: Any) -> None:
            req.context.session = {}

    def session_of(req: Any) -> Any:
        # bare: no middleware put one in the request's context.
        return getattr(req.context, "session", {})

    class Index:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.text = view(session_of(req), modify)

    class Prime:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.text = prime(session_of(req))

    class AsyncIndex:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.text = view(session_of(req), modify)

    middleware: list[Any] = []
    if variant == "none":
        middleware = [DictSession()]
    elif variant != "bare":
        from iron_fast.falcon import IronSessionMiddleware

        middleware = [IronSessionMiddleware(password=PASSWORD)]
    app = (falcon.asgi.App if asgi else falcon.App)(middleware=middleware)
    app.add_route("/", AsyncIndex() if asgi else Index())
    if not asgi:  # the server part primes its cookie from here
        app.add_route("/prime", Prime())
    return app


_sanic_apps = itertools.count()  # Sanic wants a new name for each app


def sanic_app(variant: str) -> Any:
    """Sanic, which has no cookie session of its own (``none`` and
    ``iron_fast`` only), started (its ASGI lifespan) to be called as ASGI."""
    from sanic import Sanic, text

    Sanic.test_mode = True  # no signal handlers, no worker processes
    app = Sanic(f"bench_{next(_sanic_apps)}")
    if variant == "none":

        @app.on_request
        async def dict_session(request: Any) -> None:
            request.ctx.session = {}

    else:
        from iron_fast.sanic import IronSession

        IronSession(app, password=PASSWORD)

    @app.get("/")
    async def index(request: Any) -> Any:
        return text(view(request.ctx.session))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(_lifespan_startup(app))
    return app


async def _lifespan_startup(app: Any) -> None:
    events = asyncio.Queue[dict[str, Any]]()
    events.put_nowait({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    task = asyncio.ensure_future(app(scope, events.get, send))
    await asyncio.wait_for(started.wait(), 30)
    task.cancel()  # the app is started; no shutdown is ever sent
    await asyncio.gather(task, return_exceptions=True)


def served() -> Any:
    """The app ``benches/server/run.py`` asks a server for, by the
    ``BENCH_APP`` environment variable: ``framework variant mode``."""
    framework, variant, mode = os.environ["BENCH_APP"].split()
    build = {
        "starlette": starlette_app,
        "flask": flask_app,
        "litestar": litestar_app,
        "falcon": falcon_app,
    }[framework]
    return build(variant, modify=mode == "modify")


# -- one request in process ----------------------------------------------


def _step(coro: Any) -> Any:
    """Runs a coroutine that never suspends, without an event loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the app waited for I/O; it cannot be stepped")


# A harness: (prepare, call). ``prepare(cookie)`` makes what one request
# needs, ahead of the timed calls; ``call(prepared)`` runs the request and
# returns the body and the Set-Cookie lines.
Harness = tuple[Callable[[str | None], Any], Callable[[Any], Any]]


def _asgi(app: Any, run: Callable[[Any], Any] = _step) -> Harness:
    """Calls the app directly, its coroutine stepped (or ``run`` on an
    event loop, for Quart, which handles a request in tasks)."""

    def prepare(cookie: str | None) -> list[tuple[bytes, bytes]]:
        headers = [(b"host", b"testserver")]
        if cookie is not None:
            headers.append((b"cookie", cookie.encode()))
        return headers

    def call(headers: list[tuple[bytes, bytes]]) -> tuple[str, list[str]]:
        sent: list[Any] = []
        body = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            if body:
                return body.pop()
            # Then nothing until the app is done (Quart listens for a
            # disconnect in a task it cancels once the response is out).
            future = asyncio.get_running_loop().create_future()
            return await future  # type: ignore[no-any-return]

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {
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
        run(app(scope, receive, send))
        lines = [
            v.decode() for k, v in sent[0]["headers"] if k == b"set-cookie"
        ]
        return b"".join(m.get("body", b"") for m in sent[1:]).decode(), lines

    return prepare, call


def _wsgi(app: Any) -> Harness:
    def call(cookie: str | None) -> tuple[str, list[str]]:
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": "/",
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": io.StringIO(),
        }
        if cookie is not None:
            environ["HTTP_COOKIE"] = cookie
        started: list[Any] = []
        result = app(environ, lambda status, headers: started.append(headers))
        body = b"".join(result)
        getattr(result, "close", lambda: None)()
        lines = [v for k, v in started[0] if k.lower() == "set-cookie"]
        return body.decode(), lines

    return lambda cookie: cookie, call  # a fresh environ every request


def _aiohttp(variant: str) -> Harness:
    import aiohttp_session
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    async def index(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        return web.Response(text=view(session))

    @web.middleware
    async def dict_session(request: web.Request, handler: Any) -> Any:
        request[aiohttp_session.SESSION_KEY] = aiohttp_session.Session(
            None, data=None, new=True, max_age=None
        )
        return await handler(request)

    app = web.Application()
    if variant == "none":
        app.middlewares.append(dict_session)
    elif variant == "native":
        from aiohttp_session.cookie_storage import EncryptedCookieStorage

        key = PASSWORD.encode()[:32]  # raw bytes; it base64s them for Fernet
        aiohttp_session.setup(app, EncryptedCookieStorage(key))
    else:
        from iron_fast.aiohttp import IronStorage

        aiohttp_session.setup(app, IronStorage(PASSWORD))
    app.router.add_get("/", index)
    asyncio.set_event_loop(asyncio.new_event_loop())  # aiohttp wants one
    app.freeze()

    def prepare(cookie: str | None) -> web.Request:
        headers = {"Host": "testserver"}
        if cookie is not None:
            headers["Cookie"] = cookie
        return make_mocked_request("GET", "/", headers, app=app)

    def call(request: web.Request) -> tuple[str, list[str]]:
        response = _step(app._handle(request.clone()))
        for morsel in response.cookies.values():  # as aiohttp sends them
            response.headers.add("Set-Cookie", morsel.output(header="")[1:])
        return response.text, response.headers.getall("Set-Cookie", [])

    return prepare, call


def request(framework: str, variant: str) -> Request:
    """One whole request per call, checked once: the view saw the cookie's
    session (its count went from 1 to 2) and the response set one cookie.
    A request cycles through ``POOL`` cookies (``none``: no cookie),
    ``iron_fast:next`` sends the one the last response set."""
    kind = variant.split(":")[0]
    prepare, call = {
        "starlette": lambda: _asgi(starlette_app(kind)),
        "flask": lambda: _wsgi(flask_app(kind).wsgi_app),
        "django": lambda: _wsgi(django_app(kind)),
        "aiohttp": lambda: _aiohttp(kind),
        "litestar": lambda: _asgi(litestar_app(kind)),
        "quart": lambda: _asgi(
            quart_app(kind), asyncio.new_event_loop().run_until_complete
        ),
        "falcon": lambda: _wsgi(falcon_app(kind)),
        "falcon_asgi": lambda: _asgi(falcon_app(kind, asgi=True)),
        "sanic": lambda: _asgi(sanic_app(kind)),
    }[framework]()

    def made() -> str:  # a cookie set by a request that sent none
        return str(call(prepare(None))[1][0]).split(";", 1)[0]

    if variant == NEXT:
        last = [made()]

        def follow() -> tuple[str, list[str]]:
            body, lines = call(prepare(last[0]))
            last[0] = lines[0].split(";", 1)[0]
            return body, lines

        one: Request = follow
    else:
        plain = variant in ("bare", "none")
        pool = [prepare(None if plain else made()) for _ in range(POOL)]
        following = itertools.cycle(pool).__next__

        def one() -> tuple[str, list[str]]:
            return call(following())  # type: ignore[no-any-return]

    body, lines = one()
    expected = ("1", 0) if variant in ("bare", "none") else ("2", 1)
    if (body, len(lines)) != expected:
        raise AssertionError(f"{framework} {variant}: {body!r}, {lines}")
    return one


FRAMEWORKS = ("starlette", "flask", "django", "aiohttp", "litestar", "quart")
# (framework, variant) of every in-process benchmark.
CASES = [
    (framework, variant)
    for framework in FRAMEWORKS
    for variant in {
        "starlette": ("bare", "none", "native", "iron_fast", NEXT),
        "flask": ("bare", "none", "native", "iron_fast", NEXT),
    }.get(framework, ("none", "native", "iron_fast"))
]
# Frameworks without a cookie session of their own: iron_fast against the
# in-memory dict only (report.py's tables expect a ``native`` in CASES).
SESSIONLESS_CASES = [
    (framework, variant)
    for framework in ("falcon", "falcon_asgi", "sanic")
    for variant in ("none", "iron_fast")
]
