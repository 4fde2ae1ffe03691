# SPDX-License-Identifier: MIT
"""The request-level benchmark apps: one small app per framework, built
three ways, and a zero-argument ``request()`` that runs one whole request
through it in process (no server, no test client, no event loop):

* ``none``: the same app and view, with an in-memory session object and no
  cookie at all (the baseline: what the app costs without a session);
* ``native``: the framework's own cookie session (Starlette's
  ``SessionMiddleware``, Flask's default ``SecureCookieSessionInterface``,
  Django's ``signed_cookies`` engine, aiohttp-session's
  ``EncryptedCookieStorage``);
* ``iron_fast``: iron_fast's adapter for that framework.

The view reads the session and modifies it (``count += 1``); the request
carries the cookie an earlier request set, holding the 100-byte payload of
``payloads.py``, so every variant reads, verifies, changes and writes back
the same session. As in a real sequence of such requests, each request
brings a cookie not seen before: ``request()`` cycles through ``POOL``
distinct cookies, far more than iron_fast's verified-seal cache holds, so
that cache never answers (it would for read-only requests that resend the
same cookie). The per-request overhead of a session is then
``median(variant) - median(none)``.

``iron_fast:next`` (Starlette and Flask) is the other end: each request
sends the cookie the previous response set, as one user's consecutive
requests do when the same process serves them; a ``Sealer`` keeps the seals
it makes, so reading that cookie back is a cache hit.

ASGI apps are called directly and their coroutine stepped once (nothing in
them waits on I/O); Flask and Django through their raw WSGI callable.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import secrets
from collections.abc import Callable
from typing import Any

from payloads import PAYLOADS

# Fresh for every run: a password printed anywhere is refused by
# SessionConfig, and the benchmark needs none in particular.
PASSWORD = secrets.token_urlsafe(32)
PAYLOAD = PAYLOADS["100B"]
VARIANTS = ("none", "native", "iron_fast")
NEXT = "iron_fast:next"  # the user's next request, same process
# Distinct session cookies each request() cycles through: 8x the entries of
# iron_fast's verified-seal cache (512), so it practically never hits.
POOL = 4096

Request = Callable[[], Any]


def _touch(session: Any) -> int:
    """What every view does: read the session, modify it."""
    if "uid" not in session:
        session.update(PAYLOAD)
    count = session.get("count", 0) + 1
    session["count"] = count
    return int(count)


def _step(coro: Any) -> Any:
    """Runs a coroutine that never suspends, without an event loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("the app waited for I/O; it cannot be stepped")


def _cookie_pair(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0]


def _cookies(variant: str, prime: Callable[[], str]) -> list[str | None]:
    """``POOL`` cookies, each set by one request without a cookie
    (``prime()``: its Set-Cookie pair); for ``none``, ``POOL`` times no
    cookie, so that every variant cycles through as many distinct request
    objects (and pays alike for fetching them from memory). iron_fast's
    cookies are all distinct; a signed-only cookie made in the same second
    with the same content is the same text, which changes nothing for it."""
    if variant == "none":
        return [None] * POOL
    return [prime() for _ in range(POOL)]


def _cycling(requests: list[Request]) -> Request:
    following = itertools.cycle(requests).__next__

    def request() -> Any:
        return following()()

    return request


# -- Starlette --------------------------------------------------------


def starlette(variant: str) -> Request:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def view(request: StarletteRequest) -> PlainTextResponse:
        return PlainTextResponse(str(_touch(request.session)))

    class DictSession:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            scope["session"] = {}
            await self.app(scope, receive, send)

    if variant == "none":
        middleware = Middleware(DictSession)
    elif variant == "native":
        from starlette.middleware.sessions import SessionMiddleware

        middleware = Middleware(SessionMiddleware, secret_key=PASSWORD)
    else:
        from iron_fast.starlette import IronSessionMiddleware

        middleware = Middleware(IronSessionMiddleware, password=PASSWORD)
    app = Starlette(routes=[Route("/", view)], middleware=[middleware])
    return _asgi(app, variant)


