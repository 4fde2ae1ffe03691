# SPDX-License-Identifier: MIT
"""IronSessionInterface through Quart's own test client: Quart's session
unchanged (permanent, modified, SESSION_COOKIE_*), opened and saved
without a thread, read-only on WebSockets, iron-session's exact cookie,
unreadable cookies, rotation, the size limit and chunks."""

from __future__ import annotations

import asyncio
import inspect
import logging
import runpy
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import iron_fast
from iron_fast import (
    ConfigError,
    CookieTooLarge,
    PasswordConfigError,
    seal_data,
    unseal_data,
)
from tests.adapter_cases import (
    ATTRIBUTES,
    EXPIRED,
    NEW,
    OLD,
    bad_cookie_headers,
)
from tests.conftest import require_or_skip

try:  # the [quart] extra is optional
    from quart import Quart, request, session, websocket

    from iron_fast.quart import IronSessionInterface
except ImportError as error:
    MISSING: str | None = f"quart is not installed ({error})"
else:
    MISSING = None

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "quart-test-password-0123456789-abcdef"


@pytest.fixture(autouse=True)
def _needs_quart() -> None:
    if MISSING:
        require_or_skip(MISSING)


def make_app(interface: Any = None, **config: Any) -> Any:
    """Routes shared with tests/test_adapters_interop.py: GET /read,
    /count, /logout, POST /put (a None value deletes its key)."""
    app = Quart(__name__)
    app.config.update(IRON_SESSION_PASSWORD=PASSWORD, TESTING=True)
    app.config.update(config)
    app.session_interface = interface or IronSessionInterface()

    @app.get("/read")
    async def read() -> Any:
        return dict(session)

    @app.get("/untouched")
    async def untouched() -> Any:
        return "no session here"

    @app.get("/count")
    async def count() -> Any:
        session["count"] = session.get("count", 0) + 1
        return dict(session)

    @app.get("/login")
    async def login() -> Any:
        session["user"] = request.args["user"]
        if "permanent" in request.args:
            session.permanent = True
        return {"user": session["user"]}

    @app.post("/put")
    async def put() -> Any:
        for key, value in (await request.get_json()).items():
            if value is None:
                session.pop(key, None)
            else:
                session[key] = value
        return "ok"

    @app.get("/logout")
    async def logout() -> Any:
        session.clear()
        return "bye"

    @app.get("/destroy")
    async def destroy() -> Any:
        session.destroy()  # type: ignore[attr-defined]
        return "gone"

    @app.websocket("/ws")
    async def ws() -> None:
        await websocket.accept()
        await websocket.send_json(dict(session))
        try:
            session.save()  # type: ignore[attr-defined]
        except iron_fast.IronError as error:
            await websocket.send(str(error))
        session["changed"] = True  # lost: no cookie on a WebSocket

    return app


def run(test: Callable[[Any], Awaitable[None]], app: Any = None) -> None:
    """Runs ``test(client)`` with Quart's test client on a fresh loop."""

    async def main() -> None:
        await test((app or make_app()).test_client())

    asyncio.run(main())


def set_cookies(response: Any) -> list[str]:
    return list(response.headers.getlist("Set-Cookie"))


def seal_in(response: Any, name: str = "session") -> str:
    for line in set_cookies(response):
        if line.startswith(f"{name}="):
            return line.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {set_cookies(response)}")


def test_login_counter_logout() -> None:
    async def test(client: Any) -> None:
        response = await client.get("/login?user=ada")
        assert await response.get_json() == {"user": "ada"}
        for expected in (1, 2, 3):
            response = await client.get("/count")
            assert await response.get_json() == {
                "user": "ada",
                "count": expected,
            }
        assert unseal_data(seal_in(response), password=PASSWORD) == {
            "user": "ada",
            "count": 3,
        }
        response = await client.get("/logout")
        assert set_cookies(response) == [f"session={EXPIRED}"]
        assert await (await client.get("/read")).get_json() == {}

    run(test)


def test_cookie_is_iron_sessions() -> None:
    async def test(client: Any) -> None:
        [line] = set_cookies(await client.get("/count"))
        assert line.startswith("session=Fe26.2*1*")
        assert line.endswith(ATTRIBUTES)

    run(test)


def test_session_is_opened_and_saved_without_a_thread() -> None:
    # Quart's ensure_async runs a method that is not a coroutine function
    # in a worker thread, on every request.
    interface = IronSessionInterface()
    assert inspect.iscoroutinefunction(interface.open_session)
    assert inspect.iscoroutinefunction(interface.save_session)


