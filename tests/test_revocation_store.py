# SPDX-License-Identifier: MIT
"""The revocation stores on their own: MemoryRevocation, and
RedisRevocation against a real redis-server (sync and asyncio clients),
through the contract the session layer calls.
"""

from __future__ import annotations

import asyncio
import logging
import math
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from iron_fast import ConfigError, IronError
from iron_fast.revocation import (
    MAX_SUBJECT_LENGTH,
    REVOKED,
    STORE_UNAVAILABLE,
    MemoryRevocation,
    RedisRevocation,
    RevocationStore,
    StoreUnavailableError,
    check_subject,
)
from tests.redis_fixtures import RedisServer

NOW = 1_767_000_000_000  # a fixed "now" in ms, for the session layer's side
DAY_MS = 86_400_000
# How much longer than `timeout` a call against a hung server may take
# before the test calls it a hang: generous for a loaded 2-core machine;
# without a bound the call would never return at all.
HANG_MARGIN = 2.0


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class Driver:
    """One store, called through its sync or its async methods."""

    def __init__(self, store: Any, mode: str) -> None:
        self.store = store
        self.mode = mode
        self.loop = asyncio.new_event_loop() if mode == "async" else None

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        assert self.loop is not None
        return self.loop.run_until_complete(coro)

    def check(self, sid: str, subject: str | None, issued_at: int) -> Any:
        if self.loop is None:
            return self.store.check(sid, subject, issued_at)
        return self.run(self.store.acheck(sid, subject, issued_at))

    def revoke_session(self, sid: str, until_ms: int, **kw: Any) -> None:
        if self.loop is None:
            self.store.revoke_session(sid, until_ms, **kw)
        else:
            self.run(self.store.arevoke_session(sid, until_ms, **kw))

    def revoke_subject(self, subject: str, **kw: Any) -> None:
        if self.loop is None:
            self.store.revoke_subject(subject, **kw)
        else:
            self.run(self.store.arevoke_subject(subject, **kw))

    def close(self) -> None:
        if self.loop is not None:
            if isinstance(self.store, RedisRevocation):
                self.run(self.store.aclose())
            self.loop.close()
        elif isinstance(self.store, RedisRevocation):
            self.store.close()


@pytest.fixture
def make_driver(
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., Driver]]:
    made: list[Driver] = []

    def make(kind: str, **options: Any) -> Driver:
        backend, mode = kind.split("-")
        if backend == "memory":
            store: Any = MemoryRevocation(**options)
        else:
            url = request.getfixturevalue("redis_url")
            prefix = request.getfixturevalue("redis_prefix")
            options.setdefault("prefix", prefix)
            store = RedisRevocation(url, **options)
        driver = Driver(store, mode)
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


KINDS = ["memory-sync", "memory-async", "redis-sync", "redis-async"]
REDIS_KINDS = ["redis-sync", "redis-async"]


def sync_client(url: str, **options: Any) -> Any:
    import redis

    options.setdefault("socket_timeout", 1)
    options.setdefault("socket_connect_timeout", 1)
    return redis.Redis.from_url(url, **options)


# -- the contract, on every store and both call styles ------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_both_stores_implement_the_protocol(
    make_driver: Callable[..., Driver], kind: str
) -> None:
    store = make_driver(kind).store
    assert isinstance(store, RevocationStore)
    for name in RevocationStore.__dict__:
        if not name.startswith("_"):
            assert hasattr(store, name), name
    assert store.supports_sync and store.supports_async
    assert store.on_error == "deny"


@pytest.mark.parametrize("kind", KINDS)
def test_a_revoked_session_is_refused_and_no_other(
    make_driver: Callable[..., Driver], kind: str
) -> None:
    d = make_driver(kind)
    # Cached as valid where there is a cache: the revoking process sees
    # its own revocation at once all the same.
    assert d.check("sess-a", "42", NOW) is None
    d.revoke_session("sess-a", NOW + DAY_MS, now_ms=NOW)
    assert d.check("sess-a", "42", NOW) == REVOKED
    assert d.check("sess-a", None, NOW) == REVOKED
    assert d.check("sess-b", "42", NOW) is None


