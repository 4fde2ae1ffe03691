# SPDX-License-Identifier: MIT
"""IronSessionMiddleware through Falcon's own test client, the same class
in falcon.App (WSGI) and falcon.asgi.App (ASGI): req.context.session,
saved only when modified, iron-session's exact cookie, every bad cookie,
rotation and chunks."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
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
    NAME,
    PASSWORD,
    Handler,
    seal_in,
)
from tests.conftest import load_file, require_or_skip

ROOT = Path(__file__).resolve().parents[1]
MODES = ["wsgi", "asgi"]


@pytest.fixture(scope="module", autouse=True)
def _falcon() -> None:
    try:
        import falcon  # noqa: F401
    except ImportError:
        require_or_skip(
            "Falcon is not installed (pip install iron-fast[falcon])"
        )


# -- the app under test: one set of handlers, served both ways -------------


def _redirect(session: Any, body: Any) -> Any:
    import falcon

    session["redirected"] = True
    raise falcon.HTTPSeeOther("/read")


HANDLERS = {**cases.HANDLERS, "/redirect": _redirect}


def _resource(handler: Handler, asgi: bool) -> Any:
    def answer(req: Any, resp: Any, body: Any) -> None:
        result = handler(req.context.session, body)
        if req.path == "/user":
            resp.append_header("Vary", "Accept-Encoding")
        if result is not None:
            resp.media = result

    if asgi:

        class AsyncResource:
            async def on_get(self, req: Any, resp: Any) -> None:
                answer(req, resp, None)

            async def on_post(self, req: Any, resp: Any) -> None:
                answer(req, resp, await req.get_media(None))

        return AsyncResource()

    class Resource:
        def on_get(self, req: Any, resp: Any) -> None:
            answer(req, resp, None)

        def on_post(self, req: Any, resp: Any) -> None:
            answer(req, resp, req.get_media(None))

    return Resource()


def make_app(mode: str = "wsgi", **options: Any) -> Any:
    """The test app in ``mode`` ("wsgi" or "asgi") with these session
    options (``password`` defaults to PASSWORD)."""
    import falcon
    import falcon.asgi

    from iron_fast.falcon import IronSessionMiddleware

    options.setdefault("password", PASSWORD)
    middleware = [IronSessionMiddleware(**options)]
    asgi = mode == "asgi"
    app = (falcon.asgi.App if asgi else falcon.App)(middleware=middleware)
    for path, handler in HANDLERS.items():
        app.add_route(path, _resource(handler, asgi))
    return app


class Browser(cases.Browser):
    """Falcon's TestClient as a browser. The client keeps one value per
    header name, so the raw Set-Cookie lines are recorded on the way out
    by a pass-through WSGI or ASGI wrapper."""

    def __init__(self, app: Any) -> None:
        from falcon.testing import TestClient

        super().__init__()
        self.lines: list[str] = []
        self.client = TestClient(_recording(app, self.lines))

    def send(
        self, method: str, path: str, headers: dict[str, str], **kw: Any
    ) -> tuple[Any, list[str]]:
        self.lines.clear()
        result = self.client.simulate_request(
            method, path, headers=headers, **kw
        )
        return result, list(self.lines)


def _recording(app: Any, lines: list[str]) -> Any:
    import falcon.asgi

    if isinstance(app, falcon.asgi.App):

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            # A list of pairs, as servers give it (Falcon's client passes
            # one-shot iterators, as ASGI allows).
            headers = [tuple(pair) for pair in scope.get("headers", ())]
            scope = {**scope, "headers": headers}

            async def record(message: Any) -> None:
                if message["type"] == "http.response.start":
                    lines.extend(
                        value.decode("latin-1")
                        for name, value in message["headers"]
                        if name == b"set-cookie"
                    )
                await send(message)

            await app(scope, receive, record)

        return asgi

    def wsgi(environ: Any, start_response: Any) -> Any:
        def record(status: str, headers: Any, *exc_info: Any) -> Any:
            lines.extend(v for k, v in headers if k.lower() == "set-cookie")
            return start_response(status, headers, *exc_info)

        return app(environ, record)

    return wsgi


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- the scenarios of tests/attribute_sessions.py -----------------------------


@pytest.mark.parametrize(
    ("scenario", "options"), cases.SCENARIOS, ids=cases.SCENARIO_IDS
)
def test_scenario(
    mode: str, scenario: Callable[[Any], None], options: dict[str, Any]
) -> None:
    with warnings.catch_warnings():
        # allow_insecure=True: no warning for the insecure cookie
        warnings.simplefilter("error", iron_fast.IronFastWarning)
        app = make_app(mode, **options)
    scenario(Browser(app))


# Falcon has no header limit of its own; a WSGI or ASGI server's is
# commonly 64 KB or less.
BAD = {
    **bad_cookie_headers(PASSWORD, NAME),
    "oversized-64KB": (f"{NAME}=Fe26.2*1*{'A' * 65000}", "invalid"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_cookie_gives_an_empty_session(mode: str, kind: str) -> None:
    heard: list[str] = []
    app = make_app(mode, on_unseal_error=lambda r, e: heard.append(r))
    cases.bad_cookie_gives_an_empty_session(Browser(app), *BAD[kind], heard)


# -- what only this framework shows -----------------------------------


def test_saved_on_an_http_error_not_on_a_crash(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    browser = Browser(make_app(mode))
    answer = browser.get("/redirect")
    assert answer.status_code == 303
    assert iron_fast.unseal_data(seal_in(answer), password=PASSWORD) == {
        "redirected": True
    }
    with caplog.at_level(logging.CRITICAL, logger="falcon"):
        answer = browser.get("/crash")
    assert answer.status_code == 500
    assert answer.set_cookies == []  # half a change is not committed
    assert browser.get("/read").json == {"redirected": True}


def keeping_errors(mode: str, **options: Any) -> tuple[Any, list[Any]]:
    """The test app, whose IronErrors are kept (and answered 500)."""
    app = make_app(mode, **options)
    errors: list[Exception] = []

    def keep(req: Any, resp: Any, error: Exception, params: Any) -> None:
        errors.append(error)
        resp.status = 500

    async def keep_async(*args: Any) -> None:
        keep(*args)

    app.add_error_handler(IronError, keep_async if mode == "asgi" else keep)
    return app, errors


def test_data_that_is_not_json_is_a_clear_error(mode: str) -> None:
    app, errors = keeping_errors(mode)
    answer = Browser(app).get("/not-json")
    assert answer.status_code == 500
    assert answer.set_cookies == []
    [error] = errors
    assert isinstance(error, iron_fast.SerializationError)
    assert "set" in str(error)


def test_asgi_headers_as_one_shot_iterators(mode: str) -> None:
    # Straight through Falcon's client, which hands ASGI headers over as
    # one-shot iterators (ASGI allows it; servers give lists).
    from falcon import testing

    header = f"a=1; {NAME}={iron_fast.seal(GOOD, password=PASSWORD)}; b=2"
    answer = testing.simulate_get(
        make_app(mode), "/read", headers={"Cookie": header}
    )
    assert answer.json == GOOD


def test_bad_options_fail_at_start_up() -> None:
    from iron_fast.falcon import IronSessionMiddleware

    with pytest.raises(ConfigError) as caught:
        IronSessionMiddleware(password="short")
    assert caught.value.option == "password"
    with pytest.raises(ConfigError) as caught:
        IronSessionMiddleware(password=PASSWORD, ttl=-1)
    assert caught.value.option == "ttl"
    with pytest.raises(ConfigError) as caught:
        IronSessionMiddleware(password=PASSWORD, secret_key="x")  # type: ignore[call-arg]
    assert caught.value.option == "secret_key"
    with pytest.raises(ConfigError) as caught:
        IronSessionMiddleware(
            password=PASSWORD, cookie_options={"sameSite": 1}
        )
    assert "samesite" in str(caught.value)
    config = SessionConfig(password=PASSWORD, cookie_name="sid")
    assert IronSessionMiddleware(config).config is config
    assert IronSessionMiddleware(config=config).config is config
    with pytest.raises(TypeError):
        IronSessionMiddleware(config, ttl=60)  # type: ignore[misc]
    assert IronSessionMiddleware(password=PASSWORD).config.cookie_name == (
        "session"
    )


def test_too_large_without_chunk_is_a_clear_error(mode: str) -> None:
    app, errors = keeping_errors(mode)
    answer = Browser(app).post("/put", BIG)
    assert answer.status_code == 500
    assert answer.set_cookies == []
    [error] = errors
    assert isinstance(error, iron_fast.CookieTooLarge)
    assert "chunk=True" in str(error)


def test_asgi_cookie_split_over_several_headers_is_joined() -> None:
    # HTTP/2 browsers send a Cookie header per cookie; falcon.asgi alone
    # would keep the last one.
    from falcon.testing import TestClient

    seal = iron_fast.seal(GOOD, password=PASSWORD)
    client = TestClient(_recording(make_app("asgi"), []))
    for headers in (
        [("Cookie", f"{NAME}={seal}"), ("Cookie", "a=1")],
        [("Cookie", "a=1"), ("Cookie", f"{NAME}={seal}")],
    ):
        assert client.simulate_get("/read", headers=headers).json == GOOD


def test_websocket_reads_the_session_and_cannot_save_it() -> None:
    import asyncio
    import contextlib

    import falcon.errors
    from falcon.testing import ASGIConductor

    class Chat:
        async def on_websocket(self, req: Any, ws: Any) -> None:
            await ws.accept()
            session = req.context.session
            try:
                session["seen"] = True
                session.save()
                error = ""
            except IronError as failure:
                error = str(failure)
            await ws.send_media({"user": session.get("user"), "error": error})
            with contextlib.suppress(falcon.errors.WebSocketDisconnected):
                await ws.receive_text()  # open until the client has read

    app = make_app("asgi")
    app.add_route("/ws", Chat())
    seal = iron_fast.seal({"user": "Ada"}, password=PASSWORD)

    async def talk() -> Any:
        async with ASGIConductor(app) as conductor:
            headers = {"Cookie": f"{NAME}={seal}"}
            async with conductor.simulate_ws("/ws", headers=headers) as ws:
                return await ws.receive_json()

    answer = asyncio.run(talk())
    assert answer["user"] == "Ada"
    assert "WebSocket" in answer["error"]


def test_save_after_the_response_is_an_error() -> None:
    from iron_fast.request_session import RequestSession

    config = SessionConfig(password=PASSWORD, cookie_name=NAME)
    session = RequestSession.open(config.codec, None)
    session["a"] = 1
    vary, lines = session.finish(200)
    assert vary and len(lines) == 1
    with pytest.raises(IronError, match="headers are out"):
        session.save()


# -- the example ------------------------------------------------------------


def test_falcon_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRON_SESSION_PASSWORD", PASSWORD)
    path = ROOT / "examples" / "falcon_app.py"
    module = load_file("falcon_example", path)
    browser = Browser(module.app)
    assert 'action="/login"' in browser.get("/").text
    answer = browser.post(
        "/login",
        body="name=Ada+%3C3",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 303
    [line] = answer.set_cookies
    assert line.startswith("iron_fast_example=Fe26.2*1*")
    assert "Hello, Ada &lt;3. Count: 0" in browser.get("/").text
    browser.post("/count")
    assert "Count: 1" in browser.get("/").text
    answer = browser.post("/logout")
    assert answer.set_cookies[0].startswith("iron_fast_example=; Max-Age=0")
    assert 'action="/login"' in browser.get("/").text