def test_unmodified_requests_send_no_cookie() -> None:
    async def test(client: Any) -> None:
        await client.get("/count")
        for path in ("/read", "/untouched"):
            response = await client.get(path)
            assert response.status_code == 200
            assert set_cookies(response) == []
        fresh = make_app().test_client()
        # Emptied, but no cookie was sent: nothing to expire.
        assert set_cookies(await fresh.get("/logout")) == []

    run(test)


def test_vary_cookie_only_when_the_session_is_used() -> None:
    async def test(client: Any) -> None:
        assert (await client.get("/count")).headers["Vary"] == "Cookie"
        assert (await client.get("/read")).headers["Vary"] == "Cookie"
        assert "Vary" not in (await client.get("/untouched")).headers
        fresh = make_app().test_client()  # no cookie: the view still read
        assert (await fresh.get("/read")).headers["Vary"] == "Cookie"

    run(test)


def test_destroy_from_a_view() -> None:
    async def test(client: Any) -> None:
        await client.get("/count")
        assert set_cookies(await client.get("/destroy")) == [
            f"session={EXPIRED}"
        ]
        assert await (await client.get("/read")).get_json() == {}

    run(test)


def test_permanent_uses_permanent_session_lifetime() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=timedelta(hours=1))

    async def test(client: Any) -> None:
        [line] = set_cookies(await client.get("/login?user=a&permanent=1"))
        assert "; Max-Age=3540;" in line
        fresh = app.test_client()
        [line] = set_cookies(await fresh.get("/login?user=a"))
        assert "; Max-Age=1209540;" in line

    run(test, app)