@pytest.mark.parametrize("kind", KINDS)
def test_revoke_subject_ends_sessions_issued_before_it(
    make_driver: Callable[..., Driver], kind: str
) -> None:
    d = make_driver(kind)
    d.check("old", "42", NOW - 1)  # cached as valid where there is a cache
    d.revoke_subject("42", issued_before_ms=NOW)
    # The revoking process sees its own revocation at once, cache or not.
    assert d.check("old", "42", NOW - 1) == REVOKED
    assert d.check("older", "42", NOW - DAY_MS) == REVOKED
    # "Issued before T": a session issued at T or later (a new login right
    # after a password change) stays valid.
    assert d.check("new", "42", NOW) is None
    assert d.check("newer", "42", NOW + 5) is None
    assert d.check("other", "43", NOW - 1) is None
    assert d.check("anonymous", None, NOW - 1) is None


@pytest.mark.parametrize("kind", KINDS)
def test_revoke_subject_defaults_to_now(
    make_driver: Callable[..., Driver], kind: str
) -> None:
    d = make_driver(kind)
    before = wall_ms() - 1
    d.revoke_subject("42")
    assert d.check("s", "42", before) == REVOKED
    assert d.check("s", "42", wall_ms() + 1000) is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_revocation_after_its_seal_expired_writes_nothing(
    make_driver: Callable[..., Driver], kind: str
) -> None:
    d = make_driver(kind)
    d.revoke_session("gone", NOW - 1, now_ms=NOW)
    assert d.check("gone", None, NOW - DAY_MS) is None
    store = d.store
    if isinstance(store, RedisRevocation):
        client = sync_client(d_url(store))
        assert client.exists(store._session_key("gone")) == 0
    else:
        assert "gone" not in store._sessions


def d_url(store: RedisRevocation) -> str:
    assert store._url is not None
    return store._url


@pytest.mark.parametrize("kind", REDIS_KINDS)
def test_revocations_are_shared_between_stores(
    make_driver: Callable[..., Driver], kind: str, redis_prefix: str
) -> None:
    writer = make_driver(kind, cache_ttl=0)
    reader = make_driver(
        "redis-async" if kind == "redis-sync" else "redis-sync", cache_ttl=0
    )
    writer.revoke_session("shared", NOW + DAY_MS, now_ms=NOW)
    writer.revoke_subject("7", issued_before_ms=NOW)
    assert reader.check("shared", None, NOW) == REVOKED
    assert reader.check("x", "7", NOW - 1) == REVOKED
    assert reader.check("x", "7", NOW) is None


# -- bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/0",
        "memcached://host",
        "127.0.0.1:6379",
        "s3cretpassword",
        "",
        "redis://:pw@host:notaport/0",
    ],
)
def test_a_url_that_is_not_redis_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        RedisRevocation(url)
    assert info.value.option == "revocation"
    assert "pw" not in str(info.value) and "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "rediss://user:pw@cache.example:6380/1",
        "unix:///run/redis.sock?db=2",
        "REDIS://127.0.0.1",
    ],
)
def test_redis_urls_are_accepted_without_connecting(url: str) -> None:
    store = RedisRevocation(url)  # nothing listens there: built lazily
    assert store.supports_sync and store.supports_async


def test_a_url_must_be_a_str() -> None:
    with pytest.raises(ConfigError) as info:
        RedisRevocation(b"redis://127.0.0.1")  # type: ignore[arg-type]
    assert info.value.option == "revocation"


