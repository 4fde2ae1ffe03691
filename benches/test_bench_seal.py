# SPDX-License-Identifier: MIT
"""pytest-benchmark: seal and unseal of the session payloads (groups
``seal-<size>``, ``unseal-<size>``), iron_fast against what a Python app
would otherwise use; benches/README.md describes each implementation.

    .venv/bin/python -m pytest benches/ --benchmark-only
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference
from payloads import PAYLOADS

PASSWORD = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"
TTL = 14 * 24 * 3600
POOL = 4096  # seals cycled through: 8x the verified-seal cache's entries

Pair = tuple[Callable[[Any], str], Callable[[str], Any]]


def _keyword(module: Any) -> Pair:
    """``seal_data``/``unseal_data`` given the password on every call."""
    seal_data, unseal_data = module.seal_data, module.unseal_data
    return (
        lambda data: seal_data(data, password=PASSWORD),
        lambda token: unseal_data(token, password=PASSWORD),
    )


def _sealer() -> Pair:
    sealer = pytest.importorskip("iron_fast").Sealer(PASSWORD)
    return sealer.seal, sealer.unseal


def _fernet() -> Pair:
    """What aiohttp-session's EncryptedCookieStorage does."""
    from cryptography.fernet import Fernet

    fernet = Fernet(base64.urlsafe_b64encode(PASSWORD.encode()[:32]))
    return (
        lambda data: fernet.encrypt(
            json.dumps(data, separators=(",", ":")).encode()
        ).decode(),
        lambda token: json.loads(fernet.decrypt(token, ttl=TTL)),
    )


def _itsdangerous() -> Pair:
    """Flask's session serializer settings (signed, not encrypted)."""
    from itsdangerous import URLSafeTimedSerializer

    serializer = URLSafeTimedSerializer(
        PASSWORD,
        salt="cookie-session",
        signer_kwargs={
            "key_derivation": "hmac",
            "digest_method": hashlib.sha1,
        },
    )
    return serializer.dumps, lambda token: serializer.loads(token, max_age=TTL)


IMPLEMENTATIONS: dict[str, Callable[[], Pair]] = {
    "iron_fast.Sealer": _sealer,
    "iron_fast.seal_data": lambda: _keyword(pytest.importorskip("iron_fast")),
    "reference": lambda: _keyword(reference),
    "fernet": _fernet,
    "itsdangerous": _itsdangerous,
}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> Pair:
    return IMPLEMENTATIONS[request.param]()


@pytest.fixture(params=list(PAYLOADS))
def size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_seal(benchmark: Any, impl: Pair, size: str) -> None:
    seal, unseal = impl
    token = seal(PAYLOADS[size])
    assert unseal(token) == PAYLOADS[size]
    benchmark.group = f"seal-{size}"
    benchmark.extra_info["token_chars"] = len(token)
    benchmark(seal, PAYLOADS[size])


def test_unseal(benchmark: Any, impl: Pair, size: str) -> None:
    """The same seal every call, as a user's requests resend it."""
    seal, unseal = impl
    benchmark.group = f"unseal-{size}"
    assert benchmark(unseal, seal(PAYLOADS[size])) == PAYLOADS[size]


@pytest.mark.parametrize(
    "impl", ["iron_fast.Sealer:new-cookie", "iron_fast.seal_data:new-cookie"]
)
def test_unseal_new_cookie(benchmark: Any, impl: str, size: str) -> None:
    """Each call a seal not seen for a while: a first request's cost."""
    seal, unseal = IMPLEMENTATIONS[impl.split(":")[0]]()
    tokens = itertools.cycle([seal(PAYLOADS[size]) for _ in range(POOL)])
    benchmark.group = f"unseal-{size}"
    assert benchmark(lambda: unseal(next(tokens))) == PAYLOADS[size]


@pytest.mark.parametrize("size", ["100B"])
@pytest.mark.parametrize(
    "impl",
    [
        f"iterations={count}:{state}"
        for count in (1, 8192)
        for state in ("cold", "cached")
    ],
)
def test_unseal_iterations(benchmark: Any, impl: str, size: str) -> None:
    """A ``Sealer`` at 1 and at h3 2.x's 8192 PBKDF2 iterations, its cache
    off (every unseal derives both keys) and on (a hit derives none)."""
    count, state = impl.removeprefix("iterations=").split(":")
    sealer = pytest.importorskip("iron_fast").Sealer(
        PASSWORD,
        iterations=int(count),
        cache_size=0 if state == "cold" else 512,
    )
    token = sealer.seal(PAYLOADS[size])
    assert sealer.unseal(token) == PAYLOADS[size]
    hits = sealer._cache_info()[2]
    benchmark.group = f"unseal-iterations-{size}"
    assert benchmark(sealer.unseal, token) == PAYLOADS[size]
    assert (sealer._cache_info()[2] > hits) == (state == "cached")


@pytest.mark.parametrize("size", ["100B"])
@pytest.mark.parametrize(
    "impl", ["seal:cached", "seal:built", "unseal:cached", "unseal:built"]
)
def test_sealer_cache(benchmark: Any, impl: str, size: str) -> None:
    """What the cache of sealers behind ``seal_data``/``unseal_data``
    saves: a call with the password (``cached``) against a Sealer built
    for each call (``built``: the password read and keyed again and, for
    unseal, an empty verified-seal cache). The unseal is of the same seal
    every call, as a user's requests resend it."""
    iron_fast = pytest.importorskip("iron_fast")
    payload = PAYLOADS[size]
    token = iron_fast.seal_data(payload, password=PASSWORD)
    calls: dict[str, Callable[[], Any]] = {
        "seal:cached": lambda: iron_fast.seal_data(payload, password=PASSWORD),
        "seal:built": lambda: iron_fast.Sealer(PASSWORD).seal(payload),
        "unseal:cached": lambda: iron_fast.unseal_data(
            token, password=PASSWORD
        ),
        "unseal:built": lambda: iron_fast.Sealer(PASSWORD).unseal(token),
    }
    if impl.startswith("seal"):
        assert iron_fast.unseal_data(calls[impl](), password=PASSWORD) == (
            payload
        )
    else:
        assert calls[impl]() == payload
    benchmark.group = f"sealer-cache-{size}"
    benchmark(calls[impl])