def test_websocket_reads_the_session_and_writes_no_cookie(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def test(client: Any) -> None:
        await client.get("/login?user=ada")
        async with client.websocket("/ws") as ws:
            assert await ws.receive_json() == {"user": "ada"}
            assert "WebSocket" in await ws.receive()
        await asyncio.sleep(0.05)  # Quart saves after the handler ends
        assert await (await client.get("/read")).get_json() == {"user": "ada"}

    with caplog.at_level(logging.WARNING):
        run(test)
    assert any("WebSocket" in r.getMessage() for r in caplog.records)


BAD_COOKIES = bad_cookie_headers(PASSWORD)


@pytest.mark.parametrize("kind", sorted(BAD_COOKIES))
def test_bad_cookie_gives_an_empty_session(kind: str) -> None:
    header, reason = BAD_COOKIES[kind]
    heard: list[str] = []
    app = make_app(
        IRON_SESSION_CHUNK=True,
        IRON_SESSION_ON_UNSEAL_ERROR=lambda r, _: heard.append(r),
        TESTING=False,
    )

    async def test(client: Any) -> None:
        headers = {"Cookie": header} if header else {}
        response = await client.get("/read", headers=headers)
        assert response.status_code == 200
        assert await response.get_json() == {}
        assert set_cookies(response) == []
        assert heard == ([reason] if reason else [])
        response = await client.get("/count", headers=headers)
        assert await response.get_json() == {"count": 1}
        assert unseal_data(seal_in(response), password=PASSWORD) == {
            "count": 1
        }

    run(test, app)


def test_rotation_reads_old_and_reseals_with_newest() -> None:
    app = make_app(IRON_SESSION_PASSWORD={1: OLD, 2: NEW})
    cookie = {
        "Cookie": f"session={seal_data({'count': 5}, password={1: OLD})}"
    }

    async def test(client: Any) -> None:
        response = await client.get("/read", headers=cookie)
        assert await response.get_json() == {"count": 5}
        assert set_cookies(response) == []
        response = await client.get("/count", headers=cookie)
        assert await response.get_json() == {"count": 6}
        assert seal_in(response).startswith("Fe26.2*2*")
        assert unseal_data(seal_in(response), password={2: NEW}) == {
            "count": 6
        }

    run(test, app)


def error_of(app: Any) -> BaseException:
    """What the first request raised out of the app (out of testing
    mode: in it, Quart answers with a page showing the traceback)."""
    app.config["TESTING"] = False

    async def test(client: Any) -> None:
        await client.get("/read")

    with pytest.raises(Exception) as caught:
        run(test, app)
    return caught.value


def test_too_large_fails_with_the_clear_error() -> None:
    app = make_app(TESTING=False)
    logged: list[Any] = []
    app.log_exception = logged.append

    async def test(client: Any) -> None:
        response = await client.post("/put", json={"blob": "x" * 5000})
        assert (response.status_code, set_cookies(response)) == (500, [])

    run(test, app)
    [(_, error, _)] = logged
    assert isinstance(error, CookieTooLarge) and "chunk=True" in str(error)


def test_chunked_round_trip_and_logout() -> None:
    app = make_app(IRON_SESSION_CHUNK=True)

    async def test(client: Any) -> None:
        response = await client.post("/put", json={"blob": "x" * 5000})
        lines = set_cookies(response)
        assert [line.split("=", 1)[0] for line in lines] == [
            "session.0",
            "session.1",
        ]
        assert all(line.endswith(ATTRIBUTES) for line in lines)
        response = await client.get("/count")
        assert await response.get_json() == {"blob": "x" * 5000, "count": 1}
        response = await client.post("/put", json={"blob": None})
        assert set_cookies(response) == [
            f"session={seal_in(response)}{ATTRIBUTES}",
            f"session.0={EXPIRED}",
            f"session.1={EXPIRED}",
        ]
        await client.post("/put", json={"blob": "y" * 5000})
        assert sorted(set_cookies(await client.get("/logout"))) == [
            f"session.0={EXPIRED}",
            f"session.1={EXPIRED}",
            f"session={EXPIRED}",
        ]

    run(test, app)


def test_options_passed_directly_win_and_are_checked() -> None:
    with pytest.raises(TypeError, match="secret_key"):
        IronSessionInterface(secret_key=PASSWORD)  # type: ignore[call-arg]
    interface = IronSessionInterface(
        PASSWORD, cookie_name="sid", allow_insecure=True
    )
    app = make_app(
        interface,
        IRON_SESSION_PASSWORD=None,
        IRON_SESSION_COOKIE_OPTIONS={"secure": False},
    )

    async def test(client: Any) -> None:
        [line] = set_cookies(await client.get("/count"))
        assert line.startswith("sid=Fe26.2*1*")
        assert line.endswith("; Path=/; HttpOnly; SameSite=Lax")

    run(test, app)


def test_bad_configuration_fails_at_the_first_request() -> None:
    app = make_app(IRON_SESSION_PASSWORD=None)
    error = error_of(app)
    assert isinstance(error, ConfigError)
    assert "IRON_SESSION_PASSWORD" in str(error)
    app = make_app(IRON_SESSION_PASSWORD="short")
    error = error_of(app)
    assert isinstance(error, PasswordConfigError) and PASSWORD not in str(
        error
    )
    error = error_of(make_app(IRON_SESSION_TTL=-1))
    assert isinstance(error, ConfigError) and error.option == "ttl"


def test_revocation_store_is_checked_for_an_async_client() -> None:
    # Quart is async: a store with only a redis.asyncio client serves it
    # (not refused as the Flask adapter, which it builds on, refuses
    # it), and one with only a sync client is refused, naming the option.
    try:
        import redis
        import redis.asyncio
    except ImportError as error:
        require_or_skip(f"redis is not installed ({error})")
    from iron_fast.revocation import RedisRevocation

    url = "redis://127.0.0.1:1/0"  # never reached: no cookie to check
    store = RedisRevocation(client=redis.asyncio.Redis.from_url(url))
    app = make_app(IronSessionInterface(revocation=store))

    async def test(client: Any) -> None:
        assert await (await client.get("/read")).get_json() == {}

    run(test, app)
    sync_client = redis.Redis.from_url(
        url, socket_timeout=1, socket_connect_timeout=1
    )
    store = RedisRevocation(client=sync_client)
    error = error_of(make_app(IronSessionInterface(revocation=store)))
    assert isinstance(error, ConfigError) and error.option == "revocation"
    assert "Quart is async" in str(error)


def test_interface_is_not_picklable() -> None:
    import pickle

    with pytest.raises(TypeError, match="password"):
        pickle.dumps(IronSessionInterface(PASSWORD))


def test_example_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_COOKIE_PASSWORD", PASSWORD)
    module = runpy.run_path(str(ROOT / "examples" / "quart_app.py"))

    async def test(client: Any) -> None:
        assert 'action="/login"' in await (await client.get("/")).get_data(
            as_text=True
        )
        await client.post("/login", form={"name": "Ada <3"})
        page = await (await client.get("/")).get_data(as_text=True)
        assert "Hello, Ada &lt;3. Count: 0" in page
        await client.post("/count")
        await client.post("/count")
        page = await (await client.get("/")).get_data(as_text=True)
        assert "Count: 2" in page
        response = await client.post("/logout")
        assert set_cookies(response) == [f"iron_fast_example={EXPIRED}"]

    run(test, module["app"])