def _asgi(app: Any, variant: str) -> Request:
    """``request()`` for an ASGI app whose requests never wait on I/O."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    def call(headers: list[tuple[bytes, bytes]]) -> tuple[bytes, list[Any]]:
        sent: list[Any] = []

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
        _step(app(scope, receive, send))
        start, body = sent[0], sent[-1]
        return body["body"], list(start["headers"])

    base = [(b"host", b"testserver")]

    def prime() -> str:
        _, response_headers = call(base)
        (line,) = [v for k, v in response_headers if k == b"set-cookie"]
        return _cookie_pair(line.decode())

    if variant == NEXT:
        sent = [[*base, (b"cookie", prime().encode())]]

        def follow() -> tuple[bytes, list[Any]]:
            body, response_headers = call(sent[0])
            for key, value in response_headers:
                if key == b"set-cookie":
                    sent[0] = [*base, (b"cookie", value.split(b";", 1)[0])]
            return body, response_headers

        return _checked(variant, follow, _asgi_result)
    requests = []
    for cookie in _cookies(variant, prime):
        headers = list(base)
        if cookie is not None:
            headers.append((b"cookie", cookie.encode()))
        requests.append(lambda h=headers: call(h))
    return _checked(variant, _cycling(requests), _asgi_result)


def _asgi_result(result: tuple[bytes, list[Any]]) -> tuple[str, int]:
    body, headers = result
    lines = sum(1 for k, _ in headers if k == b"set-cookie")
    return body.decode(), lines


# -- WSGI (Flask, Django) -------------------------------------------------


def _environ(cookie: str | None) -> dict[str, Any]:
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if cookie is not None:
        environ["HTTP_COOKIE"] = cookie
    return environ


def _wsgi(app: Any, variant: str) -> Request:
    def call(cookie: str | None) -> tuple[bytes, list[Any]]:
        started: list[Any] = []

        def start_response(status: str, headers: list[Any], *_: Any) -> Any:
            started.append((status, headers))
            return lambda data: None

        result = app(_environ(cookie), start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started[0]
        assert status.startswith("200"), status
        return body, headers

    def prime() -> str:
        _, headers = call(None)
        (line,) = [v for k, v in headers if k.lower() == "set-cookie"]
        return _cookie_pair(line)

    if variant == NEXT:
        sent = [prime()]

        def follow() -> tuple[bytes, list[Any]]:
            body, headers = call(sent[0])
            for key, value in headers:
                if key == "Set-Cookie":
                    sent[0] = value.split(";", 1)[0]
            return body, headers

        return _checked(variant, follow, _wsgi_result)
    requests = [lambda c=c: call(c) for c in _cookies(variant, prime)]
    return _checked(variant, _cycling(requests), _wsgi_result)


def _wsgi_result(result: tuple[bytes, list[Any]]) -> tuple[str, int]:
    body, headers = result
    lines = sum(1 for k, _ in headers if k.lower() == "set-cookie")
    return body.decode(), lines


def flask(variant: str) -> Request:
    from flask import Flask, session
    from flask.sessions import SecureCookieSession, SessionInterface

    class DictSessions(SessionInterface):
        def open_session(self, app: Any, request: Any) -> Any:
            return SecureCookieSession()

        def save_session(self, app: Any, session: Any, response: Any) -> None:
            pass

    app = Flask(__name__)
    app.secret_key = PASSWORD
    if variant == "none":
        app.session_interface = DictSessions()
    elif variant in ("iron_fast", NEXT):
        from iron_fast.flask import IronSessionInterface

        app.session_interface = IronSessionInterface(PASSWORD)

    @app.route("/")
    def view() -> str:
        return str(_touch(session))

    return _wsgi(app.wsgi_app, variant)


_DJANGO_VIEWS: list[Any] = []
urlpatterns: list[Any] = []  # Django's ROOT_URLCONF is this module


def django(variant: str) -> Request:
    from django.conf import settings

    if not settings.configured:
        from django.http import HttpResponse
        from django.urls import path

        settings.configure(
            DEBUG=False,
            SECRET_KEY=PASSWORD,
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF=__name__,
            INSTALLED_APPS=[],
            DATABASES={},
            USE_TZ=True,
            IRON_SESSION_PASSWORD=PASSWORD,
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
            MIDDLEWARE=[],
        )
        import django as django_module

        django_module.setup()

        def view(request: Any) -> Any:
            return HttpResponse(str(_touch(request.session)))

        urlpatterns.append(path("", view))

    from django.core.handlers.wsgi import WSGIHandler

    if variant == "none":
        settings.MIDDLEWARE = [f"{__name__}.DictSessionMiddleware"]
    elif variant == "native":
        settings.SESSION_ENGINE = (
            "django.contrib.sessions.backends.signed_cookies"
        )
        settings.MIDDLEWARE = [
            "django.contrib.sessions.middleware.SessionMiddleware"
        ]
    else:
        settings.SESSION_ENGINE = "iron_fast.django"
        settings.MIDDLEWARE = ["iron_fast.django.middleware.SessionMiddleware"]
    # Middleware (and the engine it uses) is read when the handler is built.
    return _wsgi(WSGIHandler(), variant)


class DictSessionMiddleware:
    """Django's baseline: an in-memory dict as ``request.session``."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.session = {}
        return self.get_response(request)


