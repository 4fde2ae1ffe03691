# SPDX-License-Identifier: MIT
"""pytest-benchmark: seal and unseal of session payloads, iron_fast against
what a Python app would otherwise use.

One benchmark group per operation and payload size (``seal-100B``,
``unseal-1KB``, …) so each group compares the implementations:

* ``iron_fast.Sealer``: a compiled Sealer, built once and reused;
* ``iron_fast.seal_data``: ``seal_data``/``unseal_data`` given the password
  on every call (iron-session's API);
* ``...:new-cookie`` (unseal only, ``test_unseal_new_cookie``): the same
  two, each call opening a seal they have not seen for a while, so that
  their cache of verified seals never answers: what the first request of
  a session costs (the plain ``unseal`` cases resend one seal, as a user's
  requests do, and are cache hits);
* ``iterations=<n>:cold`` and ``iterations=<n>:cached``
  (``test_unseal_iterations``, group ``unseal-iterations-100B``): a
  ``Sealer`` at 1 and at h3 2.x's 8192 PBKDF2 iterations, unsealing with
  its verified-seal cache off (every unseal derives both keys: the first
  request of a session) and on (the same seal again: a hit derives none);
* ``reference``: the same format in pure Python (``reference.py``);
* ``fernet``: cryptography's Fernet, ``json.dumps`` + ``encrypt`` and
  ``decrypt`` + ``json.loads`` (what aiohttp-session's EncryptedCookieStorage
  does);
* ``itsdangerous``: ``URLSafeTimedSerializer`` set up as Flask's session
  does (signed, not encrypted; Starlette signs with the same library).

Run: ``.venv/bin/python -m pytest benches/ --benchmark-only``, or
``.venv/bin/python benches/report.py`` to rewrite BENCHMARKS.md.
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

Seal = Callable[[Any], str]
Unseal = Callable[[str], Any]


def _iron_fast() -> Any:
    return pytest.importorskip(
        "iron_fast", reason="iron_fast is not built (maturin develop)"
    )


def _iron_fast_sealer() -> tuple[Seal, Unseal]:
    sealer = _iron_fast().Sealer(PASSWORD)
    return sealer.seal, sealer.unseal


def _iron_fast_functional() -> tuple[Seal, Unseal]:
    iron_fast = _iron_fast()
    seal_data, unseal_data = iron_fast.seal_data, iron_fast.unseal_data

    def seal(data: Any) -> str:
        return seal_data(data, password=PASSWORD)

    def unseal(token: str) -> Any:
        return unseal_data(token, password=PASSWORD)

    return seal, unseal


def _reference() -> tuple[Seal, Unseal]:
    seal_data, unseal_data = reference.seal_data, reference.unseal_data

    def seal(data: Any) -> str:
        return seal_data(data, password=PASSWORD)

    def unseal(token: str) -> Any:
        return unseal_data(token, password=PASSWORD)

    return seal, unseal


def _fernet() -> tuple[Seal, Unseal]:
    from cryptography.fernet import Fernet

    fernet = Fernet(base64.urlsafe_b64encode(PASSWORD.encode()[:32]))
    dumps, loads = json.dumps, json.loads

    def seal(data: Any) -> str:
        text = dumps(data, separators=(",", ":"))
        return fernet.encrypt(text.encode()).decode()

    def unseal(token: str) -> Any:
        return loads(fernet.decrypt(token, ttl=TTL))

    return seal, unseal


def _itsdangerous() -> tuple[Seal, Unseal]:
    from itsdangerous import URLSafeTimedSerializer

    # Flask's SecureCookieSessionInterface settings (its tagged JSON
    # serializer aside).
    serializer = URLSafeTimedSerializer(
        PASSWORD,
        salt="cookie-session",
        signer_kwargs={
            "key_derivation": "hmac",
            "digest_method": hashlib.sha1,
        },
    )

    def unseal(token: str) -> Any:
        return serializer.loads(token, max_age=TTL)

    return serializer.dumps, unseal


IMPLEMENTATIONS: dict[str, Callable[[], tuple[Seal, Unseal]]] = {
    "iron_fast.Sealer": _iron_fast_sealer,
    "iron_fast.seal_data": _iron_fast_functional,
    "reference": _reference,
    "fernet": _fernet,
    "itsdangerous": _itsdangerous,
}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> tuple[Seal, Unseal]:
    return IMPLEMENTATIONS[request.param]()


@pytest.fixture(params=list(PAYLOADS))
def size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_seal(benchmark: Any, impl: tuple[Seal, Unseal], size: str) -> None:
    seal, unseal = impl
    payload = PAYLOADS[size]
    token = seal(payload)
    assert unseal(token) == payload
    benchmark.group = f"seal-{size}"
    benchmark.extra_info["token_chars"] = len(token)
    benchmark(seal, payload)


def test_unseal(benchmark: Any, impl: tuple[Seal, Unseal], size: str) -> None:
    seal, unseal = impl
    payload = PAYLOADS[size]
    token = seal(payload)
    assert unseal(token) == payload
    benchmark.group = f"unseal-{size}"
    result = benchmark(unseal, token)
    assert result == payload


# Seals per pool for the new-cookie cases: 8x the verified-seal cache's
# 512 entries, cycled, so a seal is practically never still cached.
POOL = 4096


@pytest.mark.parametrize(
    "impl", ["iron_fast.Sealer:new-cookie", "iron_fast.seal_data:new-cookie"]
)
def test_unseal_new_cookie(benchmark: Any, impl: str, size: str) -> None:
    seal, unseal = IMPLEMENTATIONS[impl.split(":")[0]]()
    payload = PAYLOADS[size]
    tokens = [seal(payload) for _ in range(POOL)]
    assert len(set(tokens)) == POOL
    following = itertools.cycle(tokens).__next__

    def unseal_next() -> Any:
        return unseal(following())

    assert unseal_next() == payload
    benchmark.group = f"unseal-{size}"
    benchmark(unseal_next)


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
    count, state = impl.removeprefix("iterations=").split(":")
    # cache_size=0: no seal is ever a hit, so each unseal is a cold one.
    cache_size = 0 if state == "cold" else 512
    sealer = _iron_fast().Sealer(
        PASSWORD, iterations=int(count), cache_size=cache_size
    )
    payload = PAYLOADS[size]
    token = sealer.seal(payload)
    assert sealer.unseal(token) == payload
    hits = sealer._cache_info()[2]
    benchmark.group = f"unseal-iterations-{size}"
    assert benchmark(sealer.unseal, token) == payload
    assert (sealer._cache_info()[2] > hits) == (state == "cached")
