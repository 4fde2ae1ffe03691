# SPDX-License-Identifier: MIT
"""IronStorage through aiohttp's own test client (TestClient/TestServer,
run with asyncio.run, so no pytest plugin mode matters): get_session()
unchanged, iron-session's exact cookie, bad cookies, rotation, the size
limit and chunks."""

from __future__ import annotations

import asyncio
import logging
import runpy
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from iron_fast import CookieTooLarge, IronFastWarning, seal_data, unseal_data
from tests.bad_cookies import bad_cookies
from tests.conftest import require_or_skip

# aiohttp-session itself keys the request with strings (aiohttp 3.14
# warns); nothing of iron_fast's.
pytestmark = pytest.mark.filterwarnings(
    "ignore:It is recommended to use web.RequestKey"
)
PASSWORD = "aiohttp-test-password-0123456789-abcdef"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
NAME = "AIOHTTP_SESSION"
ATTRIBUTES = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
EXPIRED = "; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"


@pytest.fixture(scope="module", autouse=True)
def _aiohttp() -> None:
    try:
        import aiohttp  # noqa: F401
        import aiohttp_session  # noqa: F401
    except ImportError:
        require_or_skip(
            "aiohttp-session is not installed (pip install iron-fast[aiohttp])"
        )


def make_app(**options: Any) -> Any:
    import aiohttp_session
    from aiohttp import web

    from iron_fast.aiohttp import IronStorage

    app = web.Application()
    aiohttp_session.setup(
        app, IronStorage(options.pop("password", PASSWORD), **options)
    )
    routes = web.RouteTableDef()

    @routes.get("/login")
    async def login(request: web.Request) -> web.Response:
        session = await aiohttp_session.new_session(request)
        session["user"] = request.query["user"]
        return web.json_response({"user": session["user"]})

    @routes.get("/count")
    async def count(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        session["count"] = session.get("count", 0) + 1
        return web.json_response(dict(session))

    @routes.get("/read")
    async def read(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        return web.json_response(dict(session))

    @routes.get("/logout")
    async def logout(request: web.Request) -> web.Response:
        (await aiohttp_session.get_session(request)).invalidate()
        return web.Response(text="bye")

    @routes.post("/put")
    async def put(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        for key, value in (await request.json()).items():
            if value is None:
                session.pop(key, None)
            else:
                session[key] = value
        if "max_age" in request.query:
            raw = request.query["max_age"]
            session.max_age = None if raw == "none" else int(raw)
        return web.Response(text="ok")

    @routes.get("/redirect")
    async def redirect(request: web.Request) -> web.Response:
        session = await aiohttp_session.get_session(request)
        session["redirected"] = True
        raise web.HTTPFound("/read")

    app.add_routes(routes)
    return app


Scenario = Callable[[Any], Awaitable[None]]


def run(
    scenario: Scenario,
    server_options: dict[str, Any] | None = None,
    **options: Any,
) -> None:
    from aiohttp import DummyCookieJar
    from aiohttp.test_utils import TestClient, TestServer

    async def main() -> None:
        # Cookies go by hand (see Browser): aiohttp's client jar, rightly,
        # never sends a Secure cookie over http://127.0.0.1.
        server = TestServer(make_app(**options))
        await server.start_server(**(server_options or {}))
        async with TestClient(server, cookie_jar=DummyCookieJar()) as client:
            await scenario(Browser(client))

    asyncio.run(main())


def set_cookies(response: Any) -> list[str]:
    return response.headers.getall("Set-Cookie", [])


def seal_in(response: Any, name: str = NAME) -> str:
    for line in set_cookies(response):
        if line.startswith(f"{name}="):
            return line.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {set_cookies(response)}")


class Browser:
    """The test client plus a browser's cookie jar: sends what it holds,
    stores what responses set (Max-Age=0 deletes)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.jar: dict[str, str] = {}

    async def request(
        self, method: str, path: str, cookie: str | None = None, **kwargs: Any
    ) -> Any:
        if cookie is None:
            cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        headers = {"Cookie": cookie} if cookie else {}
        response = await self.client.request(
            method, path, headers=headers, **kwargs
        )
        await response.read()
        for line in set_cookies(response):
            name, value = line.split(";", 1)[0].split("=", 1)
            if "; Max-Age=0;" in line:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return response

    async def get(
        self, path: str, cookie: str | None = None, **kw: Any
    ) -> Any:
        return await self.request("GET", path, cookie, **kw)

    async def post(self, path: str, json: Any, **kw: Any) -> Any:
        return await self.request("POST", path, json=json, **kw)


def test_login_counter_logout() -> None:
    async def scenario(client: Any) -> None:
        response = await client.get("/login?user=ada")
        assert await response.json() == {"user": "ada"}
        assert await (await client.get("/count")).json() == {
            "user": "ada",
            "count": 1,
        }
        response = await client.get("/count")
        assert await response.json() == {"user": "ada", "count": 2}
        assert unseal_data(seal_in(response), password=PASSWORD) == {
            "user": "ada",
            "count": 2,
        }
        response = await client.get("/logout")
        assert set_cookies(response) == [f"{NAME}={EXPIRED}"]
        assert await (await client.get("/read")).json() == {}

    run(scenario)


def test_cookie_attributes_are_iron_sessions() -> None:
    async def scenario(client: Any) -> None:
        response = await client.get("/count")
        (line,) = set_cookies(response)
        assert line == f"{NAME}={seal_in(response)}{ATTRIBUTES}"
        assert seal_in(response).startswith("Fe26.2*1*")

    run(scenario)


def test_unmodified_requests_send_no_cookie() -> None:
    async def scenario(client: Any) -> None:
        assert set_cookies(await client.get("/read")) == []
        await client.get("/count")
        response = await client.get("/read")
        assert await response.json() == {"count": 1}
        assert set_cookies(response) == []

    run(scenario)


def test_session_saved_on_http_exceptions() -> None:
    async def scenario(client: Any) -> None:
        response = await client.get("/redirect", allow_redirects=False)
        assert response.status == 302
        assert unseal_data(seal_in(response), password=PASSWORD) == {
            "redirected": True
        }

    run(scenario)


def test_options_shape_the_cookie() -> None:
    async def scenario(client: Any) -> None:
        response = await client.get("/count")
        (line,) = set_cookies(response)
        assert line == (
            f"app={seal_in(response, 'app')}; Max-Age=3540; "
            "Domain=example.com; Path=/; HttpOnly; SameSite=Strict"
        )

    with pytest.warns(IronFastWarning, match="secure"):
        run(
            scenario,
            cookie_name="app",
            ttl=3600,
            domain="example.com",  # aiohttp-session's spellings
            secure=False,
            samesite="strict",
        )


def test_session_max_age() -> None:
    async def scenario(client: Any) -> None:
        response = await client.post("/put?max_age=300", json={"a": 1})
        (line,) = set_cookies(response)
        assert line.endswith(
            "; Max-Age=240; Path=/; HttpOnly; Secure; SameSite=Lax"
        )
        response = await client.post("/put?max_age=none", json={"a": 1})
        (line,) = set_cookies(response)
        assert line.endswith("~2; Path=/; HttpOnly; Secure; SameSite=Lax")

    # max_age=None: a browser-session cookie whose seal never expires.
    with pytest.warns(IronFastWarning, match="never expire"):
        run(scenario)


def test_bad_options_fail_at_construction() -> None:
    from iron_fast import ConfigError
    from iron_fast.aiohttp import IronStorage

    with pytest.raises(ConfigError, match="32"):
        IronStorage("short")
    with pytest.raises(ConfigError, match="colour"):
        IronStorage(PASSWORD, colour="blue")


# -- bad cookies -----------------------------------------------------------


BAD_COOKIES = bad_cookies(PASSWORD, OLD)


@pytest.mark.parametrize("kind", sorted(BAD_COOKIES))
def test_bad_cookie_gives_an_empty_session(kind: str) -> None:
    cookie, reason = BAD_COOKIES[kind]
    reasons: list[str] = []

    async def scenario(client: Any) -> None:
        response = await client.get("/read", f"{NAME}={cookie}")
        assert response.status == 200
        assert await response.json() == {}
        assert set_cookies(response) == []
        assert reasons == [reason]
        response = await client.get("/count", f"{NAME}={cookie}")
        assert await response.json() == {"count": 1}

    run(scenario, on_unseal_error=lambda r, e: reasons.append(r))


# -- rotation and size -----------------------------------------------------


def test_rotation_reads_old_and_reseals_with_newest() -> None:
    old = f"{NAME}={seal_data({'count': 5}, password={1: OLD})}"

    async def scenario(client: Any) -> None:
        assert await (await client.get("/read", old)).json() == {"count": 5}
        response = await client.get("/count", old)
        assert await response.json() == {"count": 6}
        assert seal_in(response).startswith("Fe26.2*2*")
        assert unseal_data(seal_in(response), password={2: NEW}) == {
            "count": 6
        }

    run(scenario, password={1: OLD, 2: NEW})


def test_too_large_fails_with_the_clear_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario(client: Any) -> None:
        response = await client.post("/put", json={"blob": "x" * 5000})
        assert response.status == 500

    with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
        run(scenario)
    errors = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert any(
        isinstance(e, CookieTooLarge) and "chunk=True" in str(e)
        for e in errors
    )


def test_chunked_round_trip() -> None:
    async def scenario(client: Any) -> None:
        response = await client.post("/put", json={"blob": "x" * 5000})
        lines = set_cookies(response)
        assert [line.split("=", 1)[0] for line in lines] == [
            f"{NAME}.0",
            f"{NAME}.1",
        ]
        assert all(line.endswith(ATTRIBUTES) for line in lines)
        assert all(len(line.encode()) <= 4096 for line in lines)
        response = await client.get("/count")
        assert await response.json() == {"blob": "x" * 5000, "count": 1}
        response = await client.post("/put", json={"blob": None})
        assert set_cookies(response) == [
            f"{NAME}={seal_in(response)}{ATTRIBUTES}",
            f"{NAME}.0={EXPIRED}",
            f"{NAME}.1={EXPIRED}",
        ]
        assert await (await client.get("/read")).json() == {"count": 1}
        assert sorted(client.jar) == [NAME]

    run(scenario, chunk=True)


def test_example_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from aiohttp import DummyCookieJar
    from aiohttp.test_utils import TestClient, TestServer

    monkeypatch.setenv("SECRET_COOKIE_PASSWORD", PASSWORD)
    monkeypatch.delenv("COOKIE_SECURE", raising=False)
    path = Path(__file__).resolve().parent.parent / "examples/aiohttp_app.py"
    make_example = runpy.run_path(str(path))["make_app"]

    async def main() -> None:
        server = TestServer(make_example())
        async with TestClient(server, cookie_jar=DummyCookieJar()) as raw:
            client = Browser(raw)
            response = await client.request(
                "POST",
                "/login",
                data={"name": "Ada <3"},
                allow_redirects=False,
            )
            assert response.status == 303
            (line,) = set_cookies(response)
            assert line.startswith("iron_fast_example=Fe26.2*1*")
            assert line.endswith(ATTRIBUTES)
            home = await (await client.get("/")).text()
            assert "Hello, Ada &lt;3. Count: 0" in home
            await client.request("POST", "/count", allow_redirects=False)
            assert "Count: 1" in await (await client.get("/")).text()
            await client.request("POST", "/logout", allow_redirects=False)
            assert "Log in" in await (await client.get("/")).text()

    asyncio.run(main())


def test_three_chunks_need_a_larger_header_limit() -> None:
    # aiohttp's server refuses a header line over 8190 bytes (400), and
    # three chunks are about 12 KB of Cookie header: raise max_field_size
    # (web.Application(handler_args={"max_field_size": 16384})).
    big = {"blob": "x" * 8000}

    async def scenario(client: Any) -> None:
        response = await client.post("/put", json=big)
        assert len(set_cookies(response)) == 3
        response = await client.get("/read")
        assert response.status == 200
        assert await response.json() == big

    run(scenario, {"max_field_size": 16384}, chunk=True)


def test_storage_max_age_limits_the_data_as_aiohttp_session_does() -> None:
    # aiohttp-session documents max_age as the maximum age of the session
    # data (its Fernet storage enforces it): a replayed cookie must not
    # open after it, whatever the browser did with Max-Age.
    async def scenario(client: Any) -> None:
        response = await client.get("/count")
        (line,) = set_cookies(response)
        assert "; Max-Age=1;" in line
        expiration = int(line.split(";", 1)[0].split("*")[5])
        now_ms = time.time_ns() // 1_000_000
        assert expiration - now_ms <= 1_000  # the seal: one second

    run(scenario, max_age=1)


def test_allow_insecure_is_an_option_not_a_cookie_attribute() -> None:
    import warnings

    from iron_fast import IronFastWarning

    async def scenario(client: Any) -> None:
        (line,) = set_cookies(await client.get("/count"))
        assert "Secure" not in line

    with warnings.catch_warnings():
        warnings.simplefilter("error", IronFastWarning)
        run(scenario, secure=False, allow_insecure=True)