def test_url_and_client_exactly_one() -> None:
    with pytest.raises(ConfigError) as info:
        RedisRevocation()
    assert info.value.option == "revocation"
    client = sync_client("redis://127.0.0.1:1/0")
    with pytest.raises(ConfigError):
        RedisRevocation("redis://127.0.0.1", client=client)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("cache_ttl", -1),
        ("cache_ttl", math.nan),
        ("cache_ttl", math.inf),
        ("cache_ttl", True),
        ("cache_ttl", "1"),
        ("timeout", 0),
        ("timeout", -0.5),
        ("timeout", None),
        ("on_error", "ignore"),
        ("on_error", "DENY"),
        ("on_error", None),
        ("prefix", 3),
        ("prefix", "p" * 65),
        ("max_session_age", 0),
        ("max_session_age", 1.5),
        ("max_session_age", True),
        ("cache_size", 0),
    ],
)
def test_bad_options_name_themselves(option: str, value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        RedisRevocation("redis://127.0.0.1", **{option: value})
    assert info.value.option == option


def test_memory_store_options_are_checked() -> None:
    with pytest.raises(ConfigError) as info:
        MemoryRevocation(max_session_age=-1)
    assert info.value.option == "max_session_age"


def test_a_client_that_is_not_redis_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        RedisRevocation(client=object())  # type: ignore[arg-type]
    assert info.value.option == "revocation"


def test_a_sync_client_without_socket_timeouts_is_refused() -> None:
    import redis

    # A hung server would hang every request through such a client.
    with pytest.raises(ConfigError, match="socket_timeout") as info:
        RedisRevocation(client=redis.Redis.from_url("redis://127.0.0.1:1"))
    assert info.value.option == "revocation"
    with pytest.raises(ConfigError):
        RedisRevocation(
            client=redis.Redis.from_url(
                "redis://127.0.0.1:1", socket_timeout=1
            )
        )


@pytest.mark.parametrize(
    ("subject", "error"),
    [
        (42, TypeError),
        (None, TypeError),
        (b"42", TypeError),
        (["42"], TypeError),
        ("", ValueError),
        ("x" * (MAX_SUBJECT_LENGTH + 1), ValueError),
    ],
)
@pytest.mark.parametrize("kind", ["memory-sync", "memory-async"])
def test_bad_subjects_are_refused(
    make_driver: Callable[..., Driver],
    kind: str,
    subject: Any,
    error: type[Exception],
) -> None:
    d = make_driver(kind)
    with pytest.raises(error):
        check_subject(subject)
    with pytest.raises(error):
        d.revoke_subject(subject)
    if subject is not None:
        with pytest.raises(error):
            d.check("s", subject, NOW)


def test_a_subject_of_256_characters_is_fine() -> None:
    subject = "é" * MAX_SUBJECT_LENGTH
    assert check_subject(subject) == subject
    store = MemoryRevocation()
    store.revoke_subject(subject, issued_before_ms=NOW)
    assert store.check("s", subject, NOW - 1) == REVOKED


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("", None, NOW), ValueError),
        (("s" * 129, None, NOW), ValueError),
        ((7, None, NOW), TypeError),
        (("s", None, -1), ValueError),
        (("s", None, 1.5), TypeError),
        (("s", None, True), TypeError),
    ],
)
@pytest.mark.parametrize("kind", ["memory-sync", "redis-sync", "redis-async"])
def test_bad_check_arguments_raise(
    make_driver: Callable[..., Driver],
    kind: str,
    args: tuple[Any, ...],
    error: type[Exception],
) -> None:
    d = make_driver(kind)
    with pytest.raises(error):
        d.check(*args)


@pytest.mark.parametrize("kind", ["memory-sync", "redis-sync", "redis-async"])
def test_bad_revoke_session_arguments_raise(
    make_driver: Callable[..., Driver], kind: str
) -> None:
    d = make_driver(kind)
    with pytest.raises(TypeError):
        d.revoke_session("s", float(NOW))
    with pytest.raises(ValueError):
        d.revoke_session("", NOW)
    with pytest.raises(TypeError):
        d.revoke_session("s", NOW, now_ms="now")


# -- no secret in a repr, a message or a log ----------------------------------


def test_reprs_hide_the_password() -> None:
    store = RedisRevocation("redis://admin:hunter2-secret@10.0.0.5:6379/3")
    text = repr(store)
    assert "hunter2" not in text
    assert "admin:***@10.0.0.5:6379/3" in text
    assert "cache_ttl=1.0" in text and "on_error='deny'" in text
    bare = repr(RedisRevocation("redis://:hunter2@10.0.0.5/0"))
    assert "hunter2" not in bare and ":***@10.0.0.5" in bare
    query = repr(RedisRevocation("redis://10.0.0.5/0?password=hunter2"))
    assert "hunter2" not in query
    client = sync_client("redis://:hunter2@10.0.0.5/0")
    assert "hunter2" not in repr(RedisRevocation(client=client))
    assert repr(MemoryRevocation(max_session_age=60)) == (
        "MemoryRevocation(max_session_age=60)"
    )


