# SPDX-License-Identifier: MIT
"""What the tests of the adapters that hand the session over as an
attribute (Falcon's ``req.context.session``, Sanic's
``request.ctx.session``) share: the handlers their test apps serve, and
the scenarios each runs through its own framework's test client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import iron_fast
from tests.adapter_cases import ATTRIBUTES, EXPIRED
from tests.conftest import browser_header

# Over one cookie (4096 bytes): a session sealed from it is sent as two
# chunks.
BIG = {"blob": "x" * 5000}

# (session, JSON body or None) -> the JSON answer, or None for none.
Handler = Callable[[Any, Any], Any]


def _put(session: Any, body: Any) -> Any:
    # A None value deletes the key (the interop driver's convention).
    for key, value in (body or {}).items():
        if value is None:
            session.pop(key, None)
        else:
            session[key] = value
    return dict(session)


def _count(session: Any, body: Any) -> Any:
    session["count"] = session.get("count", 0) + 1
    return dict(session)


def _save_then_change(session: Any, body: Any) -> Any:
    session["a"] = 1
    session.save()
    session["b"] = 2  # saved again at the end: still one line
    return None


def _crash(session: Any, body: Any) -> Any:
    session["half"] = "done"
    raise RuntimeError("boom")


def _not_json(session: Any, body: Any) -> Any:
    session["when"] = {1, 2}
    return None


# Each path serves GET and POST. "/user" answers with a Vary header of
# its own, which the adapter must extend.
HANDLERS: dict[str, Handler] = {
    "/read": lambda session, body: dict(session),
    "/user": lambda session, body: {"user": session.get("user")},
    "/untouched": lambda session, body: None,
    "/count": _count,
    "/put": _put,
    "/logout": lambda session, body: session.destroy(),
    "/clear": lambda session, body: session.clear(),
    "/save-then-change": _save_then_change,
    "/crash": _crash,
    "/not-json": _not_json,
}


class Browser:
    """A framework's test client plus a browser's cookie store: a request
    sends the cookies the store holds (or the ``cookie`` header given) and
    the store keeps what the response set. A subclass's ``send(method,
    path, headers, **kw)`` makes the request and answers (the response,
    its raw Set-Cookie lines), which the response then carries as
    ``set_cookies``."""

    def __init__(self) -> None:
        self.jar: dict[str, str] = {}

    def send(
        self, method: str, path: str, headers: dict[str, str], **kw: Any
    ) -> tuple[Any, list[str]]:
        raise NotImplementedError

    def request(
        self, method: str, path: str, cookie: str | None = None, **kw: Any
    ) -> Any:
        if cookie is None:
            cookie = browser_header([], self.jar)
        headers = {"Cookie": cookie} if cookie else {}
        response, lines = self.send(method, path, headers, **kw)
        response.set_cookies = lines
        browser_header(lines, self.jar)
        return response

    def get(self, path: str, cookie: str | None = None, **kw: Any) -> Any:
        return self.request("GET", path, cookie, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json=json, **kw)


# -- the scenarios both run, each through its own framework's client ------
#
# ``browser`` is the test's Browser: ``get(path, cookie=None)`` and
# ``post(path, json)`` answer with ``status_code``, ``json``, ``headers``
# (case-insensitive) and ``set_cookies`` (the raw lines); ``jar`` holds
# the cookies a browser would send next. The app under test serves
# HANDLERS with the session options ``password=PASSWORD`` and whatever
# the scenario's docstring adds; its cookie is NAME.

PASSWORD = "adapter-cases-password-0123456789-abcdef"
NEWER = "newer-secret-newer-secret-newer-secret"
NAME = "session"
GOOD = {"user": "Ada", "count": 7}
SHAPED = {
    "cookie_name": "sid",
    "ttl": 3600,
    "cookie_options": {"domain": "example.com", "samesite": "strict"},
}
INSECURE = {"cookie_options": {"secure": False}, "allow_insecure": True}
ROTATED = {"password": {1: PASSWORD, 2: NEWER}}


def seal_in(answer: Any, name: str = NAME) -> str:
    for line in answer.set_cookies:
        if line.startswith(f"{name}="):
            return str(line.split(";", 1)[0].split("=", 1)[1])
    raise AssertionError(f"no {name} cookie in {answer.set_cookies}")


def login_counter_logout(browser: Any) -> None:
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


def unmodified_requests_send_no_cookie(browser: Any) -> None:
    for path in ("/read", "/untouched", "/clear"):
        assert browser.get(path).set_cookies == []
    browser.post("/put", {"user": "Ada"})
    for path in ("/read", "/user", "/untouched"):
        answer = browser.get(path)
        assert answer.status_code == 200
        assert answer.set_cookies == []


def vary_cookie_when_the_session_was_read(browser: Any) -> None:
    assert browser.get("/read").headers.get("vary") == "Cookie"
    assert "vary" not in browser.get("/untouched").headers
    # Added to the handler's own Vary, not in place of it.
    answer = browser.get("/user")
    assert answer.headers.get("vary") == "Accept-Encoding, Cookie"
    browser.post("/put", {"user": "Ada"})
    assert "vary" not in browser.get("/untouched").headers


def clear_expires_the_cookie_only_if_one_was_sent(browser: Any) -> None:
    assert browser.get("/clear").set_cookies == []
    browser.post("/put", {"user": "Ada"})
    assert browser.get("/clear").set_cookies == [f"{NAME}={EXPIRED}"]
    assert browser.get("/read").json == {}


def explicit_save_then_change_sends_one_line(browser: Any) -> None:
    answer = browser.get("/save-then-change")
    [line] = answer.set_cookies
    assert iron_fast.unseal_data(
        line.split(";", 1)[0].split("=", 1)[1], password=PASSWORD
    ) == {"a": 1, "b": 2}


def options_shape_the_cookie(browser: Any) -> None:
    """The app has the SHAPED options."""
    answer = browser.get("/count")
    assert answer.set_cookies == [
        f"sid={seal_in(answer, 'sid')}; Max-Age=3540; Domain=example.com; "
        "Path=/; HttpOnly; Secure; SameSite=Strict"
    ]


def insecure_on_loopback(browser: Any) -> None:
    """The app has the INSECURE options."""
    [line] = browser.get("/count").set_cookies
    assert line.endswith("~2; Max-Age=1209540; Path=/; HttpOnly; SameSite=Lax")


def bad_cookie_gives_an_empty_session(
    browser: Any, header: str, reason: str | None, heard: list[str]
) -> None:
    """The app's on_unseal_error appends the reasons to ``heard``."""
    answer = browser.get("/read", header)
    assert (answer.status_code, answer.json) == (200, {})
    assert answer.set_cookies == []
    assert heard == ([reason] if reason else [])
    # The next save replaces it with a readable cookie.
    answer = browser.get("/count", header)
    assert (answer.status_code, answer.json) == (200, {"count": 1})
    assert browser.get("/read").json == {"count": 1}