# -- aiohttp ------------------------------------------------------------


def aiohttp(variant: str) -> Request:
    import aiohttp_session
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    async def view(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        return web.Response(text=str(_touch(session)))

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

        # 32 raw bytes; the storage base64-encodes them for Fernet.
        aiohttp_session.setup(
            app, EncryptedCookieStorage(PASSWORD.encode()[:32])
        )
    else:
        from iron_fast.aiohttp import IronStorage

        aiohttp_session.setup(app, IronStorage(PASSWORD))
    app.router.add_get("/", view)
    # aiohttp wants a current event loop even though nothing awaits it.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    app.freeze()

    def call(request: web.Request) -> tuple[bytes, list[str]]:
        response = _step(app._handle(request.clone()))
        # What aiohttp does with them when it sends the response.
        for morsel in response.cookies.values():
            response.headers.add("Set-Cookie", morsel.output(header="")[1:])
        return response.body, response.headers.getall("Set-Cookie", [])

    first = make_mocked_request("GET", "/", app=app, loop=loop)

    def prime() -> str:
        _, (line,) = call(first)
        return _cookie_pair(line)

    requests = []
    for cookie in _cookies(variant, prime):
        headers = {"Host": "testserver"}
        if cookie is not None:
            headers["Cookie"] = cookie
        request = make_mocked_request("GET", "/", headers=headers, app=app)
        requests.append(lambda r=request: call(r))
    return _checked(variant, _cycling(requests), _aiohttp_result)


def _aiohttp_result(result: tuple[bytes, list[str]]) -> tuple[str, int]:
    body, lines = result
    return body.decode(), len(lines)


# -- Falcon (WSGI and ASGI) and Sanic: no cookie session of their own --


def falcon_app(variant: str, asgi: bool = False) -> Any:
    """The view as a Falcon app (``falcon.asgi.App`` if ``asgi``); there
    is no ``native`` variant."""
    import falcon
    import falcon.asgi

    class DictSession:
        def process_request(self, req: Any, resp: Any) -> None:
            req.context.session = {}

        async def process_request_async(self, req: Any, resp: Any) -> None:
            req.context.session = {}

    class Index:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.text = str(_touch(req.context.session))

    class AsyncIndex:
        async def on_get(self, req: Any, resp: Any) -> None:
            resp.text = str(_touch(req.context.session))

    if variant == "none":
        middleware: Any = DictSession()
    else:
        from iron_fast.falcon import IronSessionMiddleware

        middleware = IronSessionMiddleware(password=PASSWORD)
    app = (falcon.asgi.App if asgi else falcon.App)(middleware=[middleware])
    app.add_route("/", AsyncIndex() if asgi else Index())
    return app


def falcon(variant: str) -> Request:
    return _wsgi(falcon_app(variant), variant)


def falcon_asgi(variant: str) -> Request:
    return _asgi(falcon_app(variant, asgi=True), variant)


_sanic_apps = itertools.count()  # Sanic wants a new name for each app


def sanic_app(variant: str) -> Any:
    """The view as a Sanic app, started (its ASGI lifespan) and ready to be
    called as ASGI; there is no ``native`` variant."""
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
        return text(str(_touch(request.ctx.session)))

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


def sanic(variant: str) -> Request:
    return _asgi(sanic_app(variant), variant)


# -----------------------------------------------------------------------


def _checked(
    variant: str, request: Request, read: Callable[[Any], tuple[str, int]]
) -> Request:
    """``request`` once checked: the view saw the cookie's session (the
    count went from 1 to 2) and the response sets one cookie."""
    body, cookies = read(request())
    expected = ("1", 0) if variant == "none" else ("2", 1)
    if (body, cookies) != expected:
        raise AssertionError(
            f"{variant}: the view answered {body!r} with {cookies} "
            f"Set-Cookie line(s), expected {expected}"
        )
    return request


FRAMEWORKS: dict[str, Callable[[str], Request]] = {
    "starlette": starlette,
    "flask": flask,
    "django": django,
    "aiohttp": aiohttp,
    "falcon": falcon,
    "falcon_asgi": falcon_asgi,
    "sanic": sanic,
}
# The frameworks that have no cookie session of their own (no ``native``).
SESSIONLESS = ("falcon", "falcon_asgi", "sanic")
# (framework, variant) for every benchmark; NEXT where there is a target.
CASES = [
    (framework, variant)
    for framework in FRAMEWORKS
    for variant in (
        (*VARIANTS, NEXT)
        if framework in ("starlette", "flask")
        else ("none", "iron_fast")
        if framework in SESSIONLESS
        else VARIANTS
    )
]
