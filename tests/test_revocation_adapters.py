# SPDX-License-Identifier: MIT
"""Session lifetime through every adapter, with the framework's own test
client and a frozen clock: idle timeout and its refresh, session.subject,
session.revoke() from a view, store.revoke_subject(); on MemoryRevocation
and on RedisRevocation (a real Redis: the asyncio client for Starlette,
FastAPI and aiohttp, the sync one for Flask and Django). A store an
adapter cannot use is refused at configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from iron_fast import ConfigError, IronSession, SessionConfig, unseal_data
from iron_fast.revocation import MemoryRevocation, RedisRevocation

PASSWORD = "adapters-lifetime-password-0123456789"
NAME = "test"
IDLE = 600  # s
REASONS: list[str] = []


def record(reason: str, error: Exception) -> None:
    REASONS.append(reason)


OPTIONS: dict[str, Any] = {
    "password": PASSWORD,
    "cookie_name": NAME,
    "idle_timeout": IDLE,
    "on_unseal_error": record,
}


class Clock:
    """Python's wall clock, frozen by time-machine and moved only by
    ``advance``: the clock of the codecs the adapters build. It starts
    at the real time, so that the seals' own expiry (the core's wall
    clock, which time-machine does not reach) is not in the way."""

    def __init__(self, traveller: time_machine.Coordinates) -> None:
        self._traveller = traveller

    @property
    def now(self) -> int:
        """Milliseconds since 1970, as the codecs read them."""
        return time.time_ns() // 1_000_000

    def advance(self, seconds: float) -> None:
        self._traveller.shift(seconds)


Answer = tuple[dict[str, Any], list[str]]  # the JSON body, Set-Cookie lines


def cookie_in(lines: list[str]) -> str | None:
    """The session cookie the lines set (None: none; "" : expired)."""
    for line in lines:
        if line.startswith(f"{NAME}="):
            if "Max-Age=0" in line:
                return ""
            return line.split(";", 1)[0].split("=", 1)[1]
    return None


# -- the same four routes in every framework ----------------------------------
# /login?sub=42 (data and subject), /me (reads), /logout (revoke()).


def starlette_driver(store: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from iron_fast.starlette import IronSessionMiddleware

    async def login(request: Request) -> JSONResponse:
        request.session["user"] = "ada"
        request.session.subject = request.query_params["sub"]
        return JSONResponse({})

    async def me(request: Request) -> JSONResponse:
        session = request.session
        return JSONResponse({"data": dict(session), "sub": session.subject})

    async def logout(request: Request) -> JSONResponse:
        request.session.revoke()
        return JSONResponse({})

    config = SessionConfig(**OPTIONS, revocation=store)
    app = Starlette(
        routes=[
            Route("/login", login),
            Route("/me", me),
            Route("/logout", logout),
        ],
        middleware=[Middleware(IronSessionMiddleware, config=config)],
    )
    return HttpxDriver(TestClient(app))


def fastapi_driver(store: Any) -> Any:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient

    from iron_fast.fastapi import IronSessionMiddleware, get_session

    app = FastAPI()
    app.add_middleware(
        IronSessionMiddleware,
        config=SessionConfig(**OPTIONS, revocation=store),
    )

    @app.get("/login")
    async def login(
        sub: str, session: IronSession = Depends(get_session)
    ) -> dict[str, Any]:
        session["user"] = "ada"
        session.subject = sub
        return {}

    @app.get("/me")
    async def me(
        session: IronSession = Depends(get_session),
    ) -> dict[str, Any]:
        return {"data": dict(session), "sub": session.subject}

    @app.get("/logout")
    def logout(
        session: IronSession = Depends(get_session),
    ) -> dict[str, Any]:  # a sync route
        session.revoke()
        return {}

    return HttpxDriver(TestClient(app))


class HttpxDriver:
    """Starlette's TestClient (httpx), cookies sent by hand: a Secure
    cookie is never sent over http://testserver by a real client."""

    def __init__(self, client: Any) -> None:
        self.client = client.__enter__()

    def get(self, path: str, cookie: str | None) -> Answer:
        self.client.cookies.clear()
        headers = {"Cookie": f"{NAME}={cookie}"} if cookie else {}
        response = self.client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        return response.json(), response.headers.get_list("set-cookie")

    def close(self) -> None:
        self.client.__exit__(None, None, None)


