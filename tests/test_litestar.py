# SPDX-License-Identifier: MIT
"""IronCookieBackendConfig through Litestar's own test client:
request.session, set_session and clear_session (which replace the scope's
session), SessionAuth, iron-session's cookie, and unreadable cookies."""

from __future__ import annotations

import re
import runpy
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import iron_fast
from iron_fast import (
    ConfigError,
    CookieTooLarge,
    IronFastWarning,
    PasswordConfigError,
    SessionConfig,
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

try:  # the [litestar] extra is optional
    from litestar import Litestar, Request, WebSocket, get, post, websocket
    from litestar.connection import ASGIConnection
    from litestar.exceptions import NotAuthorizedException
    from litestar.security.session_auth import SessionAuth
    from litestar.testing import TestClient

    from iron_fast.litestar import IronCookieBackendConfig
except ImportError as error:
    MISSING: str | None = f"litestar is not installed ({error})"
else:
    MISSING = None

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "litestar-test-password-0123456789-abc"
SEAL = r"Fe26\.2\*{id}\*[0-9a-f]{{64}}\*[\w-]{{22}}\*[\w-]+\*\d+\*[0-9a-f]{{64}}\*[\w-]{{43}}~2"  # noqa: E501
BASE_URL = "https://testserver.local"  # https: the cookie is Secure


@pytest.fixture(autouse=True)
def _needs_litestar() -> None:
    if MISSING:
        require_or_skip(MISSING)


@dataclass
class Profile:
    user: str
    roles: list[str]


# -- the app under test ----------------------------------------------------


def make_app(
    config: Any = None, heard: list[str] | None = None, **options: Any
) -> Any:
    """Routes shared with tests/test_adapters_interop.py: GET /read,
    /count, /logout, POST /put (a None value deletes its key)."""

    @get("/read")
    async def read(request: Request[Any, Any, Any]) -> dict[str, Any]:
        return dict(request.session)

    @get("/untouched")
    async def untouched() -> str:
        return "no session here"

    @get("/count")
    async def count(request: Request[Any, Any, Any]) -> dict[str, Any]:
        request.session["count"] = request.session.get("count", 0) + 1
        return dict(request.session)

    @post("/put", status_code=200)
    async def put(request: Request[Any, Any, Any]) -> str:
        for key, value in (await request.json()).items():
            if value is None:
                request.session.pop(key, None)
            else:
                request.session[key] = value
        return "ok"

    @get("/logout")
    async def logout(request: Request[Any, Any, Any]) -> str:
        request.clear_session()
        return "bye"

    @get("/clear")
    async def clear(request: Request[Any, Any, Any]) -> str:
        request.session.clear()
        return "emptied"

    @get("/destroy")
    async def destroy(request: Request[Any, Any, Any]) -> str:
        request.session.destroy()  # the IronSession API works too
        return "gone"

    @get("/replace")
    async def replace(request: Request[Any, Any, Any]) -> str:
        # Changes to the object first read are dropped: set_session wins.
        request.session["dropped"] = True
        request.set_session({"user": "replaced"})
        return "ok"

    @get("/replace-model")
    async def replace_model(request: Request[Any, Any, Any]) -> str:
        request.set_session(Profile(user="ada", roles=["admin"]))
        return "ok"

    @get("/set-then-clear")
    async def set_then_clear(request: Request[Any, Any, Any]) -> str:
        request.set_session({"user": "brief"})
        request.clear_session()
        return "ok"

    @websocket("/ws")
    async def ws(socket: WebSocket[Any, Any, Any]) -> None:
        await socket.accept()
        await socket.send_json(dict(socket.session))
        try:
            socket.session.save()
        except iron_fast.IronError as error:
            await socket.send_text(str(error))
        await socket.close()

    if config is None:
        options.setdefault("password", PASSWORD)
        if heard is not None:
            options["on_unseal_error"] = lambda reason, _: heard.append(reason)
        config = IronCookieBackendConfig(**options)
    handlers = [read, untouched, count, put, logout, clear, destroy]
    handlers += [replace, replace_model, set_then_clear, ws]
    return Litestar(route_handlers=handlers, middleware=[config.middleware])


def client(app: Any, **kwargs: Any) -> TestClient[Any]:
    return TestClient(app, base_url=BASE_URL, **kwargs)


def set_cookies(response: Any) -> list[str]:
    return list(response.headers.get_list("set-cookie"))


def seal_in(response: Any, name: str = "session") -> str:
    for line in set_cookies(response):
        if line.startswith(f"{name}="):
            return line.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {set_cookies(response)}")


# -- request.session, set_session, clear_session ---------------------------


def test_login_counter_logout() -> None:
    with client(make_app()) as browser:
        assert browser.get("/read").json() == {}
        assert browser.post("/put", json={"user": "ada"}).text == "ok"
        for expected in (1, 2, 3):
            response = browser.get("/count")
            assert response.json() == {"user": "ada", "count": expected}
        assert unseal_data(seal_in(response), password=PASSWORD) == {
            "user": "ada",
            "count": 3,
        }
        response = browser.get("/logout")
        assert set_cookies(response) == [f"session={EXPIRED}"]
        assert browser.get("/read").json() == {}
        assert "session" not in browser.cookies


def test_set_cookie_is_iron_sessions() -> None:
    [line] = set_cookies(client(make_app()).get("/count"))
    pattern = "session=" + SEAL.format(id=1) + re.escape(ATTRIBUTES)
    assert re.fullmatch(pattern, line)


def test_cookie_options_and_name() -> None:
    app = make_app(
        cookie_name="sid",
        ttl=3600,
        cookie_options={"domain": "example.com", "samesite": "strict"},
    )
    [line] = set_cookies(client(app).get("/count"))
    assert line.startswith("sid=Fe26.2*1*")
    assert line.endswith(
        "; Max-Age=3540; Domain=example.com; Path=/; HttpOnly; Secure; "
        "SameSite=Strict"
    )


def test_unmodified_requests_send_no_cookie() -> None:
    browser = client(make_app())
    browser.get("/count")
    for path in ("/read", "/untouched"):
        response = browser.get(path)
        assert response.status_code == 200
        assert set_cookies(response) == []
    fresh = client(make_app())
    # Emptied or logged out, but no cookie was sent: nothing to expire.
    for path in ("/clear", "/logout", "/set-then-clear", "/read"):
        assert set_cookies(fresh.get(path)) == [], path


def test_vary_cookie_only_when_the_session_is_used() -> None:
    browser = client(make_app())
    assert browser.get("/read").headers["vary"] == "Cookie"
    assert "vary" not in browser.get("/untouched").headers
    assert browser.get("/logout").headers["vary"] == "Cookie"


def test_set_session_replaces_the_session() -> None:
    browser = client(make_app())
    browser.get("/count")
    response = browser.get("/replace")
    assert unseal_data(seal_in(response), password=PASSWORD) == {
        "user": "replaced"
    }
    assert browser.get("/read").json() == {"user": "replaced"}
    # A dataclass (or a model) is stored as Litestar serialises it.
    browser.get("/replace-model")
    assert browser.get("/read").json() == {"user": "ada", "roles": ["admin"]}


def test_clear_after_set_session_expires_the_cookie() -> None:
    browser = client(make_app())
    browser.get("/count")
    response = browser.get("/set-then-clear")
    assert set_cookies(response) == [f"session={EXPIRED}"]
    assert browser.get("/read").json() == {}


def test_emptying_or_destroying_the_session_expires_the_cookie() -> None:
    for path in ("/clear", "/destroy", "/logout"):
        browser = client(make_app())
        browser.get("/count")
        assert set_cookies(browser.get(path)) == [f"session={EXPIRED}"]
        assert browser.get("/read").json() == {}


def test_websocket_reads_the_session_and_cannot_save_it() -> None:
    browser = client(make_app())
    cookie = f"session={seal_in(browser.get('/count'))}"
    with browser.websocket_connect("/ws", headers={"cookie": cookie}) as ws:
        assert ws.receive_json() == {"count": 1}
        assert "WebSocket" in ws.receive_text()


def test_test_client_session_helpers() -> None:
    config = IronCookieBackendConfig(password=PASSWORD)
    with TestClient(
        make_app(config), base_url=BASE_URL, session_config=config
    ) as browser:
        browser.set_session_data({"user": "ada"})
        assert browser.get("/count").json() == {"user": "ada", "count": 1}
        assert browser.get_session_data() == {"user": "ada", "count": 1}


# -- SessionAuth -----------------------------------------------------------


def test_session_auth_login_and_logout() -> None:
    users = {7: "ada"}

    async def retrieve_user(
        session: dict[str, Any], _: ASGIConnection[Any, Any, Any, Any]
    ) -> str | None:
        return users.get(session.get("user_id", 0))

    @post("/login", status_code=200)
    async def login(request: Request[Any, Any, Any]) -> str:
        request.set_session({"user_id": (await request.json())["id"]})
        return "in"

    @get("/me")
    async def me(request: Request[str, Any, Any]) -> str:
        return request.user

    @post("/logout", status_code=200)
    async def logout(request: Request[Any, Any, Any]) -> str:
        request.clear_session()
        return "out"

    auth = SessionAuth[str, Any](
        retrieve_user_handler=retrieve_user,
        session_backend_config=IronCookieBackendConfig(password=PASSWORD),
        exclude=["/login"],
    )
    app = Litestar(
        route_handlers=[login, me, logout], on_app_init=[auth.on_app_init]
    )
    browser = client(app)
    response = browser.get("/me")
    assert response.status_code == 401
    assert set_cookies(response) == []  # no cookie came, none to expire
    response = browser.post("/login", json={"id": 7})
    assert unseal_data(seal_in(response), password=PASSWORD) == {"user_id": 7}
    assert browser.get("/me").text == "ada"
    response = browser.post("/logout")
    assert set_cookies(response) == [f"session={EXPIRED}"]
    assert browser.get("/me").status_code == 401
    # A session naming no user: refused, and its cookie expired.
    forged = seal_data({"user_id": 99}, password=PASSWORD)
    response = client(app).get("/me", headers={"cookie": f"session={forged}"})
    assert response.status_code == 401
    assert set_cookies(response) == [f"session={EXPIRED}"]
    assert NotAuthorizedException.status_code == 401


# -- unreadable cookies ----------------------------------------------------

BAD_COOKIES = bad_cookie_headers(PASSWORD)


@pytest.mark.parametrize("kind", sorted(BAD_COOKIES))
def test_bad_cookie_gives_an_empty_session(kind: str) -> None:
    header, reason = BAD_COOKIES[kind]
    heard: list[str] = []
    browser = client(make_app(heard=heard, chunk=True))
    headers = {"cookie": header} if header else {}
    response = browser.get("/read", headers=headers)
    assert (response.status_code, response.json()) == (200, {})
    assert set_cookies(response) == []
    assert heard == ([reason] if reason else [])
    # The next save replaces it with a readable cookie.
    response = browser.get("/count", headers=headers)
    assert (response.status_code, response.json()) == (200, {"count": 1})
    assert unseal_data(seal_in(response), password=PASSWORD) == {"count": 1}


# -- rotation, size, chunks ------------------------------------------------


def test_rotation_reads_old_and_reseals_with_newest() -> None:
    browser = client(make_app(password={1: OLD, 2: NEW}))
    old = seal_data({"count": 5}, password={1: OLD})
    browser.cookies.set("session", old, domain="testserver.local")
    response = browser.get("/read")
    assert (response.json(), set_cookies(response)) == ({"count": 5}, [])
    response = browser.get("/count")
    assert response.json() == {"count": 6}
    assert seal_in(response).startswith("Fe26.2*2*")
    assert unseal_data(seal_in(response), password={2: NEW}) == {"count": 6}


def test_too_large_fails_with_the_clear_error() -> None:
    # Raised as the response starts, which Litestar reports as an error
    # after the start, caused by this one.
    with pytest.raises(Exception) as caught:
        client(make_app()).post("/put", json={"blob": "x" * 5000})
    cause: BaseException | None = caught.value
    while cause is not None and not isinstance(cause, CookieTooLarge):
        cause = cause.__cause__
    assert cause is not None and "chunk=True" in str(cause)
    browser = client(make_app(), raise_server_exceptions=False)
    response = browser.post("/put", json={"blob": "x" * 5000})
    assert (response.status_code, set_cookies(response)) == (500, [])


def test_chunked_round_trip_and_logout() -> None:
    browser = client(make_app(chunk=True))
    response = browser.post("/put", json={"blob": "x" * 5000})
    lines = set_cookies(response)
    assert [line.split("=", 1)[0] for line in lines] == [
        "session.0",
        "session.1",
    ]
    assert all(line.endswith(ATTRIBUTES) for line in lines)
    assert all(len(line.encode()) <= 4096 for line in lines)
    assert browser.get("/count").json() == {"blob": "x" * 5000, "count": 1}
    response = browser.post("/put", json={"blob": None})
    assert set_cookies(response) == [
        f"session={seal_in(response)}{ATTRIBUTES}",
        f"session.0={EXPIRED}",
        f"session.1={EXPIRED}",
    ]
    assert browser.get("/read").json() == {"count": 1}
    browser.post("/put", json={"blob": "y" * 5000})
    assert sorted(set_cookies(browser.get("/logout"))) == [
        f"session.0={EXPIRED}",
        f"session.1={EXPIRED}",
        f"session={EXPIRED}",
    ]
    assert browser.get("/read").json() == {}


# -- configuration ---------------------------------------------------------


def test_takes_a_config_or_options() -> None:
    config = SessionConfig(password=PASSWORD, cookie_name="sid")
    backend = IronCookieBackendConfig(config)
    assert backend.session_config is config
    assert backend.key == "sid"  # Litestar's name for the cookie's
    default = IronCookieBackendConfig(password=PASSWORD)
    assert default.key == "session"
    assert (default.path, default.secure, default.samesite) == (
        "/",
        True,
        "lax",
    )
    with pytest.raises(TypeError):
        IronCookieBackendConfig(config, ttl=60)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="secret"):
        IronCookieBackendConfig(secret=PASSWORD)  # type: ignore[call-arg]
    assert PASSWORD not in repr(default)


