# SPDX-License-Identifier: MIT
"""Live interop of get_iron_session with iron-session 9's getIronSession
(through tests/interop/session_peer.mjs): each side reads the cookies the
other writes, plain, chunked, after a password rotation and after a
destroy, and both write the same Set-Cookie attributes.

Needs Node and ``npm ci`` in tests/interop; skipped without them unless
IRON_FAST_REQUIRE_ALL=1, where that is a failure.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from iron_fast import HeaderCookieJar, SessionConfig, get_iron_session
from tests.conftest import SessionPeer, hazardous_config
from tests.conftest import browser_header as header_of
from tests.pinned import pinned

PASSWORD = "a-32-character-long-test-password!"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
DATA = {"user": {"id: 1": 1, "name": "Zoë ✓ 😀"}, "n": [1, 2.5, None]}


@pytest.fixture
def node(session_peer: SessionPeer) -> SessionPeer:
    return session_peer


def js_options(**extra: Any) -> dict[str, Any]:
    """iron-session's spelling of the options below."""
    options: dict[str, Any] = {"cookieName": "app", "password": PASSWORD}
    options.update(extra)
    return options


def py_config(**extra: Any) -> SessionConfig:
    options = {"password": PASSWORD, "cookie_name": "app", **extra}
    config: SessionConfig = hazardous_config(**options)
    return config


def attributes(line: str) -> str:
    return line.split(";", 1)[1] if ";" in line else ""


def python_save(config: SessionConfig, data: dict[str, Any]) -> list[str]:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config)
    session.update(data)
    session.save()
    return jar.set_cookies


def test_node_reads_what_python_writes(node: SessionPeer) -> None:
    header = header_of(python_save(py_config(), DATA))
    answer = node.run(js_options(), header)
    assert answer["session_before"] == DATA
    assert answer["reasons"] == []


def test_python_reads_what_node_writes(node: SessionPeer) -> None:
    answer = node.run(js_options(), actions=[{"set": DATA}, {"save": True}])
    header = header_of(answer["set_cookie"])
    assert get_iron_session(HeaderCookieJar(header), py_config()) == DATA


OPTION_SETS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {}),
    ({"ttl": 0}, {"ttl": 0}),
    ({"ttl": 30}, {"ttl": 30}),
    ({"ttl": 61}, {"ttl": 61}),
    (
        {"cookieOptions": {"maxAge": None}},
        {"cookie_options": {"max_age": None}},
    ),
    ({"cookieOptions": {"maxAge": 60}}, {"cookie_options": {"max_age": 60}}),
    (
        {
            "cookieOptions": {
                "domain": "example.com",
                "path": "/app",
                "expires": "2100-01-01T00:00:00.000Z",
                "partitioned": True,
                "priority": "high",
                "sameSite": "none",
            }
        },
        {
            "cookie_options": {
                "domain": "example.com",
                "path": "/app",
                "expires": datetime(2100, 1, 1, tzinfo=timezone.utc),
                "partitioned": True,
                "priority": "high",
                "samesite": "none",
            }
        },
    ),
    (
        {"cookieOptions": {"httpOnly": False, "sameSite": "strict"}},
        {"cookie_options": {"httponly": False, "samesite": "strict"}},
    ),
    (
        {"cookieOptions": {"secure": False, "path": "/", "sameSite": True}},
        {"cookie_options": {"secure": False, "samesite": True}},
    ),
]


@pytest.mark.parametrize(("js", "py"), OPTION_SETS)
def test_same_set_cookie_attributes(
    node: SessionPeer, js: dict[str, Any], py: dict[str, Any]
) -> None:
    answer = node.run(
        js_options(**js),
        actions=[{"set": DATA}, {"save": True}, {"destroy": True}],
    )
    ours = python_save(py_config(**py), DATA)
    jar = HeaderCookieJar()
    get_iron_session(jar, py_config(**py)).destroy()
    saved, destroyed = answer["set_cookie"]
    assert attributes(ours[0]) == attributes(saved)
    assert jar.set_cookies == [destroyed]
    # Same data and ttl: the seals differ only in salts, IV and MAC.
    assert len(ours[0]) == len(saved)
    # And each side reads the other's seal under these options.
    back = get_iron_session(
        HeaderCookieJar(header_of([saved])), py_config(**py)
    )
    assert back == DATA
    assert node.run(js_options(**js), header_of(ours))["session_before"] == (
        DATA
    )


BIG = {"blob": "x" * 7000, "user": {"id": 9}}


def test_chunked_both_ways(node: SessionPeer) -> None:
    ours = python_save(py_config(chunk=True), BIG)
    theirs = node.run(
        js_options(chunk=True), actions=[{"set": BIG}, {"save": True}]
    )["set_cookie"]
    names = [line.split("=", 1)[0] for line in ours]
    assert names == ["app.0", "app.1", "app.2"]
    assert [line.split("=", 1)[0] for line in theirs] == names
    assert [len(line) for line in ours] == [len(line) for line in theirs]
    assert [attributes(line) for line in ours] == [
        attributes(line) for line in theirs
    ]
    answer = node.run(js_options(chunk=True), header_of(ours))
    assert answer["session_before"] == BIG
    back = get_iron_session(
        HeaderCookieJar(header_of(theirs)), py_config(chunk=True)
    )
    assert back == BIG