def test_failures_log_no_password(caplog: pytest.LogCaptureFixture) -> None:
    # Port 1 on loopback: nothing listens, the connection is refused.
    store = RedisRevocation("redis://:hunter2@127.0.0.1:1/0", cache_ttl=0)
    with caplog.at_level(logging.WARNING, logger="iron_fast.revocation"):
        assert store.check("s", "42", NOW) == STORE_UNAVAILABLE
        with pytest.raises(StoreUnavailableError) as info:
            store.revoke_subject("42")
    assert caplog.records, "a store failure is logged"
    assert all("hunter2" not in r.getMessage() for r in caplog.records)
    assert "hunter2" not in str(info.value)
    assert isinstance(info.value, IronError)


# -- expiry: nothing grows without bound --------------------------------------


@pytest.mark.parametrize("kind", REDIS_KINDS)
def test_redis_keys_are_prefixed_and_expire(
    make_driver: Callable[..., Driver],
    kind: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    d = make_driver(kind, max_session_age=3600, cache_ttl=0)
    d.revoke_session("short", NOW + 2000, now_ms=NOW)
    d.revoke_session("long", NOW + DAY_MS, now_ms=NOW)
    d.revoke_subject("42", issued_before_ms=NOW)
    client = sync_client(redis_url)
    keys = sorted(k.decode() for k in client.scan_iter(f"{redis_prefix}*"))
    assert keys == [
        f"{redis_prefix}sid:long",
        f"{redis_prefix}sid:short",
        f"{redis_prefix}sub:42",
    ]
    assert 0 < client.pttl(f"{redis_prefix}sid:short") <= 2000
    assert DAY_MS - 60_000 < client.pttl(f"{redis_prefix}sid:long") <= DAY_MS
    # The epoch is kept as long as a session may live, plus iron's skew.
    keep = (3600 + 60) * 1000
    assert keep - 60_000 < client.pttl(f"{redis_prefix}sub:42") <= keep
    assert client.get(f"{redis_prefix}sub:42") == str(NOW).encode()
    assert d.check("short", None, NOW) == REVOKED
    deadline = time.monotonic() + 10
    while client.exists(f"{redis_prefix}sid:short"):
        assert time.monotonic() < deadline, "the key never expired"
        time.sleep(0.05)
    # Once its seal has expired, the revocation is gone with it.
    assert d.check("short", None, NOW) is None
    assert d.check("long", None, NOW) == REVOKED


def test_a_later_subject_revocation_renews_the_epoch(
    make_driver: Callable[..., Driver], redis_url: str, redis_prefix: str
) -> None:
    d = make_driver("redis-sync", cache_ttl=0)
    d.revoke_subject("42", issued_before_ms=NOW)
    d.revoke_subject("42", issued_before_ms=NOW + 1000)
    assert d.check("s", "42", NOW + 999) == REVOKED
    assert d.check("s", "42", NOW + 1000) is None


def test_memory_entries_expire_and_are_swept() -> None:
    store = MemoryRevocation(max_session_age=10)
    clock = [100.0]
    store._monotonic = lambda: clock[0]
    store.revoke_session("s", NOW + 2000, now_ms=NOW)
    store.revoke_subject("42", issued_before_ms=NOW)
    assert store.check("s", None, NOW) == REVOKED
    assert store.check("t", "42", NOW - 1) == REVOKED
    clock[0] += 2.001
    assert store.check("s", None, NOW) is None
    assert store.check("t", "42", NOW - 1) == REVOKED
    clock[0] += 10 + 60  # max_session_age plus iron's clock skew
    assert store.check("t", "42", NOW - 1) is None
    # A steady stream of short revocations (at most 200 in force at once):
    # the table stays small instead of holding all 100 000.
    largest = 0
    for batch in range(1000):
        for i in range(100):
            store.revoke_session(f"b{batch}-{i}", NOW + 1000, now_ms=NOW)
        clock[0] += 0.5
        largest = max(largest, len(store._sessions) + len(store._subjects))
    assert largest <= 2048


# -- one pipelined round trip -------------------------------------------------


def counting_sync_client(url: str) -> tuple[Any, list[bytes]]:
    """A redis.Redis whose connections record each write to the socket:
    one write per round trip (a pipeline sends all its commands at once)."""
    import redis

    sent: list[bytes] = []

    class Counting(redis.Connection):
        def send_packed_command(self, command: Any, *a: Any, **k: Any) -> None:
            sent.append(
                b"".join(command) if isinstance(command, list) else command
            )
            super().send_packed_command(command, *a, **k)

    pool = redis.ConnectionPool.from_url(
        url,
        connection_class=Counting,
        socket_timeout=1,
        socket_connect_timeout=1,
    )
    return redis.Redis(connection_pool=pool), sent


def counting_async_client(url: str) -> tuple[Any, list[bytes]]:
    import redis.asyncio

    sent: list[bytes] = []

    class Counting(redis.asyncio.Connection):
        async def send_packed_command(
            self, command: Any, *a: Any, **k: Any
        ) -> None:
            sent.append(
                b"".join(command) if isinstance(command, list) else command
            )
            await super().send_packed_command(command, *a, **k)

    pool = redis.asyncio.ConnectionPool.from_url(
        url, connection_class=Counting
    )
    return redis.asyncio.Redis(connection_pool=pool), sent


def command_calls(client: Any) -> dict[str, int]:
    stats = client.info("commandstats")
    return {k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items()}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_check_is_one_round_trip_of_two_gets(
    redis_url: str, redis_prefix: str, mode: str
) -> None:
    if mode == "sync":
        client, sent = counting_sync_client(redis_url)
    else:
        client, sent = counting_async_client(redis_url)
    store = RedisRevocation(client=client, prefix=redis_prefix, cache_ttl=5)
    d = Driver(store, mode)
    observer = sync_client(redis_url)
    try:
        d.check("warm-up", None, NOW)  # connects (and says hello)
        sent.clear()
        before = command_calls(observer)
        assert d.check("s1", "42", NOW) is None
        after = command_calls(observer)
        assert len(sent) == 1, sent
        assert sent[0].count(b"GET") == 2
        assert f"{redis_prefix}sid:s1".encode() in sent[0]
        assert f"{redis_prefix}sub:42".encode() in sent[0]
        # Two GETs, not one MGET: the keys may sit in two Cluster slots.
        assert after["get"] - before["get"] == 2
        assert after.get("mget", 0) == before.get("mget", 0)
        # Answered from the cache now: no round trip at all.
        assert d.check("s1", "42", NOW) is None
        assert len(sent) == 1
        # Without a subject: one GET, still one round trip.
        assert d.check("s2", None, NOW) is None
        assert len(sent) == 2 and sent[1].count(b"GET") == 1
    finally:
        if mode == "async":
            d.run(client.aclose())
        else:
            client.close()
        d.close()


# -- the cache: the staleness bound, and its size -----------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_cache_ttl_bounds_how_stale_another_process_may_be(
    make_driver: Callable[..., Driver], mode: str
) -> None:
    a = make_driver(f"redis-{mode}", cache_ttl=5.0)
    b = make_driver("redis-sync", prefix=a.store._prefix, cache_ttl=5.0)
    clock = [1000.0]
    a.store._monotonic = lambda: clock[0]
    assert a.check("s", "42", NOW) is None  # cached in process A
    b.revoke_session("s", NOW + DAY_MS, now_ms=NOW)
    b.revoke_subject("42", issued_before_ms=NOW + 1)
    assert b.check("s", "42", NOW) == REVOKED
    # Process A reuses its answer, at most cache_ttl seconds...
    clock[0] += 4.999
    assert a.check("s", "42", NOW) is None
    # ...and asks Redis again after that.
    clock[0] += 0.002
    assert a.check("s", "42", NOW) == REVOKED
    assert a.check("t", "42", NOW) == REVOKED


