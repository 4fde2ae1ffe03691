# SPDX-License-Identifier: MIT
"""IronSessionMiddleware through Starlette's test client: the
SessionMiddleware contract (request.session, saved only when modified),
iron-session's cookie, and every way a cookie can be unreadable.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import iron_fast
from iron_fast import (
    CookieTooLarge,
    IronError,
    IronSession,
    SerializationError,
    SessionConfig,
    UnsealError,
)
from tests.conftest import load_file, require_or_skip

try:  # the [starlette] extra is optional
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route, WebSocketRoute

    from iron_fast.starlette import IronSessionMiddleware

    with warnings.catch_warnings():  # starlette 1.x prefers httpx2
        warnings.filterwarnings("ignore", "Using `httpx`")
        from starlette.testclient import TestClient
    from starlette.websockets import WebSocket
except ImportError as error:
    MISSING: str | None = f"starlette is not installed ({error})"
else:
    MISSING = None

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"
NEWER = "Ck7qLm2XvB9nR4tY6uI8oP0aS3dF5gH1"
ATTRIBUTES = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
EXPIRED = "session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
# Fe26.2*id*salt*iv*ciphertext*expiration*hmac-salt*hmac~2
SEAL = (
    r"Fe26\.2\*{id}\*[0-9a-f]{{64}}\*[\w-]{{22}}\*[\w-]+\*\d+"
    r"\*[0-9a-f]{{64}}\*[\w-]{{43}}~2"
)


@pytest.fixture(autouse=True)
def _needs_starlette() -> None:
    if MISSING:
        require_or_skip(MISSING)


# -- the app under test ---------------------------------------------------


async def show(request: Request) -> JSONResponse:
    return JSONResponse(dict(request.session))


async def untouched(request: Request) -> PlainTextResponse:
    return PlainTextResponse("no session here")


async def login(request: Request) -> JSONResponse:
    request.session.update(user=(await request.json())["name"], count=0)
    return await show(request)


async def count(request: Request) -> JSONResponse:
    request.session["count"] = request.session.get("count", 0) + 1
    return await show(request)


async def put(request: Request) -> JSONResponse:
    request.session.update(await request.json())
    return await show(request)


async def logout(request: Request) -> JSONResponse:
    request.session.destroy()
    return await show(request)


async def clear(request: Request) -> JSONResponse:
    request.session.clear()
    return await show(request)


async def save_then_change(request: Request) -> JSONResponse:
    session = request.session
    session["a"] = 1
    session.save()
    session["b"] = 2  # saved again at response start: still one line
    return await show(request)


async def save_late(request: Request) -> PlainTextResponse:
    session = request.session
    session["late"] = True
    session.save()
    return PlainTextResponse("ok", background=BackgroundTask(session.save))


async def via_scope(request: Request) -> JSONResponse:
    # Code that reaches the session through the scope, not the property.
    return JSONResponse({"user": request.scope["session"].get("user")})


async def vary(request: Request) -> PlainTextResponse:
    request.session.get("user")
    return PlainTextResponse("ok", headers={"Vary": "Accept-Encoding"})


async def not_json(request: Request) -> PlainTextResponse:
    request.session["when"] = {1, 2}
    return PlainTextResponse("never sent")


async def websocket(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_json(dict(ws.session))
    try:
        ws.session.save()
    except IronError as error:
        await ws.send_text(str(error))
    await ws.close()


def make_app(**options: Any) -> tuple[Starlette, list[tuple[str, Any]]]:
    heard: list[tuple[str, Any]] = []
    post = ["POST"]
    app = Starlette(
        routes=[
            Route("/", show),
            Route("/untouched", untouched),
            Route("/login", login, methods=post),
            Route("/count", count, methods=post),
            Route("/put", put, methods=post),
            Route("/logout", logout, methods=post),
            Route("/clear", clear, methods=post),
            Route("/save-then-change", save_then_change, methods=post),
            Route("/save-late", save_late, methods=post),
            Route("/via-scope", via_scope),
            Route("/vary", vary),
            Route("/not-json", not_json, methods=post),
            WebSocketRoute("/ws", websocket),
        ]
    )
    options.setdefault("password", PASSWORD)
    app.add_middleware(
        IronSessionMiddleware,
        on_unseal_error=lambda reason, error: heard.append((reason, error)),
        **options,
    )
    return app, heard


def client(app: Starlette, **kwargs: Any) -> TestClient:
    # https: the cookie is Secure, and httpx's jar honours that.
    return TestClient(app, base_url="https://testserver", **kwargs)


def set_cookies(response: Any) -> list[str]:
    return response.headers.get_list("set-cookie")


def cookie_of(response: Any) -> str:
    """The Cookie header a browser sends back after ``response``."""
    return "; ".join(line.split(";", 1)[0] for line in set_cookies(response))


# -- the SessionMiddleware contract ---------------------------------------


def test_login_counter_logout() -> None:
    app, heard = make_app()
    with client(app) as browser:
        assert browser.get("/").json() == {}
        answer = browser.post("/login", json={"name": "Ada"})
        assert answer.json() == {"user": "Ada", "count": 0}
        assert len(set_cookies(answer)) == 1
        for expected in (1, 2, 3):
            answer = browser.post("/count")
            assert answer.json() == {"user": "Ada", "count": expected}
        assert browser.get("/").json() == {"user": "Ada", "count": 3}
        answer = browser.post("/logout")
        assert answer.json() == {}
        assert set_cookies(answer) == [EXPIRED]
        assert browser.get("/").json() == {}
        assert "session" not in browser.cookies
    assert heard == []


def test_set_cookie_is_iron_sessions() -> None:
    app, _ = make_app()
    answer = client(app).post("/login", json={"name": "Ada"})
    [line] = set_cookies(answer)
    assert re.fullmatch(
        "session=" + SEAL.format(id=1) + re.escape(ATTRIBUTES), line
    )
    assert iron_fast.unseal_data(
        line.split(";")[0][8:], password=PASSWORD
    ) == {
        "user": "Ada",
        "count": 0,
    }


def test_cookie_options_as_iron_session_writes_them() -> None:
    app, _ = make_app(
        cookie_name="sid",
        ttl=3600,
        cookie_options={"domain": "example.com", "samesite": "strict"},
    )
    [line] = set_cookies(client(app).post("/count"))
    assert line.endswith(
        "; Max-Age=3540; Domain=example.com; Path=/; HttpOnly; Secure; "
        "SameSite=Strict"
    )
    assert line.startswith("sid=Fe26.2*1*")
    app, _ = make_app(cookie_options={"secure": False, "max_age": None})
    with pytest.warns(iron_fast.IronFastWarning) as warned:
        [line] = set_cookies(client(app).post("/count"))
    assert len(warned) == 2  # not Secure; never expires
    assert line.endswith("~2; Path=/; HttpOnly; SameSite=Lax")


def test_unmodified_requests_send_no_set_cookie() -> None:
    app, _ = make_app()
    browser = client(app)
    browser.post("/login", json={"name": "Ada"})
    for path in ("/", "/untouched", "/via-scope", "/vary"):
        answer = browser.get(path)
        assert answer.status_code == 200
        assert set_cookies(answer) == []
    # Empty and cleared, or never there: nothing to send either.
    fresh = client(app)
    assert set_cookies(fresh.post("/clear")) == []
    assert set_cookies(fresh.get("/")) == []


def test_vary_cookie_only_when_the_session_was_used() -> None:
    app, _ = make_app()
    browser = client(app)
    assert browser.get("/").headers["vary"] == "Cookie"
    # A route that never reads request.session does not vary by cookie.
    assert "vary" not in browser.get("/untouched").headers
    assert browser.get("/vary").headers.get_list("vary") == [
        "Accept-Encoding, Cookie"
    ]


def test_clear_expires_the_cookie_like_session_middleware() -> None:
    app, _ = make_app()
    browser = client(app)
    browser.post("/login", json={"name": "Ada"})
    answer = browser.post("/clear")
    assert answer.json() == {}
    assert set_cookies(answer) == [EXPIRED]
    assert browser.get("/").json() == {}


def test_explicit_save_then_change_sends_one_line() -> None:
    app, _ = make_app()
    answer = client(app).post("/save-then-change")
    [line] = set_cookies(answer)
    value = line.split(";")[0].split("=", 1)[1]
    assert iron_fast.unseal_data(value, password=PASSWORD) == {"a": 1, "b": 2}


def test_save_after_the_response_started_is_an_error() -> None:
    app, _ = make_app()
    with pytest.raises(IronError, match="response started"):
        client(app).post("/save-late")


def test_data_that_is_not_json_is_a_clear_error() -> None:
    app, _ = make_app()
    with pytest.raises(SerializationError, match="set"):
        client(app).post("/not-json")


def test_websocket_reads_the_session_and_cannot_save_it() -> None:
    app, _ = make_app()
    browser = client(app)
    cookie = cookie_of(browser.post("/login", json={"name": "Ada"}))
    with browser.websocket_connect("/ws", headers={"cookie": cookie}) as ws:
        assert ws.receive_json() == {"user": "Ada", "count": 0}
        assert "WebSocket" in ws.receive_text()


# -- unreadable cookies ---------------------------------------------------


def sealed(data: Any, password: Any = PASSWORD, **options: Any) -> str:
    return iron_fast.seal(data, password=password, **options)


GOOD = {"user": "Ada", "count": 7}


def tampered() -> str:
    value = sealed(GOOD)
    return value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]


UNREADABLE = {
    "garbage": (lambda: "garbage", "invalid"),
    "empty-fields": (lambda: "Fe26.2*1*****~2", "invalid"),
    "tampered": (tampered, "invalid"),
    "expired": (
        lambda: sealed(GOOD, ttl=60, localtime_offset_ms=-3_600_000),
        "expired",
    ),
    "wrong-password": (lambda: sealed(GOOD, "x" * 32), "invalid"),
    "unknown-password-id": (
        lambda: sealed(GOOD, {7: NEWER}),
        "unknown-password",
    ),
    "not-an-object": (lambda: sealed([1, 2]), "invalid"),
    "quoted": (lambda: f'"{sealed(GOOD)}"', "invalid"),
}


@pytest.mark.parametrize("kind", UNREADABLE)
def test_unreadable_cookie_is_an_empty_session(kind: str) -> None:
    make, reason = UNREADABLE[kind]
    app, heard = make_app()
    header = {"cookie": f"other=1; session={make()}"}
    browser = client(app, raise_server_exceptions=False)
    answer = browser.get("/untouched", headers=header)
    assert answer.status_code == 200
    # Opened with the request, as Starlette's SessionMiddleware does.
    assert len(heard) == 1
    heard.clear()
    answer = browser.get("/", headers=header)
    assert (answer.status_code, answer.json()) == (200, {})
    assert set_cookies(answer) == []
    [(heard_reason, error)] = heard
    assert heard_reason == reason
    assert isinstance(error, UnsealError) and error.reason == reason
    # And the next save replaces it with a readable cookie.
    answer = browser.post("/count", headers=header)
    assert (answer.status_code, answer.json()) == (200, {"count": 1})


@pytest.mark.parametrize(
    "header",
    [
        "session=",
        "session",
        "session=%E0%A4%A",
        "session=\u00e9\u00ff",
        "session.0=Fe26.2*1*; session.1=garbage",
        ";;;=;session==;",
    ],
)
def test_malformed_cookie_header_never_fails(header: str) -> None:
    app, _ = make_app()
    scope_headers = [(b"cookie", header.encode("latin-1"))]
    status, body, _ = asyncio.run(call(app, "/", scope_headers))
    assert (status, json.loads(body)) == (200, {})


def test_valid_cookie_is_read() -> None:
    app, heard = make_app()
    answer = client(app).get(
        "/", headers={"cookie": f"session={sealed(GOOD)}"}
    )
    assert answer.json() == GOOD
    assert heard == []


# -- rotation, size, chunking ---------------------------------------------


def test_rotation_reads_old_id_and_reseals_with_the_newest() -> None:
    old = sealed(GOOD, {1: PASSWORD})
    app, heard = make_app(password={1: PASSWORD, 2: NEWER})
    browser = client(app)
    header = {"cookie": f"session={old}"}
    answer = browser.get("/", headers=header)
    assert answer.json() == GOOD
    assert set_cookies(answer) == []  # read only: no re-seal
    [line] = set_cookies(browser.post("/count", headers=header))
    assert re.match("session=" + SEAL.format(id=2), line)
    value = line.split(";")[0][8:]
    assert iron_fast.unseal_data(value, password={2: NEWER}) == {
        **GOOD,
        "count": 8,
    }
    assert heard == []


def test_session_over_4096_bytes_is_a_clear_error() -> None:
    app, _ = make_app()
    big = {"blob": "x" * 4000}
    with pytest.raises(CookieTooLarge, match="chunk=True"):
        client(app).post("/put", json=big)
    answer = client(app, raise_server_exceptions=False).post("/put", json=big)
    assert answer.status_code == 500
    assert set_cookies(answer) == []


def test_chunked_session_round_trips() -> None:
    app, _ = make_app(chunk=True)
    browser = client(app)
    big = {"blob": "x" * 5000}
    answer = browser.post("/put", json=big)
    lines = set_cookies(answer)
    assert [line.split("=", 1)[0] for line in lines] == [
        "session.0",
        "session.1",
    ]
    assert all(line.endswith(ATTRIBUTES) for line in lines)
    assert all(len(line.encode()) <= 4096 for line in lines)
    assert browser.get("/").json() == big
    # Shrinking back to one cookie expires the chunks.
    answer = browser.post("/put", json={"blob": "small"})
    names = [line.split(";")[0] for line in set_cookies(answer)]
    assert names[0].startswith("session=Fe26.2*1*")
    assert names[1:] == ["session.0=", "session.1="]
    assert browser.get("/").json() == {"blob": "small"}


# -- construction, laziness, plumbing -------------------------------------


def test_takes_a_config_or_options() -> None:
    config = SessionConfig(password=PASSWORD, cookie_name="sid")
    assert IronSessionMiddleware(show, config=config).config is config
    assert IronSessionMiddleware(show, config).config is config
    assert IronSessionMiddleware(
        show, password=PASSWORD
    ).config.cookie_name == ("session")
    with pytest.raises(TypeError):
        IronSessionMiddleware(show, config, ttl=60)
    with pytest.raises(TypeError, match="secret_key"):
        IronSessionMiddleware(show, secret_key=PASSWORD)
    with pytest.raises(iron_fast.PasswordConfigError):
        IronSessionMiddleware(show, password="short")


def test_scope_session_loads_on_first_use() -> None:
    app, _ = make_app()
    browser = client(app)
    browser.post("/login", json={"name": "Ada"})
    assert browser.get("/via-scope").json() == {"user": "Ada"}


async def call(
    app: Any, path: str, headers: list[tuple[bytes, bytes]]
) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """One raw ASGI request, for headers a test client would normalise."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "2",
        "method": "GET", "scheme": "https", "path": path, "raw_path":
        path.encode(), "root_path": "", "query_string": b"",
        "headers": headers, "server": ("testserver", 443), "client": None,
    }  # fmt: skip
    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], body, list(sent[0]["headers"])


