# SPDX-License-Identifier: MIT
"""IronSession through Sanic's own test client (sanic-testing's
ReusableClient: a real Sanic server on loopback, so its header limit is
the one tested): request.ctx.session, saved only when modified,
iron-session's exact cookie, every bad cookie, rotation and chunks."""

from __future__ import annotations

import asyncio
import itertools
import runpy
import socket
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import iron_fast
from iron_fast import ConfigError, IronError, SessionConfig
from tests import attribute_sessions as cases
from tests.adapter_cases import bad_cookie_headers
from tests.attribute_sessions import (
    BIG,
    GOOD,
    HANDLERS,
    NAME,
    PASSWORD,
    Handler,
    seal_in,
)
from tests.conftest import require_or_skip

# Sanic imports websockets' legacy module, which warns; nothing of ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:websockets.legacy is deprecated"
)
ROOT = Path(__file__).resolve().parents[1]
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


class Browser(cases.Browser):
    """sanic-testing's client as a browser (cookies sent by hand: the
    Secure cookies would not go over http://127.0.0.1)."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client

    def send(
        self, method: str, path: str, headers: dict[str, str], **kw: Any
    ) -> tuple[Any, list[str]]:
        send = getattr(self.client, method.lower())
        _, response = send(path, headers=headers, **kw)
        return response, response.headers.get_list("set-cookie")


@contextmanager
def serving(app: Any) -> Iterator[Browser]:
    """``app`` served on loopback for the block, through a Browser."""
    from sanic_testing.reusable import ReusableClient

    # A port free now: ReusableClient's own pick is a random number,
    # which another server on this machine may hold.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    loop = asyncio.new_event_loop()
    try:
        with ReusableClient(app, port=port, loop=loop) as client:
            yield Browser(client)
    finally:
        loop.close()
        asyncio.set_event_loop(None)


# -- the scenarios of tests/attribute_sessions.py -----------------------------


@pytest.mark.parametrize(
    ("scenario", "options"), cases.SCENARIOS, ids=cases.SCENARIO_IDS
)
def test_scenario(
    scenario: Callable[[Any], None], options: dict[str, Any]
) -> None:
    with warnings.catch_warnings():
        # allow_insecure=True: no warning for the insecure cookie
        warnings.simplefilter("error", iron_fast.IronFastWarning)
        app = make_app(**options)
    with serving(app) as browser:
        scenario(browser)


BAD = bad_cookie_headers(PASSWORD, NAME)


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_cookie_gives_an_empty_session(kind: str) -> None:
    heard: list[str] = []
    app = make_app(on_unseal_error=lambda r, e: heard.append(r))
    with serving(app) as browser:
        cases.bad_cookie_gives_an_empty_session(browser, *BAD[kind], heard)


# -- what only this framework shows -----------------------------------


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


def test_cookie_over_the_header_limit_is_refused_by_sanic() -> None:
    with serving(make_app()) as browser:
        answer = browser.get("/read", f"{NAME}={'A' * HEADER_LIMIT}")
    assert answer.status_code == 413  # Sanic's answer, not a 5xx


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


def test_too_large_without_chunk_is_a_clear_error() -> None:
    app = make_app()
    with serving(app) as browser:
        answer = browser.post("/put", BIG)
    assert answer.status_code == 500
    assert answer.set_cookies == []
    [error] = app.ctx.errors
    assert isinstance(error, iron_fast.CookieTooLarge)
    assert "chunk=True" in str(error)


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

    monkeypatch.setenv("IRON_SESSION_PASSWORD", PASSWORD)
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
