# SPDX-License-Identifier: MIT
"""Secrets: no password or key material in an exception message, a repr,
a log line, a warning or a pickle, whatever the mistake; and the MAC is
compared in constant time (checked in the Rust source, since a timing
test could not tell a few nanoseconds from noise)."""

from __future__ import annotations

import logging
import pickle
import re
import secrets
import warnings
from pathlib import Path
from typing import Any

import pytest

import iron_fast
from iron_fast import (
    HeaderCookieJar,
    IronError,
    Sealer,
    SessionConfig,
    get_iron_session,
)

ROOT = Path(__file__).resolve().parents[2]
# A fresh marker per run: anything that shows it leaked it.
SECRET = "leak-marker-" + secrets.token_hex(16)
SHORT = SECRET[:20]


def _never_shown(text: str) -> None:
    for fragment in (SECRET, SHORT, SECRET[12:28]):
        assert fragment not in text, text


def _error(call: Any) -> BaseException:
    try:
        call()
    except Exception as error:
        return error
    raise AssertionError("no error")


MISTAKES = {
    "too short": lambda: Sealer(SHORT),
    "too short in a map": lambda: Sealer({1: SECRET, 2: SHORT}),
    "keys and values swapped": lambda: Sealer({SECRET: 1}),
    "swapped, bytes value": lambda: Sealer({SECRET: b"x"}),
    "swapped, twice": lambda: Sealer({SECRET: SECRET, f"{SECRET}": SECRET}),
    "raw key of 31 bytes": lambda: Sealer(SECRET.encode()[:31]),
    "lone surrogate": lambda: Sealer(SECRET + "\ud800"),
    "bad data": lambda: Sealer(SECRET).seal({"at": object()}),
    "bad seal": lambda: Sealer(SECRET).unseal("Fe26.2*1*a*b*c**d*e"),
    "config, too short": lambda: SessionConfig(
        password=SHORT, cookie_name="s"
    ),
    "config, swapped": lambda: SessionConfig(
        password={SECRET: 1}, cookie_name="s"
    ),
    "config, swapped bytes": lambda: SessionConfig(
        password={1: SECRET.encode()}, cookie_name="s"
    ),
    "config, bad option": lambda: SessionConfig(
        password=SECRET, cookie_name="s", ttl=-1
    ),
    "unseal_data, short password": lambda: iron_fast.unseal_data(
        "x", password=SHORT
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_no_error_message_shows_the_secret(mistake: str) -> None:
    error = _error(MISTAKES[mistake])
    assert isinstance(error, (IronError, TypeError)), repr(error)
    for text in (str(error), repr(error), repr(error.args)):
        _never_shown(text)


def test_no_repr_shows_the_secret() -> None:
    sealer = Sealer({1: SECRET, 2: SECRET[::-1]})
    config = SessionConfig(password=SECRET, cookie_name="s")
    jar = HeaderCookieJar(f"s={sealer.seal({'a': 1})}")
    session = get_iron_session(jar, config)
    for thing in (sealer, config, jar, session, iron_fast.sealer_for(SECRET)):
        _never_shown(repr(thing))
        _never_shown(str(thing))
    assert "password_ids=(1,)" in repr(config)


def test_nothing_holding_a_secret_pickles() -> None:
    sealer = Sealer(SECRET)
    config = SessionConfig(password=SECRET, cookie_name="s")
    session = get_iron_session(HeaderCookieJar(), config)
    for thing in (sealer, config, session):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            error = _error(lambda: pickle.dumps(thing, protocol))
            assert isinstance(error, TypeError)
            _never_shown(str(error))


def test_no_log_line_or_warning_shows_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from iron_fast.starlette import IronSessionMiddleware

    heard: list[str] = []

    async def view(request: Any) -> PlainTextResponse:
        request.session["n"] = 1
        return PlainTextResponse("ok")

    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = Starlette(routes=[Route("/", view)])
        app.add_middleware(
            IronSessionMiddleware,
            password={1: SECRET},
            cookie_options={"secure": False},
            ttl=0,
            on_unseal_error=lambda reason, error: heard.append(str(error)),
        )
        with TestClient(app) as client:
            for cookie in ("garbage", "Fe26.2*1*a*b*c**d*e~2", ""):
                client.cookies.set("session", cookie)
                assert client.get("/").status_code == 200
    assert heard and caught  # the hook ran, and the config warned
    for text in [r.getMessage() for r in caplog.records] + heard:
        _never_shown(text)
    for warning in caught:
        _never_shown(str(warning.message))


def test_the_mac_is_compared_in_constant_time() -> None:
    crypto = ROOT / "src" / "crypto.rs"
    seal = ROOT / "src" / "seal.rs"
    if not crypto.is_file():
        pytest.skip("not a source checkout")
    crypto_rs = crypto.read_text("utf-8")
    seal_rs = seal.read_text("utf-8")
    # The only comparison of a MAC: RustCrypto's Mac::verify_slice, which
    # compares with subtle::ConstantTimeEq (no early exit).
    verify = re.search(
        r"pub fn hmac_sha256_verify\(.*?\n\}", crypto_rs, re.DOTALL
    )
    assert verify and "mac.verify_slice(tag).is_ok()" in verify.group(0)
    assert "==" not in verify.group(0)
    # unseal verifies through it, before decoding or decrypting anything.
    unseal = seal_rs[seal_rs.index("pub fn unseal_at") :]
    unseal = unseal[: unseal.index("\n    }\n")]
    assert unseal.index("hmac_sha256_verify") < unseal.index("decrypt(")
    assert not re.search(r"digest\s*[!=]=|[!=]=\s*digest", seal_rs)
    assert not re.search(r"digest\s*[!=]=|[!=]=\s*&?digest", crypto_rs)


def test_flask_interface_refuses_to_pickle() -> None:
    import pickle

    from iron_fast.flask import IronSessionInterface

    interface = IronSessionInterface("q" * 40)
    with pytest.raises(TypeError):
        pickle.dumps(interface)


def test_cli_never_echoes_a_secret_used_as_a_map_key() -> None:
    import json
    import os
    import subprocess
    import sys

    secret = "Kq8vT2nW5xZ7bR4mY9pL3sD6fH1jG0cA"
    env = dict(os.environ, IRON_FAST_PASSWORD=json.dumps({secret: 1}))
    done = subprocess.run(
        [sys.executable, "-m", "iron_fast", "seal", "{}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert secret not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "key",
    [
        b"s3cr3t-from-vault-ZZZZ-0123456789abcdef",
        ("s3cr3t-from-vault-ZZZZ-0123456789abcdef",),
        "s3cr3t-from-vault",
        1.5,
        10**5000,
    ],
    ids=["bytes", "tuple", "str", "float", "huge-int"],
)
def test_a_bad_password_id_is_described_never_shown(key: object) -> None:
    # A secret given as the key ({secret: 1} for {1: secret}) must not be
    # printed, whatever its type: only the type and the length are.
    from iron_fast import PasswordConfigError, SessionConfig

    with pytest.raises(PasswordConfigError) as caught:
        SessionConfig(password={key: "p" * 40}, cookie_name="s")
    message = str(caught.value)
    assert "s3cr3t" not in message and "vault" not in message
    assert "0" * 50 not in message
    assert type(key).__name__ in message or "integer" in message