def test_cookie_split_over_several_headers_is_joined() -> None:
    app, _ = make_app()
    headers = [
        (b"cookie", b"a=1"),
        (b"cookie", f"session={sealed(GOOD)}".encode()),
    ]
    status, body, _ = asyncio.run(call(app, "/", headers))
    assert (status, json.loads(body)) == (200, GOOD)


def test_lifespan_and_other_scopes_pass_through() -> None:
    app, _ = make_app()
    with client(app) as browser:  # runs the lifespan protocol
        assert browser.get("/untouched").status_code == 200


def test_session_is_an_iron_session_after_use() -> None:
    session_types: list[type] = []

    async def peek(request: Request) -> PlainTextResponse:
        request.session.get("x")
        session_types.append(type(request.session))
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/", peek)])
    app.add_middleware(IronSessionMiddleware, password=PASSWORD)
    client(app).get("/")
    assert session_types == [IronSession]


def test_importing_iron_fast_imports_no_framework() -> None:
    code = (
        "import sys, iron_fast; "
        "print(sorted(m for m in ('starlette', 'fastapi', 'pydantic') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == "[]"


# -- the example ------------------------------------------------------------


def test_starlette_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_COOKIE_PASSWORD", PASSWORD)
    path = ROOT / "examples" / "starlette_app.py"
    module = load_file("starlette_example", path)
    browser = client(module.app)
    assert 'action="/login"' in browser.get("/").text
    page = browser.post("/login", data={"name": "Ada <3"}).text
    assert "Hello, Ada &lt;3. Count: 0" in page
    assert (
        "Count: 2" in (browser.post("/count"), browser.post("/count"))[1].text
    )
    answer = browser.post("/logout", follow_redirects=False)
    assert set_cookies(answer)[0].startswith("iron_fast_example=; Max-Age=0")
    assert 'action="/login"' in browser.get("/").text


# -- Starlette's own arguments and flags (drop-in fidelity) ---------------


def _expiry_ms(line: str) -> int:
    return int(line.split(";", 1)[0].split("*")[5])


@pytest.mark.parametrize("max_age", [3600, 60, 1])
def test_starlette_max_age_means_what_it_means_there(max_age: int) -> None:
    # The cookie's Max-Age is exactly max_age (not iron-session's ttl - 60)
    # and the seal lives max_age seconds.
    app, _ = make_app(max_age=max_age)
    import time

    now = time.time_ns() // 1_000_000
    [line] = set_cookies(client(app).post("/login", json={"name": "Ada"}))
    assert f"; Max-Age={max_age};" in line
    lifetime = _expiry_ms(line) - now
    assert abs(lifetime - max_age * 1000) < 5_000


def test_starlette_max_age_none_is_a_browser_session_cookie() -> None:
    # Starlette's None: no Max-Age and no age limit. Seals that never
    # expire stay a warned-about choice here (iron-session's rule).
    app, _ = make_app(max_age=None)
    # Starlette builds its middleware at the first request.
    with pytest.warns(iron_fast.IronFastWarning, match="never expire"):
        answer = client(app).post("/login", json={"name": "Ada"})
    [line] = set_cookies(answer)
    assert "Max-Age" not in line
    assert line.split(";", 1)[0].split("*")[5] == ""  # no expiration


def test_starlette_cookie_arguments() -> None:
    app, _ = make_app(
        session_cookie="sid",
        path="/app",
        same_site="strict",
        domain="example.com",
        https_only=True,
        partitioned=True,
        max_age=100,
    )
    [line] = set_cookies(client(app).post("/login", json={"name": "Ada"}))
    assert line.startswith("sid=Fe26.2*")
    assert line.endswith(
        "; Max-Age=100; Domain=example.com; Path=/app; HttpOnly; Secure; "
        "Partitioned; SameSite=Strict"
    )
    app, _ = make_app(https_only=False)
    with pytest.warns(iron_fast.IronFastWarning, match="secure"):
        answer = client(app).post("/login", json={"name": "Ada"})
    [line] = set_cookies(answer)
    assert "Secure" not in line


def test_session_has_starlette_s_accessed_flag() -> None:
    async def peek(request: Request) -> JSONResponse:
        session = request.scope["session"]
        before = session.accessed
        request.session
        return JSONResponse([before, session.accessed, session.modified])

    app, _ = make_app()
    app.router.routes.append(Route("/peek", peek))
    assert client(app).get("/peek").json() == [False, True, False]


def test_a_secure_cookie_over_plain_http_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, _ = make_app()
    plain = TestClient(app, base_url="http://testserver")
    with caplog.at_level("WARNING", logger="iron_fast"):
        plain.post("/login", json={"name": "Ada"})
        plain.post("/login", json={"name": "Bea"})
        client(app).post("/login", json={"name": "Cy"})
    [record] = caplog.records
    assert "https_only=False" in record.getMessage()


def test_a_session_with_max_age_zero_or_less_cannot_be_replayed() -> None:
    # Starlette: data older than max_age is refused, so with max_age <= 0
    # a replayed cookie must not open.
    app, _ = make_app(max_age=-1)
    answer = client(app).post("/login", json={"name": "Ada"})
    [line] = set_cookies(answer)
    assert "; Max-Age=0;" in line
    replay = client(app).get("/", headers={"cookie": line.split(";")[0]})
    assert replay.json() == {}
