# SPDX-License-Identifier: MIT
"""get_iron_session, IronSession and SessionConfig: iron-session's own test
suite ported to Python (v8.0.4 ``src/index.test.ts`` and the v9 tests of
the upstream repository), then what the port adds: cookie parsing, option
validation, chunking, rotation, the unseal-error hook and the modified
flag.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iron_fast import (
    BadSeal,
    ConfigError,
    CookieJar,
    CookieTooLarge,
    ExpiredSeal,
    HeaderCookieJar,
    IronError,
    IronSession,
    PasswordConfigError,
    PasswordError,
    SerializationError,
    SessionCodec,
    SessionConfig,
    SessionDestroyed,
    UnknownPassword,
    get_iron_session,
    seal_data,
    unseal_data,
)
from iron_fast.cookies import ResponseJar, get_cookie, parse_cookies
from tests.conftest import browser_header, hazardous_config
from tests.pinned import pinned

PASSWORD = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"
SECOND = "12345678901234567890123456789012"
ROTATED = "Ck7qLm2XvB9nR4tY6uI8oP0aS3dF5gH1"
DEFAULTS = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
DESTROY = "test=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
SALT_1 = "ab" * 32
SALT_2 = "cd" * 32
IV = bytes(range(16))


def options(**extra: Any) -> dict[str, Any]:
    return {"password": PASSWORD, "cookie_name": "test", **extra}


def make(**extra: Any) -> SessionConfig:
    config: SessionConfig = hazardous_config(**options(**extra))
    return config


def at(now_ms: int, **extra: Any) -> SessionCodec:
    """A configuration whose clock reads ``now_ms`` (iron-session's tests
    set ``Date.now``)."""
    return pinned(make(**extra), now_ms, SALT_1, SALT_2, IV)


def value_of(line: str) -> str:
    return line.split(";", 1)[0].split("=", 1)[1]


def request_cookie(jar: HeaderCookieJar, index: int = -1) -> str:
    """The ``Cookie`` header a browser sends back for one Set-Cookie."""
    return jar.set_cookies[index].split(";", 1)[0]


# --------------------------------------------------------------------------
# iron-session's test suite, ported.


def test_throws_without_a_jar() -> None:
    with pytest.raises(TypeError):
        get_iron_session()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="cookie jar"):
        get_iron_session({}, make())  # type: ignore[arg-type]


def test_throws_if_cookie_name_is_missing() -> None:
    with pytest.raises(ConfigError, match="cookie_name"):
        get_iron_session(HeaderCookieJar(), password=PASSWORD)


def test_throws_if_password_is_missing() -> None:
    with pytest.raises(PasswordConfigError, match="password is missing"):
        get_iron_session(HeaderCookieJar(), cookie_name="test")


def test_throws_if_password_is_shorter_than_32_characters() -> None:
    with pytest.raises(PasswordConfigError, match="at least 32 characters"):
        get_iron_session(
            HeaderCookieJar(),
            cookie_name="test",
            password="123456789012345678901234567890",
        )


def test_blank_session_if_no_cookie_is_set() -> None:
    session = get_iron_session(HeaderCookieJar(), make())
    assert session == {}
    assert isinstance(session, dict)
    assert session.modified is False


def test_save_sets_a_cookie() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1}
    session.save()
    assert len(jar.set_cookies) == 1
    assert re.fullmatch(
        r"test=.{265}; Max-Age=1209540; Path=/; HttpOnly; Secure; "
        r"SameSite=Lax",
        jar.set_cookies[0],
    )


def test_deleting_then_saving_session_data() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1}
    session.save()
    jar = HeaderCookieJar(request_cookie(jar))
    session = get_iron_session(jar, make())
    assert session == {"user": {"id": 1}}
    del session["user"]
    session.save()
    session = get_iron_session(HeaderCookieJar(request_cookie(jar)), make())
    assert session == {}


def test_max_age_is_large_if_ttl_is_0() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make(ttl=0))
    session["user"] = {"id": 1}
    session.save()
    assert "; Max-Age=2147483647;" in jar.set_cookies[0]
    assert value_of(jar.set_cookies[0]).split("*")[5] == ""  # no expiry


def test_respects_max_age_in_cookie_options() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make(cookie_options={"max_age": 60}))
    session["user"] = {"id": 1}
    session.save()
    assert "; Max-Age=60;" in jar.set_cookies[0]
    # The seal keeps the default ttl (iron-session keeps maxAge verbatim).
    assert value_of(jar.set_cookies[0]).split("*")[5] != ""


def test_no_max_age_for_session_cookies() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make(cookie_options={"max_age": None}))
    session["user"] = {"id": 1}
    session.save()
    assert "Max-Age" not in jar.set_cookies[0]
    assert jar.set_cookies[0].endswith(
        "; Path=/; HttpOnly; Secure; SameSite=Lax"
    )
    # ...and, as in iron-session, a seal that never expires.
    assert value_of(jar.set_cookies[0]).split("*")[5] == ""
    session.destroy()
    assert jar.set_cookies[-1] == DESTROY


def test_destroy_expires_the_cookie() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1}
    session.save()
    assert "; Max-Age=1209540;" in jar.set_cookies[0]
    assert session == {"user": {"id": 1}}
    session.destroy()
    assert session == {}
    assert jar.set_cookies[1] == DESTROY


def test_expired_seal_resets_the_session() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, at(0, ttl=60))
    session["user"] = {"id": 1}
    session.save()
    header = request_cookie(jar)
    reasons: list[tuple[str, type]] = []

    def hook(reason: str, error: Exception) -> None:
        reasons.append((reason, type(error)))

    # Valid until ttl + 60 s of skew.
    cfg = at(119_999, ttl=60, on_unseal_error=hook)
    assert get_iron_session(HeaderCookieJar(header), cfg) == {
        "user": {"id": 1}
    }
    cfg = at(120_000, ttl=60, on_unseal_error=hook)
    assert get_iron_session(HeaderCookieJar(header), cfg) == {}
    assert reasons == [("expired", ExpiredSeal)]


def test_save_refreshes_ttl_and_max_age() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, at(0, ttl=61))
    session["user"] = {"id": 1}
    session.save()
    assert "; Max-Age=1;" in jar.set_cookies[0]

    session = get_iron_session(
        HeaderCookieJar(request_cookie(jar)), at(120_000, ttl=61)
    )
    assert session == {"user": {"id": 1}}
    session._jar = jar  # the same response collects the refreshed cookie
    session.save()  # valid for another ttl + 60 s from now
    assert "; Max-Age=1;" in jar.set_cookies[1]

    session = get_iron_session(
        HeaderCookieJar(request_cookie(jar)), at(240_000, ttl=61)
    )
    assert session == {"user": {"id": 1}}  # not refreshed: it would be {}


def test_changed_password_resets_the_session() -> None:
    seal = seal_data({"user": {"id": 1}}, password=PASSWORD)
    reasons: list[str] = []
    session = get_iron_session(
        HeaderCookieJar(f"test={seal}"),
        password=SECOND,
        cookie_name="test",
        on_unseal_error=lambda reason, _: reasons.append(reason),
    )
    assert session == {}
    assert reasons == ["invalid"]


def test_decrypts_a_cookie_from_an_older_password() -> None:
    seal = seal_data({"user": {"id": 1}}, password=PASSWORD)
    session = get_iron_session(
        HeaderCookieJar(f"test={seal}"),
        password={2: SECOND, 1: PASSWORD},
        cookie_name="test",
    )
    assert session == {"user": {"id": 1}}


def test_cookie_length_too_big() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1, "meta": "0" * 3000}
    with pytest.raises(CookieTooLarge, match="too big"):
        session.save()
    assert jar.set_cookies == []


class SentJar(HeaderCookieJar):
    """A response whose headers are already on the wire."""

    def assert_writable(self) -> None:
        raise RuntimeError("session.save() was called after headers were sent")


def test_save_after_headers_sent() -> None:
    session = get_iron_session(SentJar(), make())
    session["user"] = {"id": 1}
    with pytest.raises(RuntimeError, match="after headers were sent"):
        session.save()


@pytest.mark.parametrize(
    "existing", [["existing=cookie"], ["existing=cookie", "existing2=cookie2"]]
)
def test_keeps_previously_set_cookies(existing: list[str]) -> None:
    jar = HeaderCookieJar(None, list(existing))
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1}
    session.save()
    assert jar.set_cookies[: len(existing)] == existing
    assert len(jar.set_cookies) == len(existing) + 1
    session.destroy()
    assert jar.set_cookies[: len(existing)] == existing
    assert jar.set_cookies[-1] == DESTROY


# A next-iron-session (pre-v8) seal, ttl 0: {persistent: {user: {id: 77}}}.
LEGACY = (
    "Fe26.2*1*1e2bacee1edffaeb4a9ba4a07dc36c2c60d20415a60ac1b901033af1f107"
    "ead5*LAC9Fn3BJ9ifKMhVL3pP5w*JHhcByIzk4ThLt9rUW-fDMrOwUT7htHy1uyqeOTIqr"
    "VwDJ0Bz7TOAwIz_Cos-ug3**7dfa11868bbcc4f7e118342c0280ff49ba4a7cc84c7039"
    "5bbc3d821a5f460174*6a8FkHxdg322jyym6PwJf3owz7pd6nq5ZIzyLHGVC0c"
)


def test_pre_v8_persistent_format_is_not_unwrapped() -> None:
    session = get_iron_session(HeaderCookieJar(f"test={LEGACY}"), make())
    assert session.get("user") is None
    assert session["persistent"] == {"user": {"id": 77}}


@pytest.mark.parametrize(
    "marker", ["~1", "~2", "~999", "~NaN", "~2abc", "", "~"]
)
def test_version_marker_cannot_reshape_the_session(marker: str) -> None:
    seal = seal_data({"user": {"id": 77}}, password=PASSWORD, ttl=0)
    header = f"test={seal.split('~')[0]}{marker}"
    session = get_iron_session(HeaderCookieJar(header), make(ttl=0))
    assert session == {"user": {"id": 77}}


def test_values_that_are_not_seals_start_a_fresh_session() -> None:
    reasons: list[str] = []
    cfg = make(on_unseal_error=lambda reason, _: reasons.append(reason))
    for value in [
        "a*b*c*d*e*f*g*h",  # wrong mac prefix
        "Fe26.2*1*aa*bb*cc*zz*dd*ee",  # invalid expiration
        "garbage",
        "~",
        "Fe26.2**",
    ]:
        session = get_iron_session(HeaderCookieJar(f"test={value}"), cfg)
        assert session == {}, value
    assert reasons == ["invalid"] * 5


def test_expired_and_unknown_password_reach_the_hook() -> None:
    seal = seal_data({"user": {"id": 1}}, password=PASSWORD, ttl=61)
    seen: list[tuple[str, UnknownPassword]] = []
    get_iron_session(
        HeaderCookieJar(f"test={seal}"),
        cookie_name="test",
        password={2: "Xf9wKqZ2mNvB7cJ4hR6tY8uI0oP3aS5d"},
        on_unseal_error=lambda reason, error: seen.append((reason, error)),
    )
    [(reason, error)] = seen
    assert reason == "unknown-password"
    assert isinstance(error, UnknownPassword)
    assert error.reason == "unknown-password"


def test_save_and_destroy_cannot_be_reassigned() -> None:
    session = get_iron_session(HeaderCookieJar(), make())
    with pytest.raises(AttributeError):
        session.save = lambda: None  # type: ignore[method-assign]
    with pytest.raises(AttributeError):
        session.destroy = lambda: None  # type: ignore[method-assign]


def test_update_config() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1}
    session.update_config(ttl=61, cookie_name="test2", password=PASSWORD)
    session.save()
    assert jar.set_cookies[0].startswith("test2=")
    assert "; Max-Age=1;" in jar.set_cookies[0]


def test_update_config_applies_a_new_password() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1}
    session.update_config(password=ROTATED)
    session.save()
    seal = value_of(jar.set_cookies[0])
    assert unseal_data(seal, password=ROTATED) == {"user": {"id": 1}}
    assert unseal_data(seal, password=PASSWORD) == {}


def test_update_config_validates_the_new_password() -> None:
    session = get_iron_session(HeaderCookieJar(), make())
    with pytest.raises(PasswordConfigError, match="at least 32 characters"):
        session.update_config(password="too-short")
    assert session.config.password_ids == (1,)  # unchanged


def test_refuses_to_save_a_destroyed_session_with_data() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["user"] = {"id": 1}
    session.save()
    session.destroy()
    session.save()  # bare save after destroy: a no-op (iron-session 9.0.1)
    session["user"] = {"id": 1}
    with pytest.raises(SessionDestroyed, match="destroyed session"):
        session.save()
    assert jar.set_cookies[-1] == DESTROY
    assert len(jar.set_cookies) == 2


def test_rejects_expires_in_the_past() -> None:
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    with pytest.raises(ConfigError, match="expires'] is in the past"):
        get_iron_session(
            HeaderCookieJar(), **options(cookie_options={"expires": past})
        )


def test_expires_that_drifted_into_the_past_fails_at_save() -> None:
    expires = datetime.now(timezone.utc) + timedelta(days=1)
    cfg = make(cookie_options={"expires": expires})
    later = pinned(
        cfg, int(expires.timestamp() * 1000) + 1, SALT_1, SALT_2, IV
    )
    jar = HeaderCookieJar()
    session = get_iron_session(jar, later)
    session["user"] = {"id": 1}
    with pytest.raises(ConfigError, match="in the past") as caught:
        session.save()
    assert caught.value.option == "cookie_options['expires']"
    assert jar.set_cookies == []


def test_round_trip_through_headers() -> None:
    # "should work with standard web Request/Response APIs"
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    assert session == {}
    session["user"] = {"id": 1}
    session.save()
    assert re.fullmatch(
        r"test=.{265}" + re.escape(DEFAULTS), jar.set_cookies[0]
    )
    again = get_iron_session(HeaderCookieJar(request_cookie(jar)), make())
    assert again == {"user": {"id": 1}}


class StoreJar:
    """iron-session's fake cookie store (Next.js ``cookies()``): cookies
    by name, every write recorded and visible to later reads."""

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self.cookies = dict(initial or {})
        self.sets: list[tuple[str, str, str]] = []

    def read(self, name: str) -> str | None:
        return self.cookies.get(name)

    def write(self, name: str, value: str, set_cookie: str) -> None:
        self.cookies[name] = value
        self.sets.append((name, value, set_cookie))


def test_store_jar_round_trip_and_default_options() -> None:
    store = StoreJar()
    assert isinstance(store, CookieJar)
    session = get_iron_session(store, make())
    assert session == {}
    session["user"] = {"id": 42}
    session.save()
    [(name, value, line)] = store.sets
    assert name == "test"
    assert line == f"test={value}{DEFAULTS}"
    assert get_iron_session(store, make()) == {"user": {"id": 42}}


def test_store_jar_destroy_expires_the_cookie() -> None:
    store = StoreJar()
    session = get_iron_session(store, make())
    session["user"] = {"id": 1}
    session.save()
    session.destroy()
    assert store.sets[-1] == ("test", "", DESTROY)


def test_store_jar_tampered_cookie_resets() -> None:
    seal = seal_data({"user": {"id": 1}}, password=PASSWORD)
    middle = len(seal) // 2
    flipped = "b" if seal[middle] == "a" else "a"
    tampered = seal[:middle] + flipped + seal[middle + 1 :]
    reasons: list[str] = []
    session = get_iron_session(
        StoreJar({"test": tampered}),
        make(on_unseal_error=lambda reason, _: reasons.append(reason)),
    )
    assert session == {}
    assert reasons == ["invalid"]


def test_store_jar_measures_the_real_cookie_size() -> None:
    session = get_iron_session(StoreJar(), make())
    session["blob"] = "a" * 4096
    with pytest.raises(CookieTooLarge, match="too big"):
        session.save()


def test_jar_writing_to_response_and_request() -> None:
    # nextProxyCookies: the write also reaches the request, so a second
    # session opened later in the same request sees the new value.
    request, response = StoreJar(), StoreJar()

    class ProxyJar:
        def read(self, name: str) -> str | None:
            return request.read(name)

        def write(self, name: str, value: str, set_cookie: str) -> None:
            response.write(name, value, set_cookie)
            request.write(name, value, "")

    session = get_iron_session(ProxyJar(), make())
    session["user"] = {"id": 7}
    session.save()
    assert len(response.sets) == 1
    assert len(request.sets) == 1
    assert get_iron_session(ProxyJar(), make()) == {"user": {"id": 7}}


def test_destroy_after_headers_sent_raises_and_keeps_data() -> None:
    # Stricter than iron-session: a logout whose cookie is dropped
    # would leave the user signed in, so destroy() checks too.
    session = get_iron_session(SentJar(), make())
    session["user"] = {"id": 1}
    with pytest.raises(RuntimeError):
        session.destroy()
    assert session == {"user": {"id": 1}}
    assert not session.destroyed


# --------------------------------------------------------------------------
# Cookie header parsing (cookie@2 parseCookie).


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("a", None),
        ("test=1", "1"),
        ("a=1; test=2; b=3", "2"),
        ("test=1; test=2", "1"),  # first occurrence wins
        ("  test  =  1  ", "1"),  # spaces and tabs trimmed
        ("\ttest=\t1\t", "1"),
        ("test=", ""),
        ("test", None),  # no '=': not a pair
        ("x; test=1", "1"),  # a segment without '=' is skipped
        ("foo=test; test=9", "9"),  # the name inside another value
        ("test=a=b", "a=b"),  # only the first '=' splits
        ('test="quoted"', '"quoted"'),  # cookie@2 keeps quotes
        ("test=%41%42", "AB"),
        ("test=%C3%A9t%C3%A9", "été"),
        ("test=%25", "%"),
        ("test=100%", "100%"),  # would throw in decodeURIComponent: raw
        ("test=%ZZ", "%ZZ"),
        ("test=%C3", "%C3"),  # incomplete UTF-8: raw
        ("test=%ED%A0%80", "%ED%A0%80"),  # an encoded surrogate: raw
        ("test=%C3%A9%", "%C3%A9%"),
        ("Test=1", None),  # names are case-sensitive
        ("test.0=1", None),
    ],
)
def test_get_cookie(header: str, expected: str | None) -> None:
    assert get_cookie(header, "test") == expected
    assert parse_cookies(header).get("test") == expected


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list('test=; \t%41xé"')), max_size=40))
def test_get_cookie_finds_what_parse_cookies_finds(header: str) -> None:
    # get_cookie scans for one name; parse_cookies splits every pair.
    for name in ("test", "t", "x", "te st"):
        assert get_cookie(header, name) == parse_cookies(header).get(name)


_HEADER_CHARS = list("test=; \t%.aé\u2603\U0001f600")


@settings(max_examples=2000, deadline=None)
@given(
    st.text(st.sampled_from(_HEADER_CHARS), max_size=60),
    st.text(st.sampled_from(list("tes.a")), min_size=1, max_size=5),
)
def test_cookie_scan_is_the_header_parse(header: str, name: str) -> None:
    # get_cookie (the native scan and decoding of _core.get_cookie) is
    # parse_cookies' answer for one name: the same value or the same None,
    # for overlapping, empty and blank-holding pairs alike.
    assert get_cookie(header, name) == parse_cookies(header).get(name)


def test_get_cookie_of_text_that_is_not_utf8_is_none() -> None:
    # A lone surrogate cannot come from a server (headers are bytes): such
    # text holds no cookie, and the session is empty.
    header = "a=\ud800; test=1"
    assert get_cookie(header, "test") is None
    assert get_cookie("test=1", "\ud800") is None
    assert ResponseJar(header).read("test") is None
    assert HeaderCookieJar(header).read("test") is None


def test_get_cookie_does_not_decode_what_no_session_holds() -> None:
    # A percent-encoded value longer than four chunks is not a session:
    # it is not decoded (a 10 MB header would take seconds and MiBs).
    huge = "%41" * 20_000
    assert get_cookie(f"test={huge}", "test") is None
    assert get_cookie("test=%41%42", "test") == "AB"


def test_parse_cookies() -> None:
    assert parse_cookies("a=1; b=%20; a=2; c; =e; d=") == {
        "a": "1",
        "b": " ",
        "": "e",
        "d": "",
    }


def test_header_jar_accepts_bytes() -> None:
    seal = seal_data({"n": 1}, password=PASSWORD)
    jar = HeaderCookieJar(f"test={seal}".encode())
    assert get_iron_session(jar, make()) == {"n": 1}
    assert "set_cookies=<0 lines>" in repr(jar)


# --------------------------------------------------------------------------
# Options.


def test_config_is_immutable_and_hides_secrets() -> None:
    cfg = make()
    with pytest.raises(AttributeError):
        cfg.ttl = 5  # type: ignore[misc]
    assert PASSWORD not in repr(cfg)
    assert "cookie_name='test'" in repr(cfg)
    assert cfg.cookie_options["samesite"] == "lax"
    assert cfg.max_age == 1209540


def test_every_attribute_in_cookie2_order() -> None:
    cfg = make(
        ttl=160,
        cookie_options={
            "domain": "example.com",
            "path": "/app",
            "expires": datetime(2100, 1, 1, tzinfo=timezone.utc),
            "httponly": True,
            "secure": True,
            "partitioned": True,
            "priority": "HIGH",
            "samesite": "None",
        },
    )
    jar = HeaderCookieJar()
    session = get_iron_session(jar, cfg)
    session["a"] = 1
    session.save()
    session.destroy()
    attrs = (
        "; Domain=example.com; Path=/app; Expires=Fri, 01 Jan 2100 00:00:00 "
        "GMT; HttpOnly; Secure; Partitioned; Priority=High; SameSite=None"
    )
    assert jar.set_cookies[0].endswith("; Max-Age=100" + attrs)
    assert jar.set_cookies[1] == "test=; Max-Age=0" + attrs


@pytest.mark.parametrize(
    ("cookie_options", "suffix"),
    [
        (
            {"samesite": True},
            "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Strict",
        ),
        ({"samesite": None}, "; Max-Age=1209540; Path=/; HttpOnly; Secure"),
        (
            {"samesite": False, "secure": False, "httponly": None},
            "; Max-Age=1209540; Path=/",
        ),
        ({"path": None}, "; Max-Age=1209540; HttpOnly; Secure; SameSite=Lax"),
        (
            {"priority": "low"},
            "; Max-Age=1209540; Path=/; HttpOnly; Secure; Priority=Low"
            "; SameSite=Lax",
        ),
        (
            {"domain": ".Example.org"},
            "; Max-Age=1209540; Domain=.Example.org; Path=/; HttpOnly"
            "; Secure; SameSite=Lax",
        ),
        (
            {"max_age": -5},
            "; Max-Age=-5; Path=/; HttpOnly; Secure; SameSite=Lax",
        ),
        (
            {"expires": datetime(2100, 6, 30, 12, 1, 2, 999000)},
            "; Max-Age=1209540; Path=/; Expires=Wed, 30 Jun 2100 12:01:02"
            " GMT; HttpOnly; Secure; SameSite=Lax",
        ),
    ],
)
def test_cookie_options(cookie_options: dict[str, Any], suffix: str) -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make(cookie_options=cookie_options))
    session.save()
    assert jar.set_cookies[0].endswith(suffix)
    assert jar.set_cookies[0].count(";") == suffix.count(";")


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        ({"cookie_name": "a;b"}, "cookie_name"),
        ({"cookie_name": "a=b"}, "cookie_name"),
        ({"cookie_name": "café"}, "cookie_name"),
        ({"cookie_name": b"test"}, "cookie_name"),
        ({"ttl": -1}, "ttl"),
        ({"ttl": True}, "ttl"),
        ({"ttl": "60"}, "ttl"),
        ({"ttl": 2**60}, "ttl"),
        ({"ttl": timedelta(seconds=1.5)}, "ttl"),
        ({"chunk": 1}, "chunk"),
        ({"on_unseal_error": "log"}, "on_unseal_error"),
        ({"cookie_options": [("path", "/")]}, "cookie_options"),
        ({"cookie_options": {"httpOnly": True}}, "cookie_options['httpOnly']"),
        ({"cookie_options": {"secure": "false"}}, "cookie_options['secure']"),
        ({"cookie_options": {"max_age": 1.5}}, "cookie_options['max_age']"),
        ({"cookie_options": {"max_age": False}}, "cookie_options['max_age']"),
        (
            {"cookie_options": {"domain": "-bad-.com"}},
            "cookie_options['domain']",
        ),
        ({"cookie_options": {"domain": "a b"}}, "cookie_options['domain']"),
        ({"cookie_options": {"path": "/a;b"}}, "cookie_options['path']"),
        ({"cookie_options": {"path": "/é"}}, "cookie_options['path']"),
        ({"cookie_options": {"expires": 1234}}, "cookie_options['expires']"),
        (
            {"cookie_options": {"expires": datetime(1600, 1, 1)}},
            "cookie_options['expires']",
        ),
        (
            {"cookie_options": {"priority": "urgent"}},
            "cookie_options['priority']",
        ),
        (
            {"cookie_options": {"samesite": "loose"}},
            "cookie_options['samesite']",
        ),
        (
            {"cookie_options": {"samesite": "none", "secure": False}},
            "cookie_options['samesite']",
        ),
        (
            {"cookie_options": {"partitioned": True, "secure": False}},
            "cookie_options['partitioned']",
        ),
    ],
)
def test_bad_options(extra: dict[str, Any], option: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make(**extra)
    assert caught.value.option == option
    assert isinstance(caught.value, IronError)


def test_unknown_cookie_option_suggests_the_python_name() -> None:
    with pytest.raises(ConfigError, match="did you mean 'samesite'"):
        make(cookie_options={"sameSite": "lax"})


@pytest.mark.parametrize(
    "password",
    [
        {"01": PASSWORD},
        {"-1": PASSWORD},
        {-1: PASSWORD},
        {"1e3": PASSWORD},
        {"abc": PASSWORD},
        {"": PASSWORD},
        {True: PASSWORD},
        {1.0: PASSWORD},
        {2**53: PASSWORD},
        {1: PASSWORD, "1": SECOND},  # the same id twice
        {1: b"k" * 32},
        {1: None},
        {},
        b"k" * 32,
        "",
        None,
        ["a"],
        "x" * 31,
        "é" * 31,
        "🔑" * 15,  # 30 UTF-16 code units
    ],
)
def test_bad_passwords(password: Any) -> None:
    with pytest.raises(PasswordConfigError) as caught:
        make(password=password)
    assert caught.value.option == "password"
    assert isinstance(caught.value, PasswordError)
    assert isinstance(caught.value, ConfigError)
    if isinstance(password, str) and password:
        assert password not in str(caught.value)


@pytest.mark.parametrize(
    "password",
    [
        "k" * 32,  # not "x" * 32: the README's example, which is refused
        "🔑" * 16,  # 32 UTF-16 code units, as JavaScript counts
        {1: PASSWORD},
        {"7": PASSWORD, 3: SECOND},
        {0: PASSWORD},
    ],
)
def test_good_passwords(password: Any) -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make(password=password))
    session["ok"] = True
    session.save()
    again = get_iron_session(
        HeaderCookieJar(request_cookie(jar)), make(password=password)
    )
    assert again == {"ok": True}


def test_ttl_as_timedelta() -> None:
    assert make(ttl=timedelta(hours=1)).ttl == 3600
    assert make(ttl=timedelta(hours=1)).max_age == 3540


@pytest.mark.parametrize(
    ("ttl", "max_age"),
    [(0, 2147483647), (1, 1), (60, 60), (61, 1), (3600, 3540)],
)
def test_max_age_rule(ttl: int, max_age: int) -> None:
    assert make(ttl=ttl).max_age == max_age


def test_options_passed_per_call_compile_once() -> None:
    first = get_iron_session(HeaderCookieJar(), **options(ttl=77))
    second = get_iron_session(HeaderCookieJar(), **options(ttl=77))
    assert first.config is second.config
    other = get_iron_session(HeaderCookieJar(), **options(ttl=78))
    assert other.config is not first.config


def test_options_are_not_confused_by_equal_values_of_other_types() -> None:
    get_iron_session(HeaderCookieJar(), **options(ttl=1))
    with pytest.raises(ConfigError):
        get_iron_session(HeaderCookieJar(), **options(ttl=True))


def test_config_and_options_together_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        get_iron_session(HeaderCookieJar(), make(), ttl=5)
    with pytest.raises(TypeError):
        get_iron_session(HeaderCookieJar(), **options(pasword="x"))


def test_replace_keeps_the_other_options() -> None:
    cfg = make(ttl=100, chunk=True, cookie_options={"path": "/x"})
    new = cfg.replace(cookie_name="other")
    assert (new.cookie_name, new.ttl, new.chunk) == ("other", 100, True)
    assert new.cookie_options["path"] == "/x"
    assert cfg.cookie_name == "test"
    with pytest.raises(TypeError, match="unknown session option"):
        cfg.replace(colour="red")


def test_update_config_with_a_config_object() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["a"] = 1
    session.update_config(make(cookie_name="renamed"))
    session.save()
    assert jar.set_cookies[0].startswith("renamed=")
    with pytest.raises(TypeError):
        session.update_config()
    with pytest.raises(TypeError):
        session.update_config(make(), ttl=1)


# --------------------------------------------------------------------------
# The session object.


def test_modified_flag() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    assert not session.modified
    session.setdefault("a", 1)
    assert session.modified
    session.save()
    assert not session.modified
    session.setdefault("a", 2)  # present: no change
    session.pop("missing", None)
    session.clear()
    session.get("a")
    assert session == {}
    assert session.modified  # clear() removed "a"
    session.modified = False
    session.clear()  # already empty
    assert not session.modified
    for change in (
        lambda s: s.__setitem__("k", 1),
        lambda s: s.__delitem__("k"),
        lambda s: s.update(k=2),
        lambda s: s.pop("k"),
        lambda s: s.update({"k": 3}),
        lambda s: s.popitem(),
        lambda s: s.__ior__({"k": 4}),
    ):
        session.modified = False
        change(session)
        assert session.modified


def test_session_is_a_plain_dict_to_the_outside() -> None:
    import copy
    import json

    session = get_iron_session(HeaderCookieJar(), make())
    session |= {"b": [1, 2], "a": {"x": None}}
    assert isinstance(session, IronSession)
    assert json.loads(json.dumps(session)) == {"b": [1, 2], "a": {"x": None}}
    assert dict(session) == {**session}
    assert type(session.copy()) is dict
    assert copy.deepcopy(dict(session)) == session


def test_non_json_data_is_refused_and_nothing_written() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make())
    session["at"] = datetime.now(timezone.utc)
    with pytest.raises(SerializationError):
        session.save()
    assert jar.set_cookies == []
    assert session.modified


def test_each_save_reseals_with_a_fresh_expiry() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, at(1_000_000, ttl=100))
    session["n"] = 1
    session.save()
    session.update_config(at(5_000_000, ttl=100))
    session.save()
    expiries = [value_of(line).split("*")[5] for line in jar.set_cookies]
    assert expiries == ["1100000", "5100000"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [([1, 2], "invalid"), ("text", "invalid"), (42, "invalid"), (None, None)],
)
def test_seal_of_a_non_object(value: Any, reason: str | None) -> None:
    seal = seal_data(value, password=PASSWORD)
    seen: list[tuple[str, Exception]] = []
    cfg = make(on_unseal_error=lambda r, e: seen.append((r, e)))
    session = get_iron_session(HeaderCookieJar(f"test={seal}"), cfg)
    assert session == {}
    if reason is None:
        assert seen == []
    else:
        [(got, error)] = seen
        assert got == reason
        assert isinstance(error, BadSeal)


def test_hook_not_called_for_good_or_absent_cookies() -> None:
    seen: list[str] = []
    cfg = make(on_unseal_error=lambda r, _: seen.append(r))
    seal = seal_data({"a": 1}, password=PASSWORD)
    assert get_iron_session(HeaderCookieJar(f"test={seal}"), cfg) == {"a": 1}
    assert get_iron_session(HeaderCookieJar("other=1"), cfg) == {}
    assert get_iron_session(HeaderCookieJar("test="), cfg) == {}
    assert seen == []


def test_hook_error_is_precise() -> None:
    errors: list[Exception] = []
    cfg = make(on_unseal_error=lambda _, e: errors.append(e))
    get_iron_session(HeaderCookieJar("test=Fe26.1*1*a*b*c*d*e*f"), cfg)
    [error] = errors
    assert isinstance(error, BadSeal)
    assert error.reason == "invalid"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(list('test=.0123;% \t"*~Fe26abcXYZ\u00e9\x00\x7f')),
        max_size=80,
    )
)
def test_reading_never_raises(header: str) -> None:
    seen: list[str] = []
    cfg = make(on_unseal_error=lambda r, _: seen.append(r))
    session = get_iron_session(HeaderCookieJar(header), cfg)
    assert session == {}
    assert set(seen) <= {"invalid"}


# --------------------------------------------------------------------------
# Chunking (iron-session 9's chunk option).


def big_session(jar: CookieJar, size: int, **extra: Any) -> IronSession:
    session = get_iron_session(jar, make(chunk=True, **extra))
    session["blob"] = "x" * size
    return session


def test_chunks_round_trip_and_fit_4096_bytes() -> None:
    jar = HeaderCookieJar()
    big_session(jar, 7000).save()
    names = [line.split("=", 1)[0] for line in jar.set_cookies]
    assert names == ["test.0", "test.1", "test.2"]
    assert all(len(line.encode()) <= 4096 for line in jar.set_cookies)
    assert all(line.endswith(DEFAULTS) for line in jar.set_cookies)
    header = browser_header(jar.set_cookies, {})
    # Reading works whatever the chunk setting, so turning it off does
    # not sign anyone out.
    for chunk in (True, False):
        session = get_iron_session(HeaderCookieJar(header), make(chunk=chunk))
        assert session == {"blob": "x" * 7000}


def test_more_than_four_chunks_is_refused() -> None:
    jar = HeaderCookieJar()
    session = big_session(jar, 13_000)
    with pytest.raises(CookieTooLarge, match="maximum is 4") as caught:
        session.save()
    assert caught.value.size > 4 * 4096
    assert jar.set_cookies == []


def test_long_cookie_name_leaves_no_room_for_chunks() -> None:
    name = "n" * 4050
    session = get_iron_session(
        HeaderCookieJar(), **options(cookie_name=name, chunk=True)
    )
    with pytest.raises(CookieTooLarge, match="shorter cookie name"):
        session.save()


def test_shrinking_expires_stale_chunks() -> None:
    browser: dict[str, str] = {}
    jar = HeaderCookieJar()
    big_session(jar, 7000).save()
    header = browser_header(jar.set_cookies, browser)

    jar = HeaderCookieJar(header)
    session = get_iron_session(jar, make(chunk=True))
    session["blob"] = "y" * 5000  # two chunks now
    session.save()
    assert [line.split(";")[0].split("=")[0] for line in jar.set_cookies] == [
        "test.0",
        "test.1",
        "test.2",
    ]
    assert jar.set_cookies[2] == DESTROY.replace("test=", "test.2=")

    header = browser_header(jar.set_cookies, browser)
    jar = HeaderCookieJar(header)
    session = get_iron_session(jar, make(chunk=True))
    assert session == {"blob": "y" * 5000}
    session["blob"] = "small"  # one whole cookie now
    session.save()
    assert jar.set_cookies[0].startswith("test=Fe26.2*")
    assert jar.set_cookies[1:] == [
        DESTROY.replace("test=", "test.0="),
        DESTROY.replace("test=", "test.1="),
    ]
    header = browser_header(jar.set_cookies, browser)
    assert set(browser) == {"test"}
    assert get_iron_session(HeaderCookieJar(header), make()) == {
        "blob": "small"
    }


def test_growing_expires_the_whole_cookie() -> None:
    seal = seal_data({"a": 1}, password=PASSWORD)
    jar = HeaderCookieJar(f"test={seal}")
    session = big_session(jar, 5000)
    session.save()
    assert [line.split("=")[0] for line in jar.set_cookies] == [
        "test.0",
        "test.1",
        "test",
    ]
    assert jar.set_cookies[-1] == DESTROY


def test_destroy_expires_every_chunk_present() -> None:
    jar = HeaderCookieJar()
    big_session(jar, 7000).save()
    header = browser_header(jar.set_cookies, {})
    jar = HeaderCookieJar(header)
    session = get_iron_session(jar, make(chunk=True))
    assert session
    session.destroy()
    assert jar.set_cookies == [
        DESTROY,
        DESTROY.replace("test=", "test.0="),
        DESTROY.replace("test=", "test.1="),
        DESTROY.replace("test=", "test.2="),
    ]


def test_reading_chunks_stops_at_the_first_gap() -> None:
    jar = HeaderCookieJar()
    big_session(jar, 7000).save()
    parts = {line.split("=")[0]: value_of(line) for line in jar.set_cookies}
    reasons: list[str] = []
    cfg = make(chunk=True, on_unseal_error=lambda r, _: reasons.append(r))
    header = f"test.0={parts['test.0']}; test.2={parts['test.2']}"
    assert get_iron_session(HeaderCookieJar(header), cfg) == {}
    # Reordered chunks fail the MAC too.
    header = (
        f"test.0={parts['test.1']}; test.1={parts['test.0']}; "
        f"test.2={parts['test.2']}"
    )
    assert get_iron_session(HeaderCookieJar(header), cfg) == {}
    assert reasons == ["invalid", "invalid"]


def test_whole_cookie_wins_over_chunks() -> None:
    seal = seal_data({"whole": True}, password=PASSWORD)
    header = f"test.0=junk; test={seal}"
    assert get_iron_session(HeaderCookieJar(header), make()) == {"whole": True}


def test_too_big_without_chunk_says_the_session_was_chunked() -> None:
    jar = HeaderCookieJar()
    big_session(jar, 6000).save()
    header = browser_header(jar.set_cookies, {})
    session = get_iron_session(HeaderCookieJar(header), make())
    assert session == {"blob": "x" * 6000}
    with pytest.raises(CookieTooLarge, match="already stored across several"):
        session.save()


def test_the_limit_is_4096_bytes_of_the_whole_line() -> None:
    # Around the limit: every line written fits, every refusal reports
    # the size the whole line would have had, and both happen.
    written, refused = [], []
    for n in range(2800, 2900):
        jar = HeaderCookieJar()
        session = get_iron_session(jar, make())
        session["b"] = "x" * n
        try:
            session.save()
        except CookieTooLarge as error:
            refused.append(error.size)
        else:
            written.append(len(jar.set_cookies[0].encode()))
    assert written
    assert refused
    assert max(written) <= 4096 < min(refused)


# --------------------------------------------------------------------------
# Key rotation, end to end.


def test_rotation_reseals_with_the_newest_id() -> None:
    old = {1: PASSWORD}
    rotated = {1: PASSWORD, 2: SECOND}
    jar = HeaderCookieJar()
    session = get_iron_session(jar, make(password=old))
    session["user"] = {"id": 1}
    session.save()
    assert value_of(jar.set_cookies[0]).split("*")[1] == "1"

    jar = HeaderCookieJar(request_cookie(jar))
    session = get_iron_session(jar, make(password=rotated))
    assert session == {"user": {"id": 1}}
    session.save()
    assert value_of(jar.set_cookies[0]).split("*")[1] == "2"

    # Once every cookie is re-sealed, the old secret can go.
    final = get_iron_session(
        HeaderCookieJar(request_cookie(jar)), make(password={2: SECOND})
    )
    assert final == {"user": {"id": 1}}


def test_threads_share_one_config() -> None:
    from concurrent.futures import ThreadPoolExecutor

    cfg = make()

    def one(i: int) -> bool:
        jar = HeaderCookieJar()
        session = get_iron_session(jar, cfg)
        session["i"] = i
        session.save()
        back = get_iron_session(HeaderCookieJar(request_cookie(jar)), cfg)
        return back == {"i": i}

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(one, range(200)))


def test_the_typed_options_are_the_constructor_s() -> None:
    # SessionOptions (the adapters' **options) and SessionConfig's keyword
    # arguments are one list of names: a new option goes in both.
    from iron_fast.session_config import OPTION_NAMES, SessionOptions

    assert set(SessionOptions.__annotations__) == OPTION_NAMES


def test_a_config_that_failed_half_way_still_has_a_repr() -> None:
    # traceback.TracebackException(capture_locals=True) reprs the frame's
    # half-built ``self``: it must not raise there.
    import traceback

    try:
        SessionConfig(cookie_name="s", password="short")
    except ConfigError as error:
        text = "".join(
            traceback.TracebackException.from_exception(
                error, capture_locals=True
            ).format()
        )
    assert "self = SessionConfig(cookie_name='<unset>'" in text


def test_the_codec_names_the_cookies_the_request_sent() -> None:
    codec = make(chunk=True).codec
    jar = HeaderCookieJar()
    codec.save(jar, {"blob": "x" * 5000})
    header = "; ".join(line.split(";", 1)[0] for line in jar.set_cookies)
    sent = HeaderCookieJar(f"other=1; {header}")
    assert codec.sent_cookies(sent) == ["test.0", "test.1"]
    assert codec.request_seal(sent) == "".join(
        value_of(line) for line in jar.set_cookies
    )
    assert codec.sent_cookies(HeaderCookieJar("test=abc")) == ["test"]
    assert codec.sent_cookies(HeaderCookieJar("test.1=abc")) == []


def test_the_jars_reprs_show_sizes_never_a_seal() -> None:
    seal = seal_data({"user": 1}, password=PASSWORD)
    jar = ResponseJar(f"session={seal}")
    config = SessionConfig(password=PASSWORD, cookie_name="session")
    session = IronSession(jar, config.codec)
    session["user"] = 2
    session.save()
    plain = HeaderCookieJar(f"session={seal}")
    for shown in (repr(jar), repr(plain)):
        assert seal not in shown and "Fe26.2" not in shown
    assert repr(jar).startswith("ResponseJar(cookie_header=<")
    assert "lines=<1>" in repr(jar)
