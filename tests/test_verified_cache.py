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


# --- the cache never accepts what the full path refuses (issue 19 item 5) --

_NOW_MS = int(time.time() * 1000)


def test_a_clock_before_1970_seals_nothing_the_full_path_refuses() -> None:
    """A localtime_offset_ms that puts the clock before 1970 made seal()
    write a negative expiration, which every reader (the full path here)
    refuses as invalid, while the sealer's cache, which kept the seal as
    made, opened it. Such a seal is now refused when sealing."""
    offset = -_NOW_MS - 10**9  # about 11.6 days before 1970
    cached = Sealer(PW, localtime_offset_ms=offset)
    with pytest.raises(iron_fast.IronError, match="before 1970"):
        cached.seal({"user": 1}, ttl=60)
    with pytest.raises(iron_fast.IronError, match="before 1970"):
        cached._seal_with(
            {"user": 1},
            ttl=60,
            now_ms=-(10**9),
            encryption_salt="a" * 64,
            hmac_salt="b" * 64,
            iv=bytes(16),
        )
    # A ttl long enough to reach past 1970 is a valid seal, opened alike
    # from the cache and from scratch; one that never expires as well.
    for ttl in (10**6 + 10, 0):
        token = cached.seal({"user": 1}, ttl=ttl)
        plain = Sealer(PW, localtime_offset_ms=offset, cache_size=0)
        assert plain.unseal(token) == {"user": 1}
        assert cached.unseal(token) == {"user": 1}


def _outcome(sealer: Sealer, token: str) -> tuple[object, object]:
    return sealer.unseal_or_none(token)


def _outcome_strict(sealer: Sealer, token: str) -> object:
    try:
        return ("ok", sealer.unseal(token))
    except iron_fast.IronError as err:
        return (type(err).__name__, str(err))


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_MS_PER_YEAR = 365 * 24 * 3600 * 1000


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    offset=st.one_of(
        st.integers(-3 * _NOW_MS, 3 * _NOW_MS),
        st.integers(-_NOW_MS - 10**7, -_NOW_MS + 10**7),  # around 1970
        st.sampled_from([0, -_NOW_MS, -(2**62), 2**62]),
    ),
    skew=st.integers(0, 120),
    ttl=st.one_of(
        st.integers(0, 10**6),
        st.integers(0, 2**40),
        st.sampled_from([1, _NOW_MS // 1000, 2**62]),
    ),
    made_at=st.one_of(
        st.integers(-3 * _NOW_MS, 3 * _NOW_MS),
        st.integers(-_MS_PER_YEAR, _MS_PER_YEAR),
    ),
    flip=st.integers(0, 400),
)
def test_the_cache_answers_as_cache_size_zero(
    offset: int, skew: int, ttl: int, made_at: int, flip: int
) -> None:
    """Over random clocks (localtime_offset_ms), skews, ttls and tokens
    (sealed by the sealer itself, whose cache keeps them as made; by the
    pure-Python format at any clock, negative expirations included; and
    tampered with), a Sealer with its cache answers every unseal, first
    and again, exactly as one with cache_size=0."""
    from tests.test_reference import ref

    options = {"localtime_offset_ms": offset, "timestamp_skew_sec": skew}
    cached = Sealer(PW, **options)
    plain = Sealer(PW, cache_size=0, **options)
    tokens = []
    try:
        tokens.append(cached.seal({"user": 1}, ttl=ttl))
    except iron_fast.IronError:
        with pytest.raises(iron_fast.IronError):
            plain.seal({"user": 1}, ttl=ttl)
    password_id, secret = ref._sealing_secret(PW)
    tokens.append(
        ref._seal_plaintext(
            b'{"user":2}',
            password_id,
            secret,
            ttl=ttl,
            now_ms=made_at,
            encryption_salt="c" * 64,
            hmac_salt="d" * 64,
            iv=bytes(16),
        )
    )
    tokens += [
        t[: flip % len(t)] + "x" + t[flip % len(t) + 1 :] for t in tokens
    ]
    for token in tokens:
        # The first call may fill the cache, the second may be a hit.
        for _ in range(2):
            assert _outcome(cached, token) == _outcome(plain, token)
            assert _outcome_strict(cached, token) == _outcome_strict(
                plain, token
            )


# --- the cache lock and fork (HARDENING.md, "Fork") -----------------------


def test_cached_tokens_stay_below_the_gil_release_threshold() -> None:
    """The cache's lock is never held while the GIL is released: a seal
    or unseal releases it only from GIL_DETACH_THRESHOLD bytes of
    plaintext, and the cache only takes tokens of up to MAX_CACHED_TOKEN
    bytes, whose plaintext is smaller (a const assertion in
    src/python/mod.rs holds the two apart). So no thread can hold the lock
    while another forks. Checked here at the edge: the largest cached
    token is served from the cache, and a plaintext at the threshold
    makes a token that is not cached."""
    limits = iron_fast._core._CACHE_LIMITS
    max_token, threshold = limits["max_cached_token"], limits["gil_release"]
    assert max_token < threshold
    sealer = Sealer(PW)
    # The largest session whose token is cached: a string of n characters.
    n = max(
        n for n in range(2000, 4096) if len(sealer.seal("x" * n)) <= max_token
    )
    token = sealer.seal("x" * n)
    before = hits(sealer)
    assert sealer.unseal(token) == "x" * n
    assert hits(sealer) == before + 1  # cached: below the threshold
    big = sealer.seal("x" * threshold)  # released the GIL: not cached
    assert len(big) > max_token
    assert sealer.unseal(big) == "x" * threshold
    assert hits(sealer) == before + 1