def flask_driver(store: Any) -> Any:
    from flask import Flask, jsonify, request, session

    from iron_fast.flask import IronSessionInterface

    app = Flask(__name__)
    app.session_interface = IronSessionInterface(**OPTIONS, revocation=store)

    @app.get("/login")
    def login() -> Any:
        session["user"] = "ada"
        session.subject = request.args["sub"]  # type: ignore[attr-defined]
        return jsonify({})

    @app.get("/me")
    def me() -> Any:
        return jsonify(
            {"data": dict(session), "sub": session.subject}  # type: ignore[attr-defined]
        )

    @app.get("/logout")
    def logout() -> Any:
        session.revoke()  # type: ignore[attr-defined]
        return jsonify({})

    client = app.test_client(use_cookies=False)

    class Driver:
        def get(self, path: str, cookie: str | None) -> Answer:
            headers = {"Cookie": f"{NAME}={cookie}"} if cookie else {}
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.text
            return response.json, response.headers.getlist("Set-Cookie")

        def close(self) -> None:
            pass

    return Driver()


# Django: these views, routed by this module (ROOT_URLCONF).
urlpatterns: list[Any] = []


def django_login(request: Any) -> Any:
    from django.http import JsonResponse

    request.session["user"] = "ada"
    request.session.subject = request.GET["sub"]
    return JsonResponse({})


def django_me(request: Any) -> Any:
    from django.http import JsonResponse

    session = request.session
    return JsonResponse(
        {"data": dict(session.items()), "sub": session.subject}
    )


def django_logout(request: Any) -> Any:
    from django.http import JsonResponse

    request.session.revoke()
    return JsonResponse({})


def django_driver(store: Any) -> Any:
    from tests.test_django import django_project

    project = django_project(
        ROOT_URLCONF=__name__,
        SESSION_COOKIE_NAME=NAME,
        IRON_SESSION_PASSWORD=PASSWORD,
        IRON_SESSION={
            "idle_timeout": IDLE,
            "revocation": store,
            "on_unseal_error": record,
        },
    )
    project.__enter__()
    from django.test import Client
    from django.urls import path

    urlpatterns[:] = [
        path("login", django_login),
        path("me", django_me),
        path("logout", django_logout),
    ]
    client = Client()

    class Driver:
        def get(self, path: str, cookie: str | None) -> Answer:
            client.cookies.clear()
            extra = {"HTTP_COOKIE": f"{NAME}={cookie}"} if cookie else {}
            response = client.get(path, **extra)
            assert response.status_code == 200, response.content
            lines = [m.OutputString() for m in response.cookies.values()]
            return response.json(), lines

        def close(self) -> None:
            project.__exit__(None, None, None)

    return Driver()


