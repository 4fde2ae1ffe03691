# SPDX-License-Identifier: MIT
"""A plain configuration (nothing around its seal) reads and saves in one
step of SessionCodec; every other one takes the general path. Both must
give the same sessions, hook calls and Set-Cookie lines."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from iron_fast import CookieTooLarge, SessionCodec, SessionConfig, seal_data
from iron_fast.cookies import ResponseJar
from tests.bad_cookies import bad_cookies
from tests.pinned import pinned

PASSWORD = "p" * 32
OTHER = "q" * 32
NAME = "plain"
NOW_MS = time.time_ns() // 1_000_000


def codecs(**options: Any) -> tuple[SessionCodec, SessionCodec, list[Any]]:
    """A plain codec and a general one (a session header that no request
    here sends), both pinned to the same salts and clock, and the list
    their ``on_unseal_error`` hook appends what it hears to."""
    heard: list[Any] = []

    def hook(reason: str, error: Exception) -> None:
        heard.append((reason, type(error), str(error)))

    base = {
        "password": PASSWORD,
        "cookie_name": NAME,
        "on_unseal_error": hook,
        **options,
    }
    plain = pinned(SessionConfig(**base), NOW_MS)
    general = pinned(SessionConfig(**base, header="x-session"), NOW_MS)
    # Otherwise the comparison below would hold for want of a second path.
    assert plain._plain and not general._plain
    return plain, general, heard


def chunked(seal: str, parts: int) -> str:
    size = -(-len(seal) // parts)
    return "; ".join(
        f"{NAME}.{i}={seal[i * size : (i + 1) * size]}" for i in range(parts)
    )


def requests() -> dict[str, str | None]:
    good = seal_data({"user": "ada", "n": 1}, password=PASSWORD)
    cases: dict[str, str | None] = {
        "no cookie": None,
        "another cookie": "theme=dark",
        "session": f"{NAME}={good}",
        "chunks": chunked(good, 3),
        "session and a stale chunk": f"{NAME}={good}; {NAME}.0=x",
        "chunks with a gap": f"{NAME}.0={good[:50]}; {NAME}.2={good[50:]}",
        "a list": f"{NAME}={seal_data([1, 2], password=PASSWORD)}",
        "null": f"{NAME}={seal_data(None, password=PASSWORD)}",
        "empty value": f"{NAME}=",
    }
    for kind, (value, _) in bad_cookies(PASSWORD, OTHER).items():
        cases[kind] = f"{NAME}={value}"
    return cases


REQUESTS = requests()


@pytest.mark.parametrize("request_cookie", REQUESTS.values(), ids=REQUESTS)
@pytest.mark.parametrize(
    "data",
    [{"user": "ada", "n": 2}, {"pad": "x" * 5000}],
    ids=["small", "chunked"],
)
def test_plain_and_general_paths_agree(
    request_cookie: str | None, data: dict[str, Any]
) -> None:
    plain, general, heard = codecs(chunk=True)
    outcomes = []
    for codec in (plain, general):
        heard.clear()
        jar = ResponseJar(request_cookie, None)
        opened = codec.load(jar)
        seal = codec.save(jar, data)
        outcomes.append((opened, list(heard), seal, dict(jar.lines)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("request_cookie", REQUESTS.values(), ids=REQUESTS)
def test_aload_reads_as_load(request_cookie: str | None) -> None:
    plain, general, heard = codecs()
    for codec in (plain, general):
        heard.clear()
        expected = codec.load(ResponseJar(request_cookie, None)), list(heard)
        heard.clear()
        got = asyncio.run(codec.aload(ResponseJar(request_cookie, None)))
        assert (got, heard) == expected


def test_too_large_without_chunk_writes_nothing_on_either_path() -> None:
    plain, general, _ = codecs()
    errors = []
    for codec in (plain, general):
        jar = ResponseJar(None, None)
        with pytest.raises(CookieTooLarge) as raised:
            codec.save(jar, {"pad": "x" * 5000})
        assert not jar.lines
        errors.append(str(raised.value))
    assert errors[0] == errors[1]


def test_a_save_expires_a_stale_chunk_beside_the_cookie() -> None:
    # A lone `.0` beside the cookie is what a half-replaced chunked session
    # leaves: joined on the next read, it would fail the seal.
    for codec in codecs()[:2]:
        jar = ResponseJar(f"{NAME}=x; {NAME}.0=y", None)
        codec.save(jar, {"n": 1})
        assert jar.lines[f"{NAME}.0"].startswith(f"{NAME}.0=; Max-Age=0")
