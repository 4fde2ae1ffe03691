# SPDX-License-Identifier: MIT
"""The Sealer's cache of verified seals (src/cache.rs): a seal it opened or
made is not verified again while cached, but the answer never differs from
a full unseal: expiry is checked on every hit, the cache belongs to one
password set, it is bounded, and every hit is a fresh object."""

from __future__ import annotations

import time

import pytest

import iron_fast
from iron_fast import BadSeal, ExpiredSeal, Sealer, UnknownPassword

PW = "a password of more than 32 characters, for the cache tests"
OTHER = "another password of more than 32 characters, for the tests"


def hits(sealer: Sealer) -> int:
    return sealer._cache_info()[2]


def test_a_seal_is_verified_once_then_served_from_the_cache() -> None:
    maker, reader = Sealer(PW), Sealer(PW)
    token = maker.seal({"user": 1})
    assert reader.unseal(token) == {"user": 1}
    assert reader._cache_info()[1:] == (1, 0, 1)  # entries, hits, misses
    assert reader.unseal(token) == {"user": 1}
    assert reader.unseal_or_none(token) == ({"user": 1}, None)
    assert hits(reader) == 2


def test_a_seal_the_sealer_made_is_a_hit_when_it_comes_back() -> None:
    sealer = Sealer(PW)
    token = sealer.seal({"user": 1})
    assert sealer.unseal(token) == {"user": 1}
    assert hits(sealer) == 1


def test_expiry_is_checked_on_every_hit() -> None:
    sealer = Sealer(PW, timestamp_skew_sec=0)
    token = sealer.seal({"user": 1}, ttl=1)
    assert sealer.unseal(token) == {"user": 1}
    assert hits(sealer) == 1  # cached
    time.sleep(1.05)
    with pytest.raises(ExpiredSeal):
        sealer.unseal(token)
    assert sealer.unseal_or_none(token) == (None, "expired")
    assert hits(sealer) == 1  # an expired seal is never a hit


def test_the_cache_is_bound_to_the_password_set() -> None:
    ours = Sealer(PW)
    token = ours.seal({"user": 1})
    assert ours.unseal(token) == {"user": 1}
    with pytest.raises(UnknownPassword):
        Sealer({2: OTHER}).unseal(token)
    # Same id, another secret: verified from scratch, and refused.
    with pytest.raises(BadSeal):
        Sealer(OTHER).unseal(token)
    # The functional API caches one Sealer per password, so the same.
    assert iron_fast.unseal_data(token, password=OTHER) == {}
    assert iron_fast.unseal_data(token, password=PW) == {"user": 1}


def test_only_the_exact_verified_token_is_served() -> None:
    sealer = Sealer(PW)
    token = sealer.seal({"user": 1})
    assert sealer.unseal(token) == {"user": 1}
    digest_at = token.rindex("*") + 1
    flipped = "A" if token[digest_at] != "A" else "B"
    forged = token[:digest_at] + flipped + token[digest_at + 1 :]
    with pytest.raises(BadSeal):
        sealer.unseal(forged)
    assert sealer.unseal(token) == {"user": 1}


def test_the_cache_is_bounded() -> None:
    sealer = Sealer(PW, cache_size=8)
    tokens = [sealer.seal({"i": i}) for i in range(200)]
    for i, token in enumerate(tokens):
        assert sealer.unseal(token) == {"i": i}
        capacity, entries, _, _ = sealer._cache_info()
        assert (capacity, entries <= 8) == (8, True)
    # Larger than one cookie: never cached.
    big = Sealer(PW)
    token = big.seal({"pad": "x" * 4000})
    big.unseal(token)
    big.unseal(token)
    assert big._cache_info()[1:] == (0, 0, 0)


def test_cache_size_zero_turns_it_off() -> None:
    sealer = Sealer(PW, cache_size=0)
    token = sealer.seal({"user": 1})
    assert sealer.unseal(token) == sealer.unseal(token) == {"user": 1}
    assert sealer._cache_info() == (0, 0, 0, 0)
    with pytest.raises(ValueError, match="cache_size"):
        Sealer(PW, cache_size=-1)


def test_every_hit_is_a_fresh_object() -> None:
    sealer = Sealer(PW)
    data = {"user": {"id": 1, "roles": ["a"]}, "cart": [{"sku": 1}]}
    token = sealer.seal(data)
    first = sealer.unseal(token)
    first["user"]["roles"].append("admin")
    first["cart"][0]["sku"] = 2
    first["new"] = True
    second = sealer.unseal(token)
    assert hits(sealer) == 2
    assert second == data
    assert second is not first
    assert second["user"] is not first["user"]
    assert second["cart"][0] is not first["cart"][0]
    # Mutating what seal() was given changes nothing either.
    data["user"]["id"] = 99
    assert sealer.unseal(token)["user"]["id"] == 1