def aiohttp_driver(store: Any) -> Any:
    import aiohttp_session
    from aiohttp import DummyCookieJar, web
    from aiohttp.test_utils import TestClient, TestServer

    from iron_fast.aiohttp import IronStorage

    async def login(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        session["user"] = "ada"
        session.subject = request.query["sub"]  # type: ignore[attr-defined]
        return web.json_response({})

    async def me(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        sub = session.subject  # type: ignore[attr-defined]
        return web.json_response({"data": dict(session), "sub": sub})

    async def logout(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        session.revoke()  # type: ignore[attr-defined]
        return web.json_response({})

    loop = asyncio.new_event_loop()
    app = web.Application()
    options = {k: v for k, v in OPTIONS.items() if k != "cookie_name"}
    aiohttp_session.setup(
        app, IronStorage(cookie_name=NAME, revocation=store, **options)
    )
    app.router.add_get("/login", login)
    app.router.add_get("/me", me)
    app.router.add_get("/logout", logout)

    async def start() -> Any:
        client = TestClient(TestServer(app), cookie_jar=DummyCookieJar())
        await client.start_server()
        return client

    client = loop.run_until_complete(start())

    class Driver:
        def get(self, path: str, cookie: str | None) -> Answer:
            headers = {"Cookie": f"{NAME}={cookie}"} if cookie else {}

            async def call() -> Answer:
                response = await client.get(path, headers=headers)
                assert response.status == 200
                body = await response.json()
                return body, response.headers.getall("Set-Cookie", [])

            return loop.run_until_complete(call())

        def close(self) -> None:
            if isinstance(store, RedisRevocation):
                loop.run_until_complete(store.aclose())
            loop.run_until_complete(client.close())
            loop.close()

    return Driver()


def litestar_driver(store: Any) -> Any:
    from litestar import Litestar, Request, get
    from litestar.testing import TestClient

    from iron_fast.litestar import IronCookieBackendConfig

    @get("/login")
    async def login(request: Request[Any, Any, Any]) -> Any:
        request.session["user"] = "ada"
        request.session.subject = request.query_params["sub"]
        return {}

    @get("/me")
    async def me(request: Request[Any, Any, Any]) -> Any:
        session = request.session
        return {"data": dict(session), "sub": session.subject}

    @get("/logout")
    async def logout(request: Request[Any, Any, Any]) -> Any:
        request.session.revoke()
        return {}

    config = IronCookieBackendConfig(
        SessionConfig(**OPTIONS, revocation=store)
    )
    app = Litestar([login, me, logout], middleware=[config.middleware])
    return HttpxDriver(TestClient(app))


def quart_driver(store: Any) -> Any:
    from quart import Quart, request, session

    from iron_fast.quart import IronSessionInterface

    app = Quart(__name__)
    interface = IronSessionInterface(**OPTIONS, revocation=store)
    app.session_interface = interface  # type: ignore[assignment]

    @app.get("/login")
    async def login() -> Any:
        session["user"] = "ada"
        session.subject = request.args["sub"]  # type: ignore[attr-defined]
        return {}

    @app.get("/me")
    async def me() -> Any:
        sub = session.subject  # type: ignore[attr-defined]
        return {"data": dict(session), "sub": sub}

    @app.get("/logout")
    async def logout() -> Any:
        session.revoke()  # type: ignore[attr-defined]
        return {}

    loop = asyncio.new_event_loop()
    client = app.test_client(use_cookies=False)

    class Driver:
        def get(self, path: str, cookie: str | None) -> Answer:
            headers = {"Cookie": f"{NAME}={cookie}"} if cookie else {}

            async def call() -> Answer:
                response = await client.get(path, headers=headers)
                assert response.status_code == 200
                body = await response.get_json()
                return body, response.headers.getlist("Set-Cookie")

            return loop.run_until_complete(call())

        def close(self) -> None:
            if isinstance(store, RedisRevocation):
                loop.run_until_complete(store.aclose())
            loop.close()

    return Driver()


def falcon_driver(store: Any, asgi: bool = False) -> Any:
    import falcon
    import falcon.asgi
    from falcon.testing import ASGIConductor, TestClient

    from iron_fast.falcon import IronSessionMiddleware

    def login(req: Any, resp: Any) -> None:
        req.context.session["user"] = "ada"
        req.context.session.subject = req.get_param("sub")
        resp.media = {}

    def me(req: Any, resp: Any) -> None:
        session = req.context.session
        resp.media = {"data": dict(session), "sub": session.subject}

    def logout(req: Any, resp: Any) -> None:
        req.context.session.revoke()
        resp.media = {}

    config = SessionConfig(**OPTIONS, revocation=store)
    app_type = falcon.asgi.App if asgi else falcon.App
    app = app_type(middleware=[IronSessionMiddleware(config)])
    for path, view in (("/login", login), ("/me", me), ("/logout", logout)):
        if asgi:

            class Async:
                async def on_get(self, req: Any, resp: Any, v=view) -> None:
                    v(req, resp)

            app.add_route(path, Async())
        else:
            app.add_route(
                path, type("Sync", (), {"on_get": staticmethod(view)})()
            )
    # One event loop for the ASGI app: the Redis store's asyncio client
    # stays on it.
    loop = asyncio.new_event_loop()
    conductor = ASGIConductor(app) if asgi else None
    client = None if asgi else TestClient(app)

    class Driver:
        def get(self, path: str, cookie: str | None) -> Answer:
            headers = {"Cookie": f"{NAME}={cookie}"} if cookie else {}
            url, _, query = path.partition("?")
            if conductor is not None:
                result = loop.run_until_complete(
                    conductor.simulate_get(
                        url, query_string=query, headers=headers
                    )
                )
            else:
                result = client.simulate_get(
                    url, query_string=query, headers=headers
                )
            assert result.status_code == 200, result.text
            line = result.headers.get("set-cookie")  # one at most here
            return result.json, [line] if line else []

        def close(self) -> None:
            if isinstance(store, RedisRevocation):
                loop.run_until_complete(store.aclose())
            loop.close()

    return Driver()


def sanic_driver(store: Any) -> Any:
    from sanic import Sanic, json

    from iron_fast.sanic import IronSession
    from tests.test_sanic import serving

    Sanic.test_mode = True
    app = Sanic(f"revocation_{next(_SANIC_APPS)}")
    IronSession(app, SessionConfig(**OPTIONS, revocation=store))

    @app.get("/login")
    async def login(request: Any) -> Any:
        request.ctx.session["user"] = "ada"
        request.ctx.session.subject = request.args.get("sub")
        return json({})

    @app.get("/me")
    async def me(request: Any) -> Any:
        session = request.ctx.session
        return json({"data": dict(session), "sub": session.subject})

    @app.get("/logout")
    async def logout(request: Any) -> Any:
        request.ctx.session.revoke()
        return json({})

    stack = contextlib.ExitStack()
    browser = stack.enter_context(serving(app))

    class Driver:
        def get(self, path: str, cookie: str | None) -> Answer:
            headers = {"Cookie": f"{NAME}={cookie}"} if cookie else {}
            _, response = browser.client.get(path, headers=headers)
            assert response.status_code == 200, response.text
            return response.json, response.headers.get_list("set-cookie")

        def close(self) -> None:
            if isinstance(store, RedisRevocation):
                loop = asyncio.get_event_loop()
                loop.run_until_complete(store.aclose())
            stack.close()

    return Driver()


_SANIC_APPS = itertools.count()  # Sanic wants a new name for each app
DRIVERS: dict[str, Callable[[Any], Any]] = {
    "starlette": starlette_driver,
    "fastapi": fastapi_driver,
    "flask": flask_driver,
    "django": django_driver,
    "aiohttp": aiohttp_driver,
    "litestar": litestar_driver,
    "quart": quart_driver,
    "falcon": falcon_driver,
    "falcon_asgi": lambda store: falcon_driver(store, asgi=True),
    "sanic": sanic_driver,
}


@pytest.fixture
def clock() -> Iterator[Clock]:
    # A whole second, so that every reading is a whole millisecond.
    start = time.time_ns() // 1_000_000_000
    REASONS.clear()
    with time_machine.travel(start, tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryRevocation()
        return
    url = request.getfixturevalue("redis_url")
    made = RedisRevocation(url, prefix=request.getfixturevalue("redis_prefix"))
    yield made
    made.close()


@pytest.fixture(params=sorted(DRIVERS))
def framework(request: pytest.FixtureRequest) -> str:
    # each is in the test extra
    pytest.importorskip(request.param.removesuffix("_asgi"))
    return str(request.param)


def test_lifetime_and_revocation(
    framework: str, store: Any, clock: Clock
) -> None:
    driver = DRIVERS[framework](store)
    try:
        # Login: the cookie carries the data and the metadata.
        body, lines = driver.get("/login?sub=42", None)
        first = cookie_in(lines)
        assert first
        meta = unseal_data(first, password=PASSWORD)["_iron"]
        assert meta["sub"] == "42" and meta["iat"] == clock.now
        # A read: the app sees its data, not the metadata; no Set-Cookie.
        body, lines = driver.get("/me", first)
        assert body == {"data": {"user": "ada"}, "sub": "42"}
        assert cookie_in(lines) is None
        # Half an idle window later the adapter sends a fresh seal.
        clock.advance(IDLE / 2)
        body, lines = driver.get("/me", first)
        assert body["data"] == {"user": "ada"}
        fresh = cookie_in(lines)
        assert fresh and fresh != first
        # Kept alive by it; the first cookie, silent too long, is idle.
        clock.advance(IDLE - 1)
        assert driver.get("/me", fresh)[0]["data"] == {"user": "ada"}
        assert driver.get("/me", first)[0] == {"data": {}, "sub": None}
        assert REASONS == ["idle"]
        # Logout everywhere from a view: the cookie is cleared and the
        # copy of it is refused from now on.
        body, lines = driver.get("/logout", fresh)
        assert cookie_in(lines) == ""
        assert driver.get("/me", fresh)[0] == {"data": {}, "sub": None}
        assert REASONS == ["idle", "revoked"]
        # Every session of a subject, ended from elsewhere (an admin).
        laptop = cookie_in(driver.get("/login?sub=7", None)[1])
        phone = cookie_in(driver.get("/login?sub=7", None)[1])
        other = cookie_in(driver.get("/login?sub=8", None)[1])
        clock.advance(1)
        store.revoke_subject("7", issued_before_ms=clock.now)
        assert driver.get("/me", laptop)[0]["data"] == {}
        assert driver.get("/me", phone)[0]["data"] == {}
        assert driver.get("/me", other)[0]["data"] == {"user": "ada"}
        assert REASONS == ["idle", "revoked", "revoked", "revoked"]
    finally:
        driver.close()


# -- a store an adapter cannot use --------------------------------------------


def sync_only(url: str) -> RedisRevocation:
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=1, socket_connect_timeout=1
    )
    return RedisRevocation(client=client)


def async_only(url: str) -> RedisRevocation:
    import redis.asyncio

    return RedisRevocation(client=redis.asyncio.Redis.from_url(url))


def test_async_adapters_refuse_a_sync_only_store() -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("aiohttp_session")
    from iron_fast.aiohttp import IronStorage
    from iron_fast.starlette import IronSessionMiddleware

    store = sync_only("redis://127.0.0.1:1/0")
    config = SessionConfig(**OPTIONS, revocation=store)
    with pytest.raises(ConfigError) as info:
        IronSessionMiddleware(lambda *a: None, config=config)  # type: ignore[arg-type]
    assert info.value.option == "revocation"
    with pytest.raises(ConfigError):
        IronStorage(PASSWORD, revocation=store)
    pytest.importorskip("litestar")
    from iron_fast.litestar import IronCookieBackendConfig

    with pytest.raises(ConfigError) as info:
        IronCookieBackendConfig(config)
    assert info.value.option == "revocation"


def test_sync_adapters_refuse_an_async_only_store() -> None:
    pytest.importorskip("flask")
    pytest.importorskip("django")
    from django.core.exceptions import ImproperlyConfigured
    from flask import Flask

    from iron_fast.django.conf import session_config
    from iron_fast.flask import IronSessionInterface
    from tests.test_django import django_project

    store = async_only("redis://127.0.0.1:1/0")
    app = Flask(__name__)
    app.session_interface = IronSessionInterface(**OPTIONS, revocation=store)
    with pytest.raises(ConfigError) as info:
        app.session_interface.configs(app)  # type: ignore[attr-defined]
    assert info.value.option == "revocation"
    with django_project(IRON_SESSION={"revocation": store}):
        with pytest.raises(ImproperlyConfigured, match="revocation"):
            session_config()


# -- a store that cannot answer: never a 5xx ---------------------------------


@pytest.mark.parametrize("on_error", ["deny", "allow"])
def test_an_unreachable_store(framework: str, on_error: str) -> None:
    REASONS.clear()
    working = DRIVERS[framework](MemoryRevocation())
    try:
        cookie = cookie_in(working.get("/login?sub=42", None)[1])
    finally:
        working.close()
    # Port 1 on loopback: every connection is refused.
    down = RedisRevocation("redis://127.0.0.1:1/0", on_error=on_error)
    driver = DRIVERS[framework](down)
    try:
        body, lines = driver.get("/me", cookie)  # the drivers assert 200
        if on_error == "deny":
            assert body == {"data": {}, "sub": None}
        else:
            assert body == {"data": {"user": "ada"}, "sub": "42"}
        assert REASONS == ["store-unavailable"]
        assert cookie_in(lines) is None  # the cookie is left as it was
    finally:
        driver.close()