def test_cache_ttl_zero_asks_every_time(
    make_driver: Callable[..., Driver],
) -> None:
    a = make_driver("redis-sync", cache_ttl=0)
    b = make_driver("redis-sync", prefix=a.store._prefix)
    assert a.check("s", None, NOW) is None
    b.revoke_session("s", NOW + DAY_MS, now_ms=NOW)
    assert a.check("s", None, NOW) == REVOKED
    assert a.store._cache == {}


def test_the_cache_is_bounded(make_driver: Callable[..., Driver]) -> None:
    d = make_driver("redis-sync", cache_size=3)
    for i in range(10):
        assert d.check(f"s{i}", "42", NOW) is None
        assert len(d.store._cache) <= 3
    assert ("s9", "42", NOW) in d.store._cache
    assert ("s0", "42", NOW) not in d.store._cache


def test_a_garbage_epoch_is_store_unavailable(
    make_driver: Callable[..., Driver], redis_url: str
) -> None:
    d = make_driver("redis-sync")
    sync_client(redis_url).set(d.store._subject_key("42"), b"not-a-number")
    assert d.check("s", "42", NOW) == STORE_UNAVAILABLE
    assert d.store._cache == {}  # a failure is not remembered


# -- clients: sync for sync callers, asyncio for async ones -------------------