def test_shrinking_a_chunked_session_both_ways(node: SessionPeer) -> None:
    header = header_of(python_save(py_config(chunk=True), BIG))
    actions = [{"set": {"blob": "small"}}, {"save": True}]
    theirs = node.run(js_options(chunk=True), header, actions)["set_cookie"]
    jar = HeaderCookieJar(header)
    session = get_iron_session(jar, py_config(chunk=True))
    session["blob"] = "small"
    session.save()
    assert jar.set_cookies[1:] == theirs[1:]  # the stale chunks, expired
    assert [line.split("=", 1)[0] for line in theirs] == [
        "app",
        "app.0",
        "app.1",
        "app.2",
    ]
    after = {"blob": "small", "user": {"id": 9}}
    assert get_iron_session(
        HeaderCookieJar(header_of(theirs)), py_config()
    ) == (after)
    answer = node.run(js_options(), header_of(jar.set_cookies))
    assert answer["session_before"] == after


def test_destroy_of_a_chunked_session_is_the_same(node: SessionPeer) -> None:
    header = header_of(python_save(py_config(chunk=True), BIG))
    theirs = node.run(js_options(chunk=True), header, [{"destroy": True}])
    jar = HeaderCookieJar(header)
    session = get_iron_session(jar, py_config(chunk=True))
    assert session == theirs["session_before"] == BIG
    session.destroy()
    assert jar.set_cookies == theirs["set_cookie"]
    assert len(jar.set_cookies) == 4  # app, app.0, app.1, app.2


def test_destroyed_session_reads_empty_on_both_sides(
    node: SessionPeer,
) -> None:
    header = header_of(python_save(py_config(), DATA))
    theirs = node.run(js_options(), header, [{"destroy": True}])
    assert theirs["session_after"] == {}
    # A browser applying Node's destroy line has no cookie left.
    assert header_of([f"{header}; Path=/", *theirs["set_cookie"]]) == ""
    jar = HeaderCookieJar(header)
    get_iron_session(jar, py_config()).destroy()
    assert header_of([f"{header}; Path=/", *jar.set_cookies]) == ""
    assert node.run(js_options(), "")["session_before"] == {}


def test_rotation_node_to_python_to_node(node: SessionPeer) -> None:
    old = node.run(
        js_options(password={"1": OLD}),
        actions=[{"set": DATA}, {"save": True}],
    )["set_cookie"]
    jar = HeaderCookieJar(header_of(old))
    session = get_iron_session(jar, py_config(password={1: OLD, 2: NEW}))
    assert session == DATA
    session.save()
    assert jar.set_cookies[0].split("*")[1] == "2"
    answer = node.run(
        js_options(password={"2": NEW}), header_of(jar.set_cookies)
    )
    assert answer["session_before"] == DATA
    assert answer["reasons"] == []


def test_rotation_python_to_node_to_python(node: SessionPeer) -> None:
    old = python_save(py_config(password={1: OLD}), DATA)
    answer = node.run(
        js_options(password={"1": OLD, "2": NEW}),
        header_of(old),
        [{"save": True}],
    )
    assert answer["session_before"] == DATA
    [line] = answer["set_cookie"]
    assert line.split("*")[1] == "2"
    back = get_iron_session(
        HeaderCookieJar(header_of([line])), py_config(password={2: NEW})
    )
    assert back == DATA


def test_unreadable_cookies_same_reasons(node: SessionPeer) -> None:
    good = header_of(python_save(py_config(), DATA)).split("=", 1)[1]
    fields = good.split("*")
    expired = python_save(pinned(py_config(ttl=60), 0), DATA)
    values = {
        "garbage": "garbage",
        "wrong_prefix": "*".join(["Fe26.1", *fields[1:]]),
        "bad_expiration": "*".join([*fields[:5], "abc", *fields[6:]]),
        "tampered": "*".join([*fields[:4], fields[4][::-1], *fields[5:]]),
        "unknown_password": "*".join([fields[0], "7", *fields[2:]]),
        "expired": header_of(expired).split("=", 1)[1],
        "quoted": f'"{good}"',
    }
    for case, value in values.items():
        reasons: list[str] = []
        config = py_config(on_unseal_error=lambda r, _: reasons.append(r))
        session = get_iron_session(HeaderCookieJar(f"app={value}"), config)
        answer = node.run(js_options(), f"app={value}")
        assert session == answer["session_before"] == {}, case
        assert reasons == answer["reasons"] == [REASONS.get(case, "invalid")]


REASONS = {"expired": "expired", "unknown_password": "unknown-password"}
