# SPDX-License-Identifier: MIT
"""IronSession through Sanic's own test client (sanic-testing's
ReusableClient: a real Sanic server on loopback, so its header limit is
the one tested): request.ctx.session, saved only when modified,
iron-session's exact cookie, every bad cookie, rotation and chunks."""

from __future__ import annotations

import asyncio
import itertools
import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import iron_fast
from iron_fast import ConfigError, IronError, SessionConfig
from tests.adapter_cases import HANDLERS, Handler
from tests.bad_cookies import BIG, bad_cookie_headers
from tests.conftest import browser_header, require_or_skip

# Sanic imports websockets' legacy module, which warns; nothing of ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:websockets.legacy is deprecated"
)
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "sanic-test-password-0123456789-abcdefg"
NEWER = "newer-secret-newer-secret-newer-secret"
GOOD = {"user": "Ada", "count": 7}
NAME = "session"
ATTRIBUTES = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
EXPIRED = "; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
# Sanic's REQUEST_MAX_HEADER_SIZE default: larger header sections are
# refused with a 413 before any app code runs.
HEADER_LIMIT = 8192
# Sanic refuses a second app of the same name in one process.
_names = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def _sanic() -> None:
    try:
        import sanic  # noqa: F401
        import sanic_testing  # noqa: F401
    except ImportError:
        require_or_skip(
            "Sanic or sanic-testing is not installed "
            "(pip install iron-fast[sanic] sanic-testing)"
        )


# -- the app under test ----------------------------------------------------


def _view(path: str, handler: Handler) -> Any:
    from sanic import json, text

    async def view(request: Any) -> Any:
        body = request.json if request.body else None
        result = handler(request.ctx.session, body)
        response = text("") if result is None else json(result)
        if path == "/user":
            response.headers["vary"] = "Accept-Encoding"
        return response

    return view


async def _redirect(request: Any) -> Any:
    from sanic import redirect

    request.ctx.session["redirected"] = True
    return redirect("/read")


async def _forbidden(request: Any) -> Any:
    from sanic.exceptions import Forbidden

    request.ctx.session["refused"] = True
    raise Forbidden("no")


def make_app(**options: Any) -> Any:
    """The test app with these session options (``password`` defaults to
    PASSWORD); ``app.ctx.errors`` keeps the exceptions its views raise."""
    from sanic import Sanic

    from iron_fast.sanic import IronSession

    app = Sanic(f"iron_fast_test_{next(_names)}")
    app.ctx.errors = []
    options.setdefault("password", PASSWORD)
    IronSession(app, **options)
    methods = ["GET", "POST"]
    for path, handler in HANDLERS.items():
        name = path.strip("/").replace("-", "_")
        app.add_route(_view(path, handler), path, methods=methods, name=name)
    app.add_route(_redirect, "/redirect")
    app.add_route(_forbidden, "/forbidden")

    @app.exception(Exception)
    async def keep(request: Any, error: Exception) -> Any:
        app.ctx.errors.append(error)
        return app.error_handler.default(request, error)

    return app