def test_given_clients_serve_their_own_kind_only(redis_url: str) -> None:
    import redis.asyncio

    sync_store = RedisRevocation(client=sync_client(redis_url))
    assert sync_store.supports_sync and not sync_store.supports_async
    with pytest.raises(ConfigError) as info:
        asyncio.run(sync_store.acheck("s", None, NOW))
    assert info.value.option == "revocation"
    async_store = RedisRevocation(
        client=redis.asyncio.Redis.from_url(redis_url)
    )
    assert async_store.supports_async and not async_store.supports_sync
    with pytest.raises(ConfigError):
        async_store.check("s", None, NOW)
    with pytest.raises(ConfigError):
        async_store.revoke_subject("42")


def test_one_url_store_serves_several_event_loops(
    redis_url: str, redis_prefix: str
) -> None:
    store = RedisRevocation(redis_url, prefix=redis_prefix, cache_ttl=0)

    async def revoke_then_check(sid: str) -> Any:
        await store.arevoke_session(sid, NOW + DAY_MS, now_ms=NOW)
        verdict = await store.acheck(sid, None, NOW)
        await store.aclose()
        return verdict

    # Each asyncio.run is a new loop: a client bound to the first would
    # fail on the second.
    assert asyncio.run(revoke_then_check("a")) == REVOKED
    assert asyncio.run(revoke_then_check("b")) == REVOKED
    assert store.check("a", None, NOW) == REVOKED
    store.close()


def test_threads_share_one_store(redis_url: str, redis_prefix: str) -> None:
    stores = [
        MemoryRevocation(),
        RedisRevocation(redis_url, prefix=redis_prefix, cache_size=50),
    ]
    for store in stores:

        def work(i: int, store: Any = store) -> tuple[Any, Any]:
            store.revoke_session(f"r{i}", NOW + DAY_MS, now_ms=NOW)
            return store.check(f"r{i}", None, NOW), store.check(
                f"k{i}", None, NOW
            )

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(work, range(200)))
        assert results == [(REVOKED, None)] * 200


# -- failures: bounded, reported, never raised on the read path ---------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_hung_server_is_bounded_by_timeout(
    redis_server: RedisServer, mode: str
) -> None:
    store = RedisRevocation(redis_server.url, timeout=0.2, cache_ttl=0)
    d = Driver(store, mode)
    try:
        d.revoke_session("before", NOW + DAY_MS, now_ms=NOW)
        assert d.check("before", None, NOW) == REVOKED
        redis_server.pause()  # SIGSTOP: the socket accepts, nothing answers
        try:
            for call in (
                lambda: d.check("before", None, NOW),
                lambda: d.check("fresh", "42", NOW),
            ):
                start = time.monotonic()
                assert call() == STORE_UNAVAILABLE
                assert time.monotonic() - start < 0.2 + HANG_MARGIN
            start = time.monotonic()
            with pytest.raises(StoreUnavailableError):
                d.revoke_subject("42")
            assert time.monotonic() - start < 0.2 + HANG_MARGIN
            # A new connection to the hung server is bounded too.
            fresh = Driver(
                RedisRevocation(redis_server.url, timeout=0.2), mode
            )
            start = time.monotonic()
            assert fresh.check("x", None, NOW) == STORE_UNAVAILABLE
            assert time.monotonic() - start < 0.2 + HANG_MARGIN
            fresh.close()
        finally:
            redis_server.resume()
        # The replies the timed-out calls left behind are never read as
        # the answer to a later check.
        assert d.check("before", None, NOW) == REVOKED
        assert d.check("fresh", None, NOW) is None
        assert d.check("before", None, NOW) == REVOKED
    finally:
        d.close()