def good_cookie_is_read(browser: Any) -> None:
    header = f"a=1; {NAME}={iron_fast.seal(GOOD, password=PASSWORD)}; b=2"
    answer = browser.get("/read", header)
    assert (answer.json, answer.set_cookies) == (GOOD, [])


def rotation_reads_old_and_reseals_with_newest(browser: Any) -> None:
    """The app has the ROTATED options."""
    old = f"{NAME}={iron_fast.seal(GOOD, password={1: PASSWORD})}"
    answer = browser.get("/read", old)
    assert (answer.json, answer.set_cookies) == (GOOD, [])  # no re-seal
    answer = browser.get("/count", old)
    assert seal_in(answer).startswith("Fe26.2*2*")
    assert iron_fast.unseal_data(seal_in(answer), password={2: NEWER}) == {
        **GOOD,
        "count": 8,
    }


def chunked_round_trip(browser: Any) -> None:
    """The app has ``chunk=True``. Two chunks at most: three would pass
    the header limit of servers such as Sanic's (8 KB)."""
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
    # Chunked again, and a logout expires each chunk.
    browser.post("/put", BIG)
    assert sorted(browser.jar) == [f"{NAME}.0", f"{NAME}.1"]
    answer = browser.get("/logout")
    assert answer.set_cookies == [
        f"{NAME}={EXPIRED}",
        f"{NAME}.0={EXPIRED}",
        f"{NAME}.1={EXPIRED}",
    ]


# (scenario, the app's session options) for each framework's test_scenario.
SCENARIOS: list[tuple[Callable[[Any], None], dict[str, Any]]] = [
    (login_counter_logout, {}),
    (unmodified_requests_send_no_cookie, {}),
    (vary_cookie_when_the_session_was_read, {}),
    (clear_expires_the_cookie_only_if_one_was_sent, {}),
    (explicit_save_then_change_sends_one_line, {}),
    (options_shape_the_cookie, SHAPED),
    (insecure_on_loopback, INSECURE),
    (good_cookie_is_read, {}),
    (rotation_reads_old_and_reseals_with_newest, ROTATED),
    (chunked_round_trip, {"chunk": True}),
]
SCENARIO_IDS = [scenario.__name__ for scenario, _ in SCENARIOS]
