# SPDX-License-Identifier: MIT
"""RedisRevocation: the revocation store on Redis, shared by every process
that uses the same server."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

from iron_fast._core import DEFAULT_TTL
from iron_fast.errors import ConfigError
from iron_fast.revocation._checks import (
    check_ms,
    check_session_id,
    check_subject,
    max_session_age_option,
    on_error_option,
    seconds_option,
    session_ms_left,
    subject_epoch,
)
from iron_fast.revocation._contract import (
    STORE_UNAVAILABLE,
    StoreUnavailableError,
    Verdict,
    epoch_keep_ms,
    verdict_of,
)
from iron_fast.revocation._redis_config import (
    check_url,
    client_kind,
    import_redis,
    shown_url,
)

if TYPE_CHECKING:
    import redis
    import redis.asyncio

MAX_PREFIX_LENGTH: Final = 64
DEFAULT_CACHE_SIZE: Final = 10_000

# The package's name, not this module's: the one logger users configure.
_log = logging.getLogger("iron_fast.revocation")

# A check's cache key: (session id, subject, issued-at ms).
_CheckKey = tuple[str, str | None, int]
# A revocation to write: (Redis key, value, milliseconds to keep it).
_Write = tuple[str, bytes, int]


class RedisRevocation:
    """The revocation contract on Redis, shared by every process that
    uses the same server (see the ``iron_fast.revocation`` module
    docstring for the methods).

    ``RedisRevocation(url)`` with a ``redis://``, ``rediss://`` or
    ``unix://`` URL builds its own clients when first used: a sync one
    for ``check`` and the sync writes, and an asyncio one per event loop
    for ``acheck`` and the async writes, each with ``timeout`` as its
    socket timeouts and no retries. ``RedisRevocation(client=...)`` uses
    the given ``redis.Redis`` (sync only; it must have socket timeouts)
    or ``redis.asyncio.Redis`` (async only).

    ``cache_ttl``
        Seconds an answer is reused in this process (a bounded cache of
        ``cache_size`` entries): the bound on how stale another process's
        revocation may be here. 0 turns the cache off. A process's own
        revocations take effect in it at once.
    ``on_error``
        ``"deny"`` (default): the caller treats a session as ended when
        the store cannot answer; ``"allow"``: as valid.
    ``timeout``
        Seconds any one store call may take, a hung server included.
    ``prefix``
        Prepended to every key (``<prefix>sid:<id>``,
        ``<prefix>sub:<subject>``). Every key expires on its own.
    ``max_session_age``
        Seconds a subject's epoch is kept; at least the longest a session
        can be accepted (default 14 days, iron-session's default ttl).

    A check reads both keys in one round trip: two GETs pipelined, not
    one multi-key command, so the keys may sit in different Redis Cluster
    slots.
    """

    __slots__ = (
        "_aclients",
        "_cache",
        "_cache_size",
        "_cache_ttl",
        "_client",
        "_kind",
        "_lock",
        "_max_session_age",
        "_monotonic",
        "_on_error",
        "_prefix",
        "_redis",
        "_timeout",
        "_url",
    )

    _client: Any
    _aclients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any]
    _cache: dict[_CheckKey, tuple[float, Verdict]]

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | redis.asyncio.Redis | None = None,
        cache_ttl: float = 1.0,
        on_error: Literal["deny", "allow"] = "deny",
        timeout: float = 0.25,
        prefix: str = "iron:",
        max_session_age: int = DEFAULT_TTL,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if (url is None) == (client is None):
            raise ConfigError(
                "RedisRevocation takes either a URL or client=..., "
                "exactly one of them",
                option="revocation",
            )
        self._cache_ttl = seconds_option("cache_ttl", cache_ttl, zero_ok=True)
        self._timeout = seconds_option("timeout", timeout, zero_ok=False)
        self._on_error = on_error_option(on_error)
        self._max_session_age = max_session_age_option(max_session_age)
        if type(prefix) is not str or len(prefix) > MAX_PREFIX_LENGTH:
            raise ConfigError(
                f"prefix must be a str of at most {MAX_PREFIX_LENGTH} "
                "characters",
                option="prefix",
            )
        self._prefix = prefix
        if type(cache_size) is not int or cache_size < 1:
            raise ConfigError(
                "cache_size must be a positive int", option="cache_size"
            )
        self._cache_size = cache_size
        self._redis = import_redis()
        self._url = None if url is None else check_url(url)
        if client is None:
            self._kind = "url"
            self._client = None
        else:
            self._kind = client_kind(self._redis, client)
            self._client = client
        self._aclients = weakref.WeakKeyDictionary()
        self._cache = {}
        self._lock = threading.Lock()
        self._monotonic: Callable[[], float] = time.monotonic

    def __repr__(self) -> str:
        if self._url is not None:
            source = f"{shown_url(self._url)!r}"
        else:
            source = f"client=<{type(self._client).__name__}>"
        return (
            f"RedisRevocation({source}, cache_ttl={self._cache_ttl}, "
            f"on_error={self._on_error!r}, timeout={self._timeout}, "
            f"prefix={self._prefix!r})"
        )

    @property
    def on_error(self) -> Literal["deny", "allow"]:
        return self._on_error

    @property
    def max_session_age(self) -> int:
        return self._max_session_age

    @property
    def cache_ttl(self) -> float:
        return self._cache_ttl

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def supports_sync(self) -> bool:
        return self._kind != "async"

    @property
    def supports_async(self) -> bool:
        return self._kind != "sync"

    # -- keys --------------------------------------------------------------

    def _session_key(self, session_id: str) -> str:
        return f"{self._prefix}sid:{session_id}"

    def _subject_key(self, subject: str) -> str:
        return f"{self._prefix}sub:{subject}"

    # -- clients -----------------------------------------------------------

    def _client_options(self, retry: Any) -> dict[str, Any]:
        # No retries: they would multiply the timeout. A check that fails
        # is answered "store-unavailable"; the next request tries again.
        return {
            "socket_timeout": self._timeout,
            "socket_connect_timeout": self._timeout,
            "retry": retry(self._redis.backoff.NoBackoff(), 0),
        }

    def _sync_client(self) -> Any:
        if self._kind == "async":
            raise ConfigError(
                "this RedisRevocation was given an asyncio client: a sync "
                "caller needs a redis.Redis client or a URL",
                option="revocation",
            )
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    from redis.retry import Retry

                    self._client = self._redis.Redis.from_url(
                        self._url, **self._client_options(Retry)
                    )
                client = self._client
        return client

    def _async_client(self) -> Any:
        if self._kind == "sync":
            raise ConfigError(
                "this RedisRevocation was given a sync client: an async "
                "caller needs a redis.asyncio.Redis client or a URL",
                option="revocation",
            )
        if self._kind == "async":
            return self._client
        # An asyncio client is bound to the loop it first ran on: one per
        # loop, dropped with the loop.
        loop = asyncio.get_running_loop()
        client = self._aclients.get(loop)
        if client is None:
            from redis.asyncio.retry import Retry

            client = self._redis.asyncio.Redis.from_url(
                self._url, **self._client_options(Retry)
            )
            with self._lock:
                self._aclients[loop] = client
        return client

    def close(self) -> None:
        """Close the sync client this store built from its URL (a given
        client is the caller's to close)."""
        if self._kind == "url" and self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the asyncio client this store built for the running
        loop (a given client is the caller's to close)."""
        if self._kind == "url":
            loop = asyncio.get_running_loop()
            client = self._aclients.pop(loop, None)
            if client is not None:
                await client.aclose()

    # -- the cache ---------------------------------------------------------

    def _fresh_answer(self, key: _CheckKey) -> tuple[float, Verdict] | None:
        # Read without the lock: a dict lookup is atomic, and an answer
        # that expires or is dropped meanwhile was still fresh when read.
        hit = self._cache.get(key)
        if hit is not None and hit[0] > self._monotonic():
            return hit
        return None

    def _remember(self, key: _CheckKey, verdict: Verdict) -> None:
        if self._cache_ttl <= 0:
            return
        deadline = self._monotonic() + self._cache_ttl
        cache = self._cache
        with self._lock:
            cache.pop(key, None)
            # Every entry lives cache_ttl, so the first inserted is the
            # first to expire: evicting it keeps the cache bounded.
            while len(cache) >= self._cache_size:
                del cache[next(iter(cache))]
            cache[key] = (deadline, verdict)

    def _forget(self, position: int, value: str) -> None:
        # Called after this process revoked something: its own answers
        # about it must not outlive the write.
        with self._lock:
            stale = [k for k in self._cache if k[position] == value]
            for key in stale:
                del self._cache[key]

    # -- checks ------------------------------------------------------------

    def _names(self, key: _CheckKey) -> list[str]:
        session_id, subject, issued_at_ms = key
        check_session_id(session_id)
        check_ms("issued_at_ms", issued_at_ms)
        names = [self._session_key(session_id)]
        if subject is not None:
            names.append(self._subject_key(check_subject(subject)))
        return names

    def check(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        key = (session_id, subject, issued_at_ms)
        hit = self._fresh_answer(key)
        if hit is not None:
            return hit[1]
        names = self._names(key)
        client = self._sync_client()
        try:
            entries = _pipelined_gets(client, names).execute()
        except Exception as exc:  # never a 5xx for a store failure
            return _check_failed(exc)
        return self._settle(key, entries)

    async def acheck(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        key = (session_id, subject, issued_at_ms)
        hit = self._fresh_answer(key)
        if hit is not None:
            return hit[1]
        names = self._names(key)
        client = self._async_client()
        try:
            pipe = _pipelined_gets(client, names)
            entries = await asyncio.wait_for(pipe.execute(), self._timeout)
        except Exception as exc:  # never a 5xx for a store failure
            return _check_failed(exc)
        return self._settle(key, entries)

    def _settle(self, key: _CheckKey, entries: list[object]) -> Verdict:
        epoch = entries[1] if len(entries) > 1 else None
        verdict = verdict_of(entries[0], epoch, key[2])
        if verdict != STORE_UNAVAILABLE:
            self._remember(key, verdict)
        return verdict

    # -- writes: (key, value, milliseconds to keep it), or None --------------

    def _session_write(
        self, session_id: str, until_ms: int, now_ms: int | None
    ) -> _Write | None:
        left_ms = session_ms_left(session_id, until_ms, now_ms)
        if left_ms <= 0:
            return None  # its seal is no longer accepted anyway
        return self._session_key(session_id), b"1", left_ms

    def _subject_write(
        self, subject: str, issued_before_ms: int | None
    ) -> _Write:
        epoch = subject_epoch(subject, issued_before_ms)
        keep_ms = epoch_keep_ms(self._max_session_age)
        return self._subject_key(subject), str(epoch).encode(), keep_ms

    def revoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None:
        self._set(self._session_write(session_id, until_ms, now_ms))
        self._forget(0, session_id)

    async def arevoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None:
        await self._aset(self._session_write(session_id, until_ms, now_ms))
        self._forget(0, session_id)

    def revoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None:
        self._set(self._subject_write(subject, issued_before_ms))
        self._forget(1, subject)

    async def arevoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None:
        await self._aset(self._subject_write(subject, issued_before_ms))
        self._forget(1, subject)

    def _set(self, write: _Write | None) -> None:
        if write is None:
            return
        client = self._sync_client()
        name, value, keep_ms = write
        try:
            client.set(name, value, px=keep_ms)
        except Exception as exc:
            raise _write_failed(exc) from None

    async def _aset(self, write: _Write | None) -> None:
        if write is None:
            return
        client = self._async_client()
        name, value, keep_ms = write
        try:
            await asyncio.wait_for(
                client.set(name, value, px=keep_ms), self._timeout
            )
        except Exception as exc:
            raise _write_failed(exc) from None


def _pipelined_gets(client: Any, names: list[str]) -> Any:
    # GETs in one pipeline, not MGET: one round trip all the same, and
    # on Redis Cluster the two keys may live in different slots.
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.get(name)
    return pipe


def _check_failed(exc: BaseException) -> Verdict:
    _log_failure("check", exc)
    return STORE_UNAVAILABLE


def _write_failed(exc: BaseException) -> StoreUnavailableError:
    _log_failure("revocation", exc)
    return StoreUnavailableError(
        "the revocation store could not take the revocation "
        f"({type(exc).__name__}): it may not have happened, try again"
    )


def _log_failure(what: str, exc: BaseException) -> None:
    # The type and redis-py's text (host and port, never a password);
    # no traceback: an outage would flood the log with identical ones.
    _log.warning(
        "revocation store unavailable (%s): %s: %s",
        what,
        type(exc).__name__,
        exc,
    )