def test_a_given_async_client_is_bounded_by_timeout(
    redis_server: RedisServer,
) -> None:
    import redis.asyncio

    async def scenario() -> None:
        # No socket timeouts on this client: asyncio.wait_for bounds it.
        client = redis.asyncio.Redis.from_url(redis_server.url)
        store = RedisRevocation(client=client, timeout=0.2, cache_ttl=0)
        assert await store.acheck("s", None, NOW) is None
        redis_server.pause()
        try:
            start = time.monotonic()
            assert await store.acheck("s", None, NOW) == STORE_UNAVAILABLE
            assert time.monotonic() - start < 0.2 + HANG_MARGIN
        finally:
            redis_server.resume()
        await store.arevoke_session("s", NOW + DAY_MS, now_ms=NOW)
        assert await store.acheck("s", None, NOW) == REVOKED
        await client.aclose()

    asyncio.run(scenario())


@pytest.mark.parametrize("on_error", ["deny", "allow"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stopped_server_gives_store_unavailable(
    redis_server: RedisServer, on_error: str, mode: str
) -> None:
    store = RedisRevocation(redis_server.url, on_error=on_error, cache_ttl=5)
    d = Driver(store, mode)
    try:
        assert d.check("cached", None, NOW) is None
        redis_server.stop()
        # The verdict is the same whatever on_error says: the caller
        # applies the policy, which the store carries for it.
        assert store.on_error == on_error
        assert d.check("uncached", None, NOW) == STORE_UNAVAILABLE
        with pytest.raises(StoreUnavailableError):
            d.revoke_session("x", NOW + DAY_MS, now_ms=NOW)
        # An answer still in the cache is used while the store is down.
        assert d.check("cached", None, NOW) is None
        redis_server.start()
        assert d.check("uncached", None, NOW) is None
    finally:
        d.close()


def test_revocations_survive_a_restart(redis_server: RedisServer) -> None:
    # The server runs with the append-only file on and RDB snapshots off,
    # so what comes back after a restart is what the AOF kept.
    store = RedisRevocation(redis_server.url, cache_ttl=0)
    store.revoke_session("s", NOW + DAY_MS, now_ms=NOW)
    store.revoke_subject("42", issued_before_ms=NOW)
    observer = sync_client(redis_server.url)
    assert observer.config_get("appendonly") == {"appendonly": "yes"}
    assert observer.config_get("save") == {"save": ""}
    observer.close()
    store.close()
    redis_server.stop()
    redis_server.start()
    again = RedisRevocation(redis_server.url, cache_ttl=0)
    assert again.check("s", None, NOW) == REVOKED
    assert again.check("t", "42", NOW - 1) == REVOKED
    assert again.check("t", "42", NOW) is None
    observer = sync_client(redis_server.url)
    assert observer.pttl(again._session_key("s")) > 0
    assert observer.pttl(again._subject_key("42")) > 0
    observer.close()
    again.close()


# -- redis-py is an optional extra --------------------------------------------


def _run_python(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return out.stdout.splitlines()


def test_importing_the_stores_does_not_import_redis_py() -> None:
    code = (
        "import sys, iron_fast, iron_fast.revocation; "
        "print([m for m in sys.modules if m.split('.')[0] == 'redis'])"
    )
    assert _run_python(code) == ["[]"]


def test_without_redis_py_only_redis_revocation_is_refused() -> None:
    code = (
        "import sys\n"
        "sys.modules['redis'] = None  # `import redis` now fails\n"
        "import iron_fast\n"
        "from iron_fast.revocation import MemoryRevocation, RedisRevocation\n"
        "store = MemoryRevocation()\n"
        "store.revoke_session('s', 60_000, now_ms=0)\n"
        "print(store.check('s', None, 0))\n"
        "try:\n"
        "    RedisRevocation('redis://127.0.0.1:6379/0')\n"
        "except iron_fast.ConfigError as error:\n"
        "    print(error.option, 'iron-fast[redis]' in str(error))\n"
    )
    assert _run_python(code) == [REVOKED, "revocation True"]
