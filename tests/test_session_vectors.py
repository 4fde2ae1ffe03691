# SPDX-License-Identifier: MIT
"""Every scenario of tests/vectors/session.json (getIronSession under the
real iron-session 8 and 9, clock pinned, salts and IV fixed), reproduced
with get_iron_session; where v8 and v9 differ, the v9 outcome.

Errors are compared by type and by the facts in them (sizes, dates, the
option named), not by iron-session's wording.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from iron_fast import (
    ConfigError,
    CookieTooLarge,
    HeaderCookieJar,
    PasswordConfigError,
    SessionCodec,
    SessionDestroyed,
    get_iron_session,
)
from tests.conftest import hazardous_config
from tests.pinned import pinned

VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "session.json").read_text("utf-8")
)
V9 = "iron-session@9.0.1"
PASSWORD = VECTORS["password"]
# The second password of the update_config_new_password scenario (the
# vector names it P2; it is the rotation secret used by unseal.json).
PASSWORD_2 = "second-password-0123456789-abcdefghij"
PIN = (
    VECTORS["clock_ms"],
    VECTORS["encryption_salt"],
    VECTORS["hmac_salt"],
    bytes.fromhex(VECTORS["iv_hex"]),
)
SCENARIOS = {s["name"]: s for s in VECTORS["scenarios"]}
CONFIG_ERRORS = {s["name"]: s for s in VECTORS["config_errors"]}
DEFAULT_ATTRS = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
DESTROY = "test=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"

# Every scenario name this module checks; test_all_scenarios_covered
# fails when the vector file grows one nobody reproduces.
COVERED: set[str] = set()


def covers(*names: str) -> Any:
    COVERED.update(names)
    return lambda test: test


def v9(name: str) -> dict[str, Any]:
    return SCENARIOS[name][V9]


def config(**options: Any) -> SessionCodec:
    """The scenario's configuration, deterministic (pinned clock, fixed
    salts and IV)."""
    options = {"password": PASSWORD, "cookie_name": "test", **options}
    return pinned(hazardous_config(**options), *PIN)


def cookie_value(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def test_all_scenarios_covered() -> None:
    assert set(SCENARIOS) | set(CONFIG_ERRORS) <= COVERED


@covers("save_default_options", "web_request_response")
def test_save_default_options() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config())
    assert session == {}
    session["user"] = {"id": 1}
    session.save()
    assert jar.set_cookies == v9("save_default_options")["set_cookie"]
    session.destroy()
    assert jar.set_cookies == v9("web_request_response")["set_cookie"]


@covers(
    "save_ttl_0", "save_ttl_30", "save_ttl_60", "save_ttl_61", "save_ttl_3600"
)
@pytest.mark.parametrize("ttl", [0, 30, 60, 61, 3600])
def test_save_ttl(ttl: int) -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config(ttl=ttl))
    session["user"] = {"id": 1}
    session.save()
    assert jar.set_cookies == v9(f"save_ttl_{ttl}")["set_cookie"]


@covers("save_ttl_fractional_61_5")
def test_fractional_ttl_is_refused_when_configuring() -> None:
    # v9 fails at save ("cookie maxAge is invalid: 1.5"); a whole number
    # of seconds is checked when the configuration is built instead.
    assert v9("save_ttl_fractional_61_5")["error_name"] == "TypeError"
    with pytest.raises(ConfigError) as caught:
        config(ttl=61.5)
    assert caught.value.option == "ttl"
    assert "61.5" in str(caught.value)


@covers("save_expires_in_past")
def test_expires_in_the_past() -> None:
    assert "(1970-01-01T00:00:00.000Z)" in v9("save_expires_in_past")["throws"]
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(ConfigError) as caught:
        config(cookie_options={"expires": epoch})
    assert caught.value.option == "cookie_options['expires']"
    assert "(1970-01-01T00:00:00.000Z)" in str(caught.value)
    assert "ttl" in str(caught.value)


@covers("read_then_destroy")
def test_read_then_destroy() -> None:
    expected = v9("read_then_destroy")
    jar = HeaderCookieJar(expected["cookie_in"])  # a Cookie header
    session = get_iron_session(jar, config())
    assert session == expected["session_before"]
    session.destroy()
    assert session == expected["session_after"]
    assert jar.set_cookies == expected["set_cookie"]


@covers("destroy_then_bare_save")
def test_destroy_then_bare_save_is_a_no_op() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config())
    session.destroy()
    session.save()
    assert jar.set_cookies == v9("destroy_then_bare_save")["set_cookie"]


@covers("destroy_then_write_then_save")
def test_destroy_then_write_then_save_raises() -> None:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config())
    session.destroy()
    session["user"] = {"id": 2}
    with pytest.raises(SessionDestroyed, match="destroyed session"):
        session.save()
    assert jar.set_cookies == [DESTROY]  # nothing after the deletion


@covers("merge_existing_set_cookie_string")
def test_keeps_set_cookie_lines_already_there() -> None:
    expected = v9("merge_existing_set_cookie_string")
    jar = HeaderCookieJar(None, ["existing=cookie"])
    session = get_iron_session(jar, config())
    session["user"] = {"id": 1}
    session.save()
    assert jar.set_cookies == expected["after_save"]
    session.destroy()
    assert jar.set_cookies == expected["after_destroy"]


@covers("merge_existing_set_cookie_array")
def test_keeps_several_set_cookie_lines_already_there() -> None:
    jar = HeaderCookieJar(None, ["a=1", "b=2"])
    session = get_iron_session(jar, config())
    session["user"] = {"id": 1}
    session.save()
    assert (
        jar.set_cookies == v9("merge_existing_set_cookie_array")["set_cookie"]
    )


def _expected_size(message: str) -> int:
    return int(message.split("too big (", 1)[1].split(" bytes", 1)[0])


@covers("cookie_too_big_req_res", "cookie_too_big_cookie_store")
@pytest.mark.parametrize("adapter", ["req_res", "cookie_store"])
@pytest.mark.parametrize("length", ["2900", "3000", "3100"])
def test_cookie_too_big(adapter: str, length: str) -> None:
    # v9 measures the whole Set-Cookie line in UTF-8 bytes on every path.
    expected = v9(f"cookie_too_big_{adapter}")[length]["throws"]
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config())
    session["user"] = {"id": 1}
    session["meta"] = "0" * int(length)
    with pytest.raises(CookieTooLarge) as caught:
        session.save()
    size = _expected_size(expected)
    assert caught.value.size == size
    assert f"({size} bytes" in str(caught.value)
    assert "chunk=True" in str(caught.value)
    assert jar.set_cookies == []  # nothing half-written


@covers("cookie_store_save_and_destroy")
def test_jar_receives_name_value_and_line() -> None:
    expected = v9("cookie_store_save_and_destroy")
    calls: list[tuple[str, str, str]] = []
    stored = {"test": _seal_of(expected["session_read"])}

    class RecordingJar:
        # The shape of iron-session's cookie-store adapter (Next.js
        # cookies()): cookies by name, writes recorded.
        def read(self, name: str) -> str | None:
            return stored.get(name)

        def write(self, name: str, value: str, set_cookie: str) -> None:
            calls.append((name, value, set_cookie))

    session = get_iron_session(RecordingJar(), config())
    assert session == expected["session_read"]
    session["user"] = {"id": 4}
    session.save()
    session.destroy()
    seal = expected["set_calls"][0]["value"]
    assert [(name, value) for name, value, _ in calls] == [
        (call["name"], call["value"]) for call in expected["set_calls"]
    ]
    saved, destroyed = (line for _, _, line in calls)
    assert saved == f"test={seal}{DEFAULT_ATTRS}"
    assert expected["set_calls"][0]["options"]["maxAge"] == 1209540
    assert destroyed == DESTROY
    assert expected["set_calls"][1]["options"]["maxAge"] == 0


@covers("save_after_headers_sent")
def test_save_after_headers_sent() -> None:
    message = v9("save_after_headers_sent")["throws"]

    class SentJar(HeaderCookieJar):
        def assert_writable(self) -> None:
            raise RuntimeError(message)

    jar = SentJar()
    session = get_iron_session(jar, config())
    session["user"] = {"id": 1}
    with pytest.raises(RuntimeError, match="after headers were sent"):
        session.save()
    with pytest.raises(RuntimeError, match="after headers were sent"):
        session.destroy()
    assert jar.set_cookies == []
    assert session == {"user": {"id": 1}}


@covers("update_config")
def test_update_config() -> None:
    # v9 validates the new options: the v8 test's password "ok" is refused.
    assert "32 characters" in v9("update_config")["throws"]
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config())
    session["user"] = {"id": 1}
    with pytest.raises(PasswordConfigError, match="32 characters"):
        session.update_config(ttl=61, cookie_name="test2", password="ok")
    # With a valid password, the v8 test's expectation holds byte for byte.
    session.update_config(ttl=61, cookie_name="test2")
    session.save()
    expected = SCENARIOS["update_config"]["iron-session@8.0.4"]["set_cookie"]
    assert jar.set_cookies == expected


@covers("update_config_new_password")
def test_update_config_new_password_seals_with_newest_id() -> None:
    expected = v9("update_config_new_password")
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config())
    session["user"] = {"id": 1}
    session.update_config(password={1: PASSWORD, 2: PASSWORD_2})
    session.save()
    assert jar.set_cookies == expected["set_cookie"]
    assert (
        cookie_value(jar.set_cookies[0]).split("*")[1]
        == (expected["password_id_used"])
    )


def _seal_of(data: dict[str, Any]) -> str:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config())
    session.update(data)
    session.save()
    return cookie_value(jar.set_cookies[0])


@covers("cookie_header_parsing")
def test_cookie_header_parsing() -> None:
    expected = v9("cookie_header_parsing")
    seal = _seal_of({"user": {"id": 9}})
    encoded = "".join(f"%{ord(c):02X}" if c in "*~" else c for c in seal)
    headers = {
        "among_others": f"a=1; test={seal}; b=2",
        "duplicate_first_wins": f"test={seal}; test=Fe26.2*garbage",
        "percent_encoded": f"test={encoded}",
        # cookie@2 keeps the quotes, so the seal does not verify (v9).
        "quoted": f'test="{seal}"',
        "spaces_around": f"a=1;   test = {seal} \t; b=2",
        "empty_value": "test=; a=1",
    }
    assert set(headers) == set(expected)
    for case, header in headers.items():
        session = get_iron_session(HeaderCookieJar(header), config())
        assert session == expected[case], case


@covers("unseal_errors_in_getIronSession")
def test_unreadable_cookies_give_an_empty_session() -> None:
    expected = v9("unseal_errors_in_getIronSession")
    seal = _seal_of({"user": {"id": 1}})
    fields = seal.split("*")
    cases = {
        "wrong_prefix": "*".join(["Fe26.1", *fields[1:]]),
        "bad_expiration": "*".join([*fields[:5], "abc", *fields[6:]]),
        "tampered": "*".join([*fields[:4], fields[4][::-1], *fields[5:]]),
    }
    for case, value in cases.items():
        reasons: list[str] = []
        cfg = config(on_unseal_error=lambda r, _e: reasons.append(r))
        session = get_iron_session(HeaderCookieJar(f"test={value}"), cfg)
        assert session == expected[case]["session"], case
        assert reasons == ["invalid"], case


@covers("chunked_session")
def test_chunked_session() -> None:
    expected = v9("chunked_session")
    jar = HeaderCookieJar()
    session = get_iron_session(jar, config(chunk=True))
    session["meta"] = "0" * 6000
    session.save()
    got = [
        (line.split("=", 1)[0], len(line.encode())) for line in jar.set_cookies
    ]
    assert got == [
        tuple(pair) for pair in expected["set_cookie_names_and_lengths"]
    ]
    assert expected["read_back_ok"]
    header = "; ".join(line.split(";", 1)[0] for line in jar.set_cookies)
    back = get_iron_session(HeaderCookieJar(header), config(chunk=True))
    assert back == {"meta": "0" * 6000}
    # Without chunk=True it is refused, with the size v8 reports.
    v8_size = _expected_size(
        SCENARIOS["chunked_session"]["iron-session@8.0.4"]["throws"]
    )
    unchunked = get_iron_session(HeaderCookieJar(), config())
    unchunked["meta"] = "0" * 6000
    with pytest.raises(CookieTooLarge) as caught:
        unchunked.save()
    assert caught.value.size == v8_size


@covers("invalid_cookie_name")
def test_invalid_cookie_name() -> None:
    assert v9("invalid_cookie_name")["throws"].endswith("bad name")
    with pytest.raises(ConfigError, match="bad name") as caught:
        config(cookie_name="bad name")
    assert caught.value.option == "cookie_name"


# --------------------------------------------------------------------------
# config_errors: argument and option checks.


@covers("no_arguments", "only_request", "two_args_not_a_store")
def test_bad_usage() -> None:
    with pytest.raises(TypeError):
        get_iron_session()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        get_iron_session(HeaderCookieJar())  # no options at all
    with pytest.raises(TypeError, match="cookie jar"):
        get_iron_session(object(), config())  # type: ignore[arg-type]


CONFIG_CASES: dict[str, tuple[dict[str, Any], type[Exception], str]] = {
    "missing_cookie_name": (
        {"password": PASSWORD},
        ConfigError,
        "cookie_name",
    ),
    "cookie_store_missing_cookie_name": (
        {"password": PASSWORD, "cookie_name": ""},
        ConfigError,
        "cookie_name",
    ),
    "missing_password": (
        {"cookie_name": "test"},
        PasswordConfigError,
        "password",
    ),
    "password_31_chars": (
        {"cookie_name": "test", "password": "x" * 31},
        PasswordConfigError,
        "password",
    ),
    "cookie_store_short_password": (
        {"cookie_name": "test", "password": "x" * 31},
        PasswordConfigError,
        "password",
    ),
    "password_map_with_short_entry": (
        {"cookie_name": "test", "password": {1: PASSWORD, 2: "x" * 31}},
        PasswordConfigError,
        "password",
    ),
    "password_map_empty": (
        {"cookie_name": "test", "password": {}},
        PasswordConfigError,
        "password",
    ),
    "password_map_raw_bytes": (
        {"cookie_name": "test", "password": {1: b"k" * 32}},
        PasswordConfigError,
        "password",
    ),
}
covers(*CONFIG_CASES)


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_errors(case: str) -> None:
    assert "throws" in CONFIG_ERRORS[case][V9]
    options, error, option = CONFIG_CASES[case]
    with pytest.raises(error) as caught:
        get_iron_session(HeaderCookieJar(), **options)
    assert caught.value.option == option  # type: ignore[attr-defined]
    assert option in str(caught.value)
