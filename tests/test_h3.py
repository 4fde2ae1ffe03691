# SPDX-License-Identifier: MIT
"""h3_config against the real h3 1.x and 2.x (``useSession``,
``unsealSession``) through tests/interop/session_peer.mjs, both ways:
the envelope, id and createdAt, iterations, cookie lines and chunks."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest

from iron_fast import IronError
from iron_fast.cookies import ResponseJar
from iron_fast.errors import ConfigError, CookieTooLarge, ExpiredSeal
from iron_fast.h3 import H3_ITERATIONS, h3_config
from iron_fast.session import get_iron_session
from iron_fast.session_config import SessionConfig
from tests.conftest import browser_header, require_or_skip

PASSWORD = "0123456789abcdef0123456789abcdef"
VERSIONS = (1, 2)


def config(version: int, **options: Any) -> SessionConfig:
    options.setdefault("ttl", 3600)
    return h3_config(PASSWORD, version=version, **options)


def h3_options(**more: Any) -> dict[str, Any]:
    return {"password": PASSWORD, "maxAge": 3600, **more}


def ours(
    cfg: SessionConfig,
    cookie: str | None,
    update: dict[str, Any] | None = None,
    *,
    destroy: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """Open the session from ``cookie`` as iron_fast does; apply an
    update (then save) or a destroy; the data read and the lines sent."""
    jar = ResponseJar(cookie)
    session = get_iron_session(jar, cfg)
    before = dict(session)
    if update is not None:
        session.update(update)
        session.save()
    if destroy:
        session.destroy()
    return before, list(jar.lines.values())


def attributes(line: str) -> str:
    return line.partition(";")[2]


@pytest.mark.parametrize("version", VERSIONS)
def test_h3_session_opens_here_and_keeps_its_id(session_peer, version):
    made = session_peer.run_h3(
        version, h3_options(), actions=[{"update": {"user": "ada", "n": 1}}]
    )
    first = made["session_after"]
    cookie = browser_header(made["set_cookie"])
    data, lines = ours(config(version), cookie, {"n": 2})
    assert data == {"user": "ada", "n": 1}
    back = session_peer.run_h3(
        version, h3_options(), cookie=browser_header(lines)
    )
    # Same session for h3: the id and createdAt carried over the save.
    assert back["session_before"] == {
        "id": first["id"],
        "createdAt": first["createdAt"],
        "data": {"user": "ada", "n": 2},
    }
    # h3 did not have to start a new session (it would write a cookie).
    assert back["set_cookie"] == []


@pytest.mark.parametrize("version", VERSIONS)
def test_new_session_here_opens_in_h3(session_peer, version):
    _, lines = ours(config(version), None, {"cart": [1, 2]})
    (line,) = lines
    assert line.startswith("h3=Fe26.2**")  # iron's id-less seal
    assert "~2" not in line.partition(";")[0]
    read = session_peer.run_h3(
        version, h3_options(), cookie=browser_header(lines)
    )["session_before"]
    assert read["data"] == {"cart": [1, 2]}
    assert uuid.UUID(read["id"]).version == 4
    assert str(uuid.UUID(read["id"])) == read["id"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("h3_cookie", "cookie_options"),
    [
        ({}, {}),
        (
            {"domain": "example.com", "sameSite": "strict", "path": "/app"},
            {"domain": "example.com", "samesite": "strict", "path": "/app"},
        ),
        (
            {"partitioned": True, "priority": "high", "sameSite": "none"},
            {"partitioned": True, "priority": "high", "samesite": "none"},
        ),
    ],
)
def test_cookie_line_is_h3s(session_peer, version, h3_cookie, cookie_options):
    made = session_peer.run_h3(
        version,
        h3_options(cookie=h3_cookie, name="app"),
        actions=[{"update": {"a": 1}}],
    )
    cfg = config(version, name="app", cookie_options=cookie_options)
    # Saved from h3's own session: same createdAt, so the same Expires.
    _, lines = ours(cfg, browser_header(made["set_cookie"]), {"a": 2})
    assert [attributes(x) for x in lines] == [
        attributes(x) for x in made["set_cookie"]
    ]
    assert lines[0].startswith("app=Fe26.2**")


@pytest.mark.parametrize("version", VERSIONS)
def test_no_max_age_writes_a_browser_session_cookie(session_peer, version):
    made = session_peer.run_h3(
        version, {"password": PASSWORD}, actions=[{"update": {"a": 1}}]
    )
    cfg = h3_config(PASSWORD, version=version, allow_insecure=True)
    data, lines = ours(cfg, browser_header(made["set_cookie"]), {"a": 2})
    assert data == {"a": 1}
    assert [attributes(x) for x in lines] == [
        attributes(x) for x in made["set_cookie"]
    ]
    # No expiry in the seal either: field 6 is empty, as h3 writes it.
    assert lines[0].split("*")[5] == ""


def test_default_ttl_warns_that_h3_sessions_never_expire():
    with pytest.warns(Warning, match="never expire"):
        h3_config(PASSWORD)


@pytest.mark.parametrize("version", VERSIONS)
def test_destroy_writes_h3s_clear(session_peer, version):
    made = session_peer.run_h3(
        version, h3_options(), actions=[{"update": {"a": 1}}]
    )
    cookie = browser_header(made["set_cookie"])
    cleared = session_peer.run_h3(
        version, h3_options(), cookie=cookie, actions=[{"clear": True}]
    )
    _, lines = ours(config(version), cookie, destroy=True)
    assert lines == cleared["set_cookie"]


@pytest.mark.parametrize("version", VERSIONS)
def test_iteration_count_is_h3s(session_peer, version):
    other = 2 if version == 1 else 1
    _, lines = ours(config(version), None, {"a": 1})
    seal = lines[0].split(";")[0].split("=", 1)[1]
    assert session_peer.h3_unseal(version, h3_options(), seal)[0]
    if other == 1:
        # h3 1.x cannot read 8192-iteration seals.
        ok, error = session_peer.h3_unseal(other, h3_options(), seal)
        assert not ok and "hmac" in error.lower()
    assert config(version).iterations == H3_ITERATIONS[version]


def test_version_2_reads_and_reseals_h3_1_seals(session_peer):
    made = session_peer.run_h3(1, h3_options(), actions=[{"update": {"a": 1}}])
    old = made["session_after"]
    cookie = browser_header(made["set_cookie"])
    # h3 2.x itself reseals such a cookie when it reads it:
    theirs = session_peer.run_h3(2, h3_options(), cookie=cookie)
    assert theirs["session_before"] == old
    assert len(theirs["set_cookie"]) == 1
    # So does h3_config(version=2), on the read, without a save.
    jar = ResponseJar(cookie)
    session = get_iron_session(jar, config(2))
    assert dict(session) == {"a": 1}
    (line,) = jar.lines.values()
    assert attributes(line) == attributes(theirs["set_cookie"][0])
    again = session_peer.run_h3(2, h3_options(), cookie=browser_header([line]))
    assert again["session_before"] == old
    seal = line.split(";")[0].split("=", 1)[1]
    assert not session_peer.h3_unseal(1, h3_options(), seal)[0]
    # version=1 writes what h3 1.x reads, and does not read 2.x's seals.
    assert ours(config(1), browser_header([line]))[0] == {}


@pytest.mark.parametrize("version", VERSIONS)
def test_max_age_counts_from_created_at(session_peer, version):
    made = session_peer.run_h3(
        version, h3_options(), actions=[{"update": {"a": 1}}]
    )
    seal = made["set_cookie"][0].split(";")[0].split("=", 1)[1]
    cfg = config(version)
    codec = cfg.codec
    created = made["session_after"]["createdAt"]
    assert codec.open(seal) == {"a": 1}
    reasons: list[tuple[str, type]] = []
    late = cfg.replace(
        on_unseal_error=lambda r, e: reasons.append((r, type(e)))
    )
    pinned = type(codec)(late, clock=lambda: created + 3600 * 1000 + 1)
    assert pinned.open(seal) is None
    assert reasons == [("expired", ExpiredSeal)]


def test_chunks_are_h3_2s(session_peer):
    big = {"blob": "x" * 6500}
    made = session_peer.run_h3(2, h3_options(), actions=[{"update": big}])
    names = [x.split("=", 1)[0] for x in made["set_cookie"]]
    assert names == ["h3", "h3.1", "h3.2", "h3.3"]
    assert made["set_cookie"][0].startswith("h3=__chunked__3;")
    assert {len(x.split(";")[0]) for x in made["set_cookie"][1:3]} == {
        len("h3.1=") + 4000
    }
    cookie = browser_header(made["set_cookie"])
    data, lines = ours(config(2), cookie, {"more": 1})
    assert data == big
    assert [x.split("=", 1)[0] for x in lines] == names
    assert lines[0].startswith("h3=__chunked__3;")
    back = session_peer.run_h3(2, h3_options(), cookie=browser_header(lines))
    assert back["session_before"]["data"] == {**big, "more": 1}
    assert back["session_before"]["id"] == made["session_after"]["id"]
    # Shrinking back to one cookie deletes the chunks, as h3 does.
    small_theirs = session_peer.run_h3(
        2, h3_options(), cookie=cookie, actions=[{"update": {"blob": ""}}]
    )
    _, small_ours = ours(config(2), cookie, {"blob": ""})
    assert sorted(attributes(x) for x in small_ours if not x.startswith("h3="))
    assert sorted(x for x in small_ours if not x.startswith("h3=")) == sorted(
        x for x in small_theirs["set_cookie"] if not x.startswith("h3=")
    )
    # And a destroy deletes every chunk the request sent, as h3's clear.
    cleared = session_peer.run_h3(
        2, h3_options(), cookie=cookie, actions=[{"clear": True}]
    )
    assert ours(config(2), cookie, destroy=True)[1] == cleared["set_cookie"]


def test_h3_1_does_not_chunk():
    with pytest.raises(CookieTooLarge, match="does not chunk"):
        ours(config(1), None, {"blob": "x" * 5000})


@pytest.mark.parametrize(
    "cookie",
    [
        "h3=__chunked__2; h3.1=abc",  # a chunk missing
        "h3=__chunked__0",
        "h3=__chunked__101",
        "h3=__chunked__x; h3.1=a",
        "h3=garbage",
        "h3=Fe26.2**a*b*c*d*e*f",
        "h3=",
    ],
)
def test_bad_cookies_are_an_empty_session(cookie):
    reasons: list[str] = []
    cfg = config(2, on_unseal_error=lambda r, e: reasons.append(r))
    assert ours(cfg, cookie) == ({}, [])
    assert all(r == "invalid" for r in reasons)


def test_genuine_seal_that_is_not_h3s_envelope_is_refused():
    # Genuine h3 seals (the right password) of values that are not h3's
    # envelope: no session.
    sealer = config(2).codec._sealer  # the h3 sealer
    values: list[Any] = [
        [1],
        {"data": {}},
        {"id": "", "createdAt": 1},
        {"id": "a", "createdAt": "1"},
        {"id": "a", "createdAt": 1, "data": [1]},
    ]
    for value in values:
        seal = sealer.seal(value)
        reasons: list[str] = []
        cfg = config(2, on_unseal_error=lambda r, e: reasons.append(r))
        assert cfg.codec.open(seal) is None
        assert reasons == ["invalid"], value


def test_config_errors_name_the_option():
    with pytest.raises(ConfigError) as info:
        h3_config(PASSWORD, version=3)
    assert info.value.option == "version"
    with pytest.raises(ConfigError) as info:
        h3_config({1: PASSWORD})  # type: ignore[arg-type]
    assert info.value.option == "password"
    with pytest.raises(TypeError, match="cookie_name"):
        h3_config(PASSWORD, cookie_name="x")  # type: ignore[call-arg]
    with pytest.raises(IronError):
        h3_config("short", ttl=60)


def test_replace_keeps_h3s_format():
    cfg = config(2).replace(ttl=60)
    _, lines = ours(cfg, None, {"a": 1})
    assert re.match(r"h3=Fe26\.2\*\*[0-9a-f]{64}\*", lines[0])
    assert "Max-Age" not in lines[0]


def test_through_starlette_both_ways(session_peer):
    try:
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route
        from starlette.testclient import TestClient
    except ImportError:
        require_or_skip("Starlette is not installed")
    from iron_fast.starlette import IronSessionMiddleware

    async def visit(request: Request) -> JSONResponse:
        seen = dict(request.session)
        request.session["visits"] = seen.get("visits", 0) + 1
        return JSONResponse(seen)

    app = Starlette(
        routes=[Route("/", visit)],
        middleware=[Middleware(IronSessionMiddleware, config=config(2))],
    )
    made = session_peer.run_h3(
        2, h3_options(), actions=[{"update": {"visits": 1}}]
    )
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get(
            "/", headers={"Cookie": browser_header(made["set_cookie"])}
        )
    assert response.json() == {"visits": 1}
    lines = response.headers.get_list("set-cookie")
    back = session_peer.run_h3(2, h3_options(), cookie=browser_header(lines))
    assert back["session_before"]["data"] == {"visits": 2}
    assert back["session_before"]["id"] == made["session_after"]["id"]


def test_aiohttp_takes_the_config():
    try:
        from iron_fast.aiohttp import IronStorage
    except ImportError:
        require_or_skip("aiohttp-session is not installed")
    cfg = config(1)
    storage = IronStorage(config=cfg)
    assert storage.config is cfg and storage.cookie_name == "h3"
    with pytest.raises(TypeError):
        IronStorage(PASSWORD, config=cfg)


def test_a_seal_sent_back_is_a_cache_hit_at_8192():
    # The core caches the seal it made with "~2"; h3's cookie has none.
    cfg = config(2)
    _, lines = ours(cfg, None, {"a": 1})
    seal = lines[0].split(";")[0].split("=", 1)[1]
    assert not seal.endswith("~2")
    core = cfg.codec._sealer._sealer  # the core Sealer
    hits = core._cache_info()[2]
    assert cfg.codec.open(seal) == {"a": 1}
    assert core._cache_info()[2] == hits + 1


def test_an_empty_id_map_seals_with_the_empty_id():
    from iron_fast import Sealer

    sealer = Sealer({"default": PASSWORD})
    assert sealer.password_id == ""
    seal = sealer.seal({"a": 1})
    assert seal.startswith("Fe26.2**") and sealer.unseal(seal) == {"a": 1}
    assert Sealer({"default": PASSWORD, 3: PASSWORD}).password_id == "3"


def test_through_flask_both_ways(session_peer):
    try:
        from flask import Flask, jsonify, session
    except ImportError:
        require_or_skip("Flask is not installed")
    from iron_fast.flask import IronSessionInterface

    app = Flask(__name__)
    app.session_interface = IronSessionInterface(config=config(1))

    @app.get("/")
    def visit() -> Any:
        seen = dict(session)
        session["visits"] = seen.get("visits", 0) + 1
        return jsonify(seen)

    made = session_peer.run_h3(
        1, h3_options(), actions=[{"update": {"visits": 1}}]
    )
    client = app.test_client(use_cookies=False)
    response = client.get(
        "/",
        headers={"Cookie": browser_header(made["set_cookie"])},
        base_url="https://x/",
    )
    assert response.json == {"visits": 1}
    lines = response.headers.getlist("Set-Cookie")
    back = session_peer.run_h3(1, h3_options(), cookie=browser_header(lines))
    assert back["session_before"]["data"] == {"visits": 2}
    assert back["session_before"]["id"] == made["session_after"]["id"]
    with pytest.raises(TypeError):
        IronSessionInterface(PASSWORD, config=config(1))


DJANGO_CONFIG = h3_config(PASSWORD, ttl=3600)


def test_through_django_both_ways(session_peer):
    from tests.test_django import django_project

    with django_project(IRON_SESSION_CONFIG=f"{__name__}.DJANGO_CONFIG"):
        from django.test import Client

        made = session_peer.run_h3(
            2, h3_options(), actions=[{"update": {"count": 1}}]
        )
        response = Client().get(
            "/count", headers={"Cookie": browser_header(made["set_cookie"])}
        )
        assert response.json() == {"count": 2}
        lines = [m.OutputString() for m in response.cookies.values()]
    back = session_peer.run_h3(2, h3_options(), cookie=browser_header(lines))
    assert back["session_before"]["data"] == {"count": 2}
    assert back["session_before"]["id"] == made["session_after"]["id"]


def test_django_refuses_a_config_path_to_something_else():
    from tests.test_django import django_project

    with django_project(IRON_SESSION_CONFIG=f"{__name__}.PASSWORD"):
        from django.core.exceptions import ImproperlyConfigured

        from iron_fast.django.conf import session_config

        with pytest.raises(ImproperlyConfigured, match="SessionConfig"):
            session_config()


def test_an_envelope_that_is_not_one_is_refused_by_name():
    with pytest.raises(ConfigError) as info:
        SessionConfig(password=PASSWORD, cookie_name="s", envelope=object())
    assert info.value.option == "envelope"
    assert "wrap" in str(info.value)


def test_through_litestar_and_quart_both_ways(session_peer):
    try:
        from litestar.testing import TestClient
    except ImportError:
        require_or_skip("Litestar is not installed")
    try:
        import quart  # noqa: F401
    except ImportError:
        require_or_skip("Quart is not installed")
    from iron_fast.litestar import IronCookieBackendConfig
    from iron_fast.quart import IronSessionInterface
    from tests.test_litestar import make_app as litestar_app
    from tests.test_quart import make_app as quart_app

    made = session_peer.run_h3(
        2, h3_options(), actions=[{"update": {"count": 1}}]
    )
    cookie = {"Cookie": browser_header(made["set_cookie"])}
    app = litestar_app(IronCookieBackendConfig(config(2)))
    with TestClient(app, base_url="https://testserver.local") as client:
        response = client.get("/count", headers=cookie)
    assert response.json() == {"count": 2}
    lines = response.headers.get_list("set-cookie")
    back = session_peer.run_h3(2, h3_options(), cookie=browser_header(lines))
    assert back["session_before"]["data"] == {"count": 2}
    assert back["session_before"]["id"] == made["session_after"]["id"]

    async def through_quart() -> Any:
        client = quart_app(
            IronSessionInterface(config=config(2))
        ).test_client()
        return await client.get("/count", headers=cookie)

    response = asyncio.run(through_quart())
    assert await_json(response) == {"count": 2}
    lines = response.headers.getlist("Set-Cookie")
    back = session_peer.run_h3(2, h3_options(), cookie=browser_header(lines))
    assert back["session_before"]["data"] == {"count": 2}
    assert back["session_before"]["id"] == made["session_after"]["id"]


def await_json(response: Any) -> Any:
    import json

    return json.loads(asyncio.run(response.get_data()))