def test_bad_options_fail_at_construction_naming_them() -> None:
    with pytest.raises(PasswordConfigError):
        IronCookieBackendConfig(password="short")
    with pytest.raises(ConfigError) as caught:
        IronCookieBackendConfig(password=PASSWORD, ttl=-1)
    assert caught.value.option == "ttl"
    with pytest.raises(ConfigError) as caught:
        IronCookieBackendConfig(
            password=PASSWORD, cookie_options={"samesite": "sideways"}
        )
    assert caught.value.option == "cookie_options['samesite']"


def test_allow_insecure_silences_the_plain_http_warning() -> None:
    insecure = {"secure": False}
    with pytest.warns(IronFastWarning):
        IronCookieBackendConfig(password=PASSWORD, cookie_options=insecure)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = IronCookieBackendConfig(
            password=PASSWORD, cookie_options=insecure, allow_insecure=True
        )
    response = TestClient(make_app(config)).get("/count")
    assert set_cookies(response)[0].endswith(
        "; Path=/; HttpOnly; SameSite=Lax"
    )


def test_exclude_opt_key_skips_the_middleware() -> None:
    @get("/static", opt={"skip_session": True})
    async def static(request: Request[Any, Any, Any]) -> bool:
        return "session" in request.scope

    config = IronCookieBackendConfig(password=PASSWORD)
    app = Litestar(route_handlers=[static], middleware=[config.middleware])
    assert client(app).get("/static").json() is False


# -- the example -----------------------------------------------------------


def test_example_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_COOKIE_PASSWORD", PASSWORD)
    module = runpy.run_path(str(ROOT / "examples" / "litestar_app.py"))
    browser = client(module["app"])
    assert 'action="/login"' in browser.get("/").text
    page = browser.post("/login", data={"name": "Ada <3"}).text
    assert "Hello, Ada &lt;3. Count: 0" in page
    browser.post("/count")
    assert "Count: 2" in browser.post("/count").text
    response = browser.post("/logout", follow_redirects=False)
    assert set_cookies(response) == [f"iron_fast_example={EXPIRED}"]
    assert 'action="/login"' in browser.get("/").text