class Browser:
    """sanic-testing's client plus a browser's cookie jar (sent by hand:
    the Secure cookies would not go over http://127.0.0.1)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.jar: dict[str, str] = {}

    def request(
        self, method: str, path: str, cookie: str | None = None, **kw: Any
    ) -> Any:
        if cookie is None:
            cookie = browser_header([], self.jar)
        headers = {"Cookie": cookie} if cookie else {}
        _, response = getattr(self.client, method)(path, headers=headers, **kw)
        response.set_cookies = response.headers.get_list("set-cookie")
        browser_header(response.set_cookies, self.jar)
        return response

    def get(self, path: str, cookie: str | None = None, **kw: Any) -> Any:
        return self.request("get", path, cookie, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("post", path, json=json, **kw)


@contextmanager
def serving(app: Any) -> Iterator[Browser]:
    """``app`` served on loopback for the block, through a Browser."""
    from sanic_testing.reusable import ReusableClient

    loop = asyncio.new_event_loop()
    try:
        with ReusableClient(app, loop=loop) as client:
            yield Browser(client)
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def seal_in(response: Any, name: str = NAME) -> str:
    for line in response.set_cookies:
        if line.startswith(f"{name}="):
            return str(line.split(";", 1)[0].split("=", 1)[1])
    raise AssertionError(f"no {name} cookie in {response.set_cookies}")


# -- the session contract --------------------------------------------------


def test_login_counter_logout() -> None:
    with serving(make_app()) as browser:
        assert browser.get("/read").json == {}
        answer = browser.post("/put", {"user": "Ada"})
        assert answer.json == {"user": "Ada"}
        [line] = answer.set_cookies
        assert line == f"{NAME}={seal_in(answer)}{ATTRIBUTES}"
        assert seal_in(answer).startswith("Fe26.2*1*")
        for expected in (1, 2, 3):
            answer = browser.get("/count")
            assert answer.json == {"user": "Ada", "count": expected}
        assert iron_fast.unseal_data(seal_in(answer), password=PASSWORD) == {
            "user": "Ada",
            "count": 3,
        }
        answer = browser.get("/logout")
        assert answer.set_cookies == [f"{NAME}={EXPIRED}"]
        assert browser.jar == {}
        assert browser.get("/read").json == {}


def test_unmodified_requests_send_no_cookie() -> None:
    with serving(make_app()) as browser:
        for path in ("/read", "/untouched", "/clear"):
            assert browser.get(path).set_cookies == []
        browser.post("/put", {"user": "Ada"})
        for path in ("/read", "/user", "/untouched"):
            answer = browser.get(path)
            assert answer.status_code == 200
            assert answer.set_cookies == []


def test_vary_cookie_when_the_session_was_read() -> None:
    with serving(make_app()) as browser:
        assert browser.get("/read").headers["vary"] == "Cookie"
        assert "vary" not in browser.get("/untouched").headers
        # Added to the view's own Vary, not in place of it.
        answer = browser.get("/user")
        assert answer.headers.get_list("vary") == ["Accept-Encoding, Cookie"]


def test_clear_expires_the_cookie_only_if_one_was_sent() -> None:
    with serving(make_app()) as browser:
        assert browser.get("/clear").set_cookies == []
        browser.post("/put", {"user": "Ada"})
        assert browser.get("/clear").set_cookies == [f"{NAME}={EXPIRED}"]
        assert browser.get("/read").json == {}


def test_explicit_save_then_change_sends_one_line() -> None:
    with serving(make_app()) as browser:
        [line] = browser.get("/save-then-change").set_cookies
    assert iron_fast.unseal_data(
        line.split(";", 1)[0].split("=", 1)[1], password=PASSWORD
    ) == {"a": 1, "b": 2}


def test_saved_on_redirects_and_http_errors_not_on_a_crash() -> None:
    app = make_app()
    with serving(app) as browser:
        answer = browser.get("/redirect", follow_redirects=False)
        assert answer.status_code == 302
        answer = browser.get("/forbidden")
        assert answer.status_code == 403
        answer = browser.get("/crash")
        assert answer.status_code == 500
        assert answer.set_cookies == []  # half a change is not committed
        assert browser.get("/read").json == {
            "redirected": True,
            "refused": True,
        }


def test_data_that_is_not_json_is_a_clear_error() -> None:
    app = make_app()
    with serving(app) as browser:
        answer = browser.get("/not-json")
    assert answer.status_code == 500
    assert answer.set_cookies == []
    [error] = app.ctx.errors
    assert isinstance(error, iron_fast.SerializationError)
    assert "set" in str(error)


def test_options_shape_the_cookie() -> None:
    app = make_app(
        cookie_name="sid",
        ttl=3600,
        cookie_options={"domain": "example.com", "samesite": "strict"},
    )
    with serving(app) as browser:
        answer = browser.get("/count")
    assert answer.set_cookies == [
        f"sid={seal_in(answer, 'sid')}; Max-Age=3540; Domain=example.com; "
        "Path=/; HttpOnly; Secure; SameSite=Strict"
    ]


def test_allow_insecure_on_loopback(recwarn: pytest.WarningsRecorder) -> None:
    app = make_app(cookie_options={"secure": False}, allow_insecure=True)
    with serving(app) as browser:
        [line] = browser.get("/count").set_cookies
    assert line.endswith("~2; Max-Age=1209540; Path=/; HttpOnly; SameSite=Lax")
    assert not [w for w in recwarn if "secure" in str(w.message)]


# -- bad cookies -------------------------------------------------------------

BAD = bad_cookie_headers(PASSWORD, NEWER, NAME, HEADER_LIMIT)


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_cookie_gives_an_empty_session(kind: str) -> None:
    header, reason = BAD[kind]
    heard: list[str] = []
    app = make_app(on_unseal_error=lambda r, e: heard.append(r))
    with serving(app) as browser:
        answer = browser.get("/read", header)
        assert (answer.status_code, answer.json) == (200, {})
        assert answer.set_cookies == []
        assert heard == ([reason] if reason else [])
        # The next save replaces it with a readable cookie.
        answer = browser.get("/count", header)
        assert (answer.status_code, answer.json) == (200, {"count": 1})
        assert browser.get("/read").json == {"count": 1}


def test_cookie_over_the_header_limit_is_refused_by_sanic() -> None:
    with serving(make_app()) as browser:
        answer = browser.get("/read", f"{NAME}={'A' * HEADER_LIMIT}")
    assert answer.status_code == 413  # Sanic's answer, not a 5xx


def test_good_cookie_is_read() -> None:
    seal = iron_fast.seal(GOOD, password=PASSWORD)
    with serving(make_app()) as browser:
        answer = browser.get("/read", f"a=1; {NAME}={seal}; b=2")
    assert answer.json == GOOD
    assert answer.set_cookies == []


def test_cookie_split_over_several_headers_is_joined() -> None:
    # HTTP/2 browsers send a Cookie header per cookie.
    seal = iron_fast.seal(GOOD, password=PASSWORD)
    with serving(make_app()) as browser:
        for headers in (
            [("Cookie", f"{NAME}={seal}"), ("Cookie", "a=1")],
            [("Cookie", "a=1"), ("Cookie", f"{NAME}={seal}")],
        ):
            _, answer = browser.client.get("/read", headers=headers)
            assert answer.json == GOOD


def test_a_stray_byte_in_another_cookie_does_not_hide_the_session() -> None:
    # Sanic decodes headers as UTF-8; the session is read from the bytes
    # as Latin-1, as Node and every other adapter read it.
    seal = iron_fast.seal(GOOD, password=PASSWORD)
    header = f"{NAME}={seal}; other=".encode() + b"\x80\xff"
    with serving(make_app()) as browser:
        _, answer = browser.client.get("/read", headers={"Cookie": header})
    assert answer.json == GOOD


def test_bad_options_fail_at_start_up() -> None:
    from sanic import Sanic

    from iron_fast.sanic import IronSession

    app = Sanic(f"iron_fast_test_{next(_names)}")
    with pytest.raises(ConfigError) as caught:
        IronSession(app, password="short")
    assert caught.value.option == "password"
    with pytest.raises(ConfigError) as caught:
        IronSession(app, password=PASSWORD, ttl=-1)
    assert caught.value.option == "ttl"
    with pytest.raises(ConfigError) as caught:
        IronSession(app, password=PASSWORD, secret_key="x")  # type: ignore[call-arg]
    assert caught.value.option == "secret_key"
    assert not app.request_middleware  # nothing registered on failure
    config = SessionConfig(password=PASSWORD, cookie_name="sid")
    assert IronSession(app, config).config is config
    assert IronSession(app, config=config).config is config
    with pytest.raises(TypeError):
        IronSession(app, config, ttl=60)  # type: ignore[misc]


# -- rotation and chunks ----------------------------------------------------


def test_rotation_reads_old_and_reseals_with_newest() -> None:
    old = f"{NAME}={iron_fast.seal(GOOD, password={1: PASSWORD})}"
    with serving(make_app(password={1: PASSWORD, 2: NEWER})) as browser:
        answer = browser.get("/read", old)
        assert (answer.json, answer.set_cookies) == (GOOD, [])
        answer = browser.get("/count", old)
    assert seal_in(answer).startswith("Fe26.2*2*")
    assert iron_fast.unseal_data(seal_in(answer), password={2: NEWER}) == {
        **GOOD,
        "count": 8,
    }


def test_too_large_without_chunk_is_a_clear_error() -> None:
    app = make_app()
    with serving(app) as browser:
        answer = browser.post("/put", BIG)
    assert answer.status_code == 500
    assert answer.set_cookies == []
    [error] = app.ctx.errors
    assert isinstance(error, iron_fast.CookieTooLarge)
    assert "chunk=True" in str(error)


def test_chunked_round_trip() -> None:
    with serving(make_app(chunk=True)) as browser:
        answer = browser.post("/put", BIG)
        assert [line.split("=", 1)[0] for line in answer.set_cookies] == [
            f"{NAME}.0",
            f"{NAME}.1",
        ]
        assert all(line.endswith(ATTRIBUTES) for line in answer.set_cookies)
        assert all(len(line.encode()) <= 4096 for line in answer.set_cookies)
        assert browser.get("/count").json == {**BIG, "count": 1}
        answer = browser.post("/put", {"blob": None})
        assert answer.set_cookies == [
            f"{NAME}={seal_in(answer)}{ATTRIBUTES}",
            f"{NAME}.0={EXPIRED}",
            f"{NAME}.1={EXPIRED}",
        ]
        assert browser.get("/read").json == {"count": 1}
        assert sorted(browser.jar) == [NAME]
        # Two chunks again; a logout expires each of them.
        browser.post("/put", BIG)
        answer = browser.get("/logout")
        assert answer.set_cookies == [
            f"{NAME}={EXPIRED}",
            f"{NAME}.0={EXPIRED}",
            f"{NAME}.1={EXPIRED}",
        ]


def test_session_is_open_for_other_middleware() -> None:
    # The app's own middleware, even registered first, runs between
    # ours: it sees the session on the way in, and what it changes on the
    # way out is saved.
    from sanic import Sanic, json

    from iron_fast.sanic import IronSession

    app = Sanic(f"iron_fast_test_{next(_names)}")

    @app.on_request
    async def before(request: Any) -> None:
        request.ctx.seen = dict(request.ctx.session)

    @app.on_response
    async def after(request: Any, response: Any) -> None:
        request.ctx.session["after"] = request.ctx.seen.get("user")

    IronSession(app, password=PASSWORD)

    @app.get("/")
    async def read(request: Any) -> Any:
        return json(dict(request.ctx.session))

    seal = iron_fast.seal({"user": "Ada"}, password=PASSWORD)
    with serving(app) as browser:
        answer = browser.get("/", f"{NAME}={seal}")
    assert answer.json == {"user": "Ada"}
    assert iron_fast.unseal_data(seal_in(answer), password=PASSWORD) == {
        "user": "Ada",
        "after": "Ada",
    }


def test_save_after_the_response_is_an_error() -> None:
    from sanic import text

    app = make_app()
    failures: list[Exception] = []

    @app.get("/late")
    async def late(request: Any) -> Any:
        response = await request.respond(text("streamed"))
        try:
            request.ctx.session["late"] = True
            request.ctx.session.save()
        except IronError as error:
            failures.append(error)
        await response.eof()

    with serving(app) as browser:
        answer = browser.get("/late")
    assert (answer.status_code, answer.set_cookies) == (200, [])
    [error] = failures
    assert "headers are out" in str(error)


def test_websocket_reads_the_session_and_cannot_save_it() -> None:
    import json

    app = make_app()

    @app.websocket("/ws")
    async def chat(request: Any, ws: Any) -> None:
        session = request.ctx.session
        try:
            session["seen"] = True
            session.save()
            error = ""
        except IronError as failure:
            error = str(failure)
        await ws.send(
            json.dumps({"user": session.get("user"), "error": error})
        )
        await ws.recv()  # the client's goodbye (sanic-testing sends one)

    received: list[str] = []

    async def listen(ws: Any) -> None:
        received.append(await ws.recv())

    seal = iron_fast.seal({"user": "Ada"}, password=PASSWORD)
    with serving(app) as browser:
        browser.client.websocket(
            "/ws", extra_headers={"Cookie": f"{NAME}={seal}"}, mimic=listen
        )
    [message] = received
    answer = json.loads(message)
    assert answer["user"] == "Ada"
    assert "WebSocket" in answer["error"]


# -- the example ------------------------------------------------------------


def test_sanic_example(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanic import Sanic

    monkeypatch.setenv("IRON_FAST_PASSWORD", PASSWORD)
    path = ROOT / "examples" / "sanic_app.py"
    make_example = runpy.run_path(str(path))["make_app"]
    app = make_example()
    assert isinstance(app, Sanic)
    with serving(app) as browser:
        assert 'action="/login"' in browser.get("/").text
        answer = browser.post(
            "/login",
            data={"name": "Ada <3"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        [line] = answer.set_cookies
        assert line.startswith("iron_fast_example=Fe26.2*1*")
        assert "Hello, Ada &lt;3. Count: 0" in browser.get("/").text
        browser.post("/count", follow_redirects=False)
        assert "Count: 1" in browser.get("/").text
        answer = browser.post("/logout", follow_redirects=False)
        assert answer.set_cookies[0].startswith(
            "iron_fast_example=; Max-Age=0"
        )
        assert 'action="/login"' in browser.get("/").text
