# SPDX-License-Identifier: MIT
"""Revocation stores: where "this session has ended" and "every session of
this subject issued before T has ended" are remembered, either shared by
every process (Redis) or kept in one (memory).

Both stores implement :class:`RevocationStore`, the small contract the
session layer calls:

``revoke_session(session_id, until_ms)`` / ``await arevoke_session(...)``
    Remember that one session has ended, until ``until_ms`` (milliseconds
    since 1970, the last instant its seal could still be accepted): the
    entry then expires on its own.
``revoke_subject(subject)`` / ``await arevoke_subject(subject)``
    Remember that every session of ``subject`` issued before now (or
    before ``issued_before_ms``) has ended: a per-subject epoch, kept for
    ``max_session_age`` seconds (plus iron's clock skew), the longest any
    session may be accepted. The latest call's epoch wins.
``check(session_id, subject, issued_at_ms)`` / ``await acheck(...)``
    ``None`` when the session may be used, ``"revoked"`` when either
    entry ends it (issued strictly before the epoch), or
    ``"store-unavailable"`` when the store could not answer. The caller
    applies ``on_error`` (``"deny"`` or ``"allow"``) to the last one.
    Never raises for a store failure.

Writes (the ``revoke_*`` methods) raise :class:`StoreUnavailableError` when the
store cannot take them: a logout that silently did not happen would leave
a copied cookie working.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    Literal,
    Protocol,
    runtime_checkable,
)
from urllib.parse import urlsplit

from iron_fast._core import DEFAULT_TTL
from iron_fast.errors import ConfigError, IronError
from iron_fast.limits import TIMESTAMP_SKEW_SEC

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = [
    "REVOKED",
    "STORE_UNAVAILABLE",
    "MemoryRevocation",
    "RedisRevocation",
    "RevocationStore",
    "StoreUnavailableError",
    "Verdict",
    "check_subject",
]

REVOKED: Final = "revoked"
STORE_UNAVAILABLE: Final = "store-unavailable"
Verdict = Literal["revoked", "store-unavailable"] | None

MAX_SUBJECT_LENGTH: Final = 256
# Session ids are made by the session layer (a few dozen characters); the
# cap only keeps a foreign cookie from naming a megabyte-long Redis key.
MAX_SESSION_ID_LENGTH: Final = 128
MAX_PREFIX_LENGTH: Final = 64
DEFAULT_CACHE_SIZE: Final = 10_000
_ON_ERROR = ("deny", "allow")
_URL_SCHEMES = ("redis", "rediss", "unix")
_SKEW_MS = TIMESTAMP_SKEW_SEC * 1000

_log = logging.getLogger("iron_fast.revocation")

# A check's cache key: (session id, subject, issued-at ms).
_CheckKey = tuple[str, str | None, int]
# A revocation to write: (Redis key, value, milliseconds to keep it).
_Write = tuple[str, bytes, int]


class StoreUnavailableError(IronError):
    """A revocation could not be written: the store refused, failed or did
    not answer within its ``timeout``. The revocation did not happen."""


@runtime_checkable
class RevocationStore(Protocol):
    """The contract both stores implement (see the module docstring)."""

    @property
    def on_error(self) -> Literal["deny", "allow"]:
        """What a ``"store-unavailable"`` verdict means to the caller."""

    @property
    def max_session_age(self) -> int:
        """Seconds a subject's epoch is kept: sessions must not be
        accepted for longer than this after they are issued."""

    @property
    def supports_sync(self) -> bool:
        """Whether ``check`` and the sync writes can be called."""

    @property
    def supports_async(self) -> bool:
        """Whether ``acheck`` and the async writes can be called."""

    def revoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None: ...

    async def arevoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None: ...

    def revoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None: ...

    async def arevoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None: ...

    def check(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict: ...

    async def acheck(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict: ...


# -- input checks (one home for the rules both stores apply) -------------


def check_subject(subject: object) -> str:
    """``subject`` if it is a usable subject: a non-empty ``str`` of at
    most 256 characters. TypeError or ValueError otherwise."""
    if type(subject) is not str:
        raise TypeError(
            f"a session subject must be a str, not {type(subject).__name__}"
        )
    if not subject:
        raise ValueError("a session subject must not be empty")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise ValueError(
            f"a session subject must be at most {MAX_SUBJECT_LENGTH} "
            f"characters, got {len(subject)}"
        )
    return subject


def _check_session_id(session_id: object) -> str:
    if type(session_id) is not str:
        raise TypeError(
            f"a session id must be a str, not {type(session_id).__name__}"
        )
    if not 0 < len(session_id) <= MAX_SESSION_ID_LENGTH:
        raise ValueError(
            f"a session id must be 1 to {MAX_SESSION_ID_LENGTH} characters"
        )
    return session_id


def _check_ms(name: str, value: object) -> int:
    if type(value) is not int:
        raise TypeError(
            f"{name} must be an int (milliseconds since 1970), not "
            f"{type(value).__name__}"
        )
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def _now_or(now_ms: int | None, clock: Callable[[], int]) -> int:
    return clock() if now_ms is None else _check_ms("now_ms", now_ms)


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


def _seconds(option: str, value: object, *, zero_ok: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{option} must be a number of seconds, not "
            f"{type(value).__name__}",
            option=option,
        )
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        bound = "0 or more" if zero_ok else "more than 0"
        raise ConfigError(
            f"{option} must be a finite number of seconds, {bound}, "
            f"got {value!r}",
            option=option,
        )
    return float(value)


def _max_session_age(value: object) -> int:
    if type(value) is not int or value <= 0:
        raise ConfigError(
            "max_session_age must be a positive int (seconds): the "
            "longest any session may be accepted after it is issued",
            option="max_session_age",
        )
    return value


def _on_error(value: object) -> Literal["deny", "allow"]:
    if value == "deny" and type(value) is str:
        return "deny"
    if value == "allow" and type(value) is str:
        return "allow"
    raise ConfigError(
        f'on_error must be "deny" or "allow", got {value!r}',
        option="on_error",
    )


def _verdict(
    session_entry: object, epoch_entry: object, issued_at_ms: int
) -> Verdict:
    """The verdict from the two entries as the store returned them."""
    if session_entry is not None:
        return REVOKED
    if epoch_entry is not None:
        try:
            epoch = int(epoch_entry)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            # Not written by us: treat it as a store that cannot answer,
            # so the caller's on_error decides rather than a guess here.
            return STORE_UNAVAILABLE
        if issued_at_ms < epoch:
            return REVOKED
    return None


# -- one process -----------------------------------------------------------


class MemoryRevocation:
    """The revocation contract in one process: thread-safe, for
    development, tests and single-process servers. Nothing is shared with
    other processes and nothing survives a restart.

    Entries expire on their own; expired ones are swept as the table
    grows, so memory stays bounded by the revocations still in force.
    It never fails, so ``on_error`` never applies.
    """

    __slots__ = (
        "_lock",
        "_max_session_age",
        "_monotonic",
        "_next_sweep",
        "_now_ms",
        "_sessions",
        "_subjects",
    )

    _SWEEP_AT_LEAST = 1024

    def __init__(self, *, max_session_age: int = DEFAULT_TTL) -> None:
        self._max_session_age = _max_session_age(max_session_age)
        self._lock = threading.Lock()
        # session id -> monotonic deadline; subject -> (epoch, deadline).
        self._sessions: dict[str, float] = {}
        self._subjects: dict[str, tuple[int, float]] = {}
        self._next_sweep = self._SWEEP_AT_LEAST
        # Replaceable clocks, so tests can move time without sleeping.
        self._monotonic: Callable[[], float] = time.monotonic
        self._now_ms: Callable[[], int] = _wall_ms

    def __repr__(self) -> str:
        return f"MemoryRevocation(max_session_age={self._max_session_age})"

    @property
    def on_error(self) -> Literal["deny", "allow"]:
        return "deny"

    @property
    def max_session_age(self) -> int:
        return self._max_session_age

    @property
    def supports_sync(self) -> bool:
        return True

    @property
    def supports_async(self) -> bool:
        return True

    def revoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None:
        _check_session_id(session_id)
        _check_ms("until_ms", until_ms)
        left_ms = until_ms - _now_or(now_ms, self._now_ms)
        if left_ms <= 0:
            return  # its seal is no longer accepted anyway
        with self._lock:
            deadline = self._monotonic() + left_ms / 1000
            old = self._sessions.get(session_id, 0.0)
            self._sessions[session_id] = max(old, deadline)
            self._sweep_if_due()

    async def arevoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None:
        self.revoke_session(session_id, until_ms, now_ms=now_ms)

    def revoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None:
        check_subject(subject)
        epoch = _now_or(issued_before_ms, self._now_ms)
        keep = self._max_session_age + TIMESTAMP_SKEW_SEC
        with self._lock:
            self._subjects[subject] = (epoch, self._monotonic() + keep)
            self._sweep_if_due()

    async def arevoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None:
        self.revoke_subject(subject, issued_before_ms=issued_before_ms)

    def check(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        _check_session_id(session_id)
        if subject is not None:
            check_subject(subject)
        _check_ms("issued_at_ms", issued_at_ms)
        now = self._monotonic()
        deadline = self._sessions.get(session_id)
        session_entry = (
            True if deadline is not None and deadline > now else None
        )
        epoch_entry = None
        if subject is not None:
            held = self._subjects.get(subject)
            if held is not None and held[1] > now:
                epoch_entry = held[0]
        return _verdict(session_entry, epoch_entry, issued_at_ms)

    async def acheck(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        return self.check(session_id, subject, issued_at_ms)

    def _sweep_if_due(self) -> None:
        # Called with the lock held. Sweeping when the table has doubled
        # keeps the cost per write constant on average.
        size = len(self._sessions) + len(self._subjects)
        if size < self._next_sweep:
            return
        now = self._monotonic()
        self._sessions = {k: d for k, d in self._sessions.items() if d > now}
        self._subjects = {
            k: v for k, v in self._subjects.items() if v[1] > now
        }
        size = len(self._sessions) + len(self._subjects)
        self._next_sweep = max(self._SWEEP_AT_LEAST, 2 * size)


# -- Redis -----------------------------------------------------------------


def _check_url(url: object) -> str:
    if not isinstance(url, str):
        raise ConfigError(
            f"the revocation store URL must be a str, not "
            f"{type(url).__name__}",
            option="revocation",
        )
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in _URL_SCHEMES:
        # The URL itself is not echoed: it may hold a password.
        shown = f"'{scheme}://'" if scheme.isalnum() else "no scheme"
        raise ConfigError(
            "the revocation store URL must start with redis://, rediss:// "
            f"or unix://, got {shown}",
            option="revocation",
        )
    from redis.connection import parse_url

    try:
        # redis-py's own reading of the URL, so that what passes here is
        # what its clients will accept.
        parse_url(url)  # type: ignore[no-untyped-call]
    except (TypeError, ValueError):
        raise ConfigError(
            "the revocation store URL cannot be parsed (its text is not "
            "shown: it may hold a password)",
            option="revocation",
        ) from None
    return url


def _shown_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` and the query (which
    may carry ``password=``) left out."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:***@{hostport}" if user else f":***@{hostport}"
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}{query}"


def _import_redis() -> Any:
    try:
        import redis
        import redis.asyncio
        import redis.backoff
    except ImportError:
        raise ConfigError(
            "RedisRevocation needs redis-py: pip install 'iron-fast[redis]'",
            option="revocation",
        ) from None
    return redis


def _client_kind(redis_mod: Any, client: object) -> str:
    """``"sync"`` or ``"async"`` for a redis-py client, else ConfigError."""
    if isinstance(
        client, redis_mod.asyncio.Redis | redis_mod.asyncio.RedisCluster
    ):
        return "async"
    if isinstance(client, redis_mod.Redis | redis_mod.RedisCluster):
        timeouts = _sync_timeouts(client)
        if None in timeouts:
            raise ConfigError(
                "the given redis.Redis client has no socket_timeout or "
                "socket_connect_timeout: a hung Redis would hang every "
                "request. Build it with socket_timeout=... and "
                "socket_connect_timeout=... (seconds), or pass a URL.",
                option="revocation",
            )
        return "sync"
    raise ConfigError(
        "client must be a redis-py client (redis.Redis, "
        "redis.asyncio.Redis or their Cluster variants), not "
        f"{type(client).__name__}",
        option="revocation",
    )


def _sync_timeouts(client: Any) -> tuple[object, object]:
    pool = getattr(client, "connection_pool", None)
    if pool is None:  # RedisCluster: each node's pool takes these
        kwargs = getattr(client, "nodes_manager", None)
        kwargs = getattr(kwargs, "connection_kwargs", {})
    else:
        kwargs = pool.connection_kwargs
    return kwargs.get("socket_timeout"), kwargs.get("socket_connect_timeout")


class RedisRevocation:
    """The revocation contract on Redis, shared by every process that
    uses the same server (see the module docstring for the methods).

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
        "_now_ms",
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
        self._cache_ttl = _seconds("cache_ttl", cache_ttl, zero_ok=True)
        self._timeout = _seconds("timeout", timeout, zero_ok=False)
        self._on_error = _on_error(on_error)
        self._max_session_age = _max_session_age(max_session_age)
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
        self._redis = _import_redis()
        self._url = None if url is None else _check_url(url)
        if client is None:
            self._kind = "url"
            self._client = None
        else:
            self._kind = _client_kind(self._redis, client)
            self._client = client
        self._aclients = weakref.WeakKeyDictionary()
        self._cache = {}
        self._lock = threading.Lock()
        self._monotonic: Callable[[], float] = time.monotonic
        self._now_ms: Callable[[], int] = _wall_ms

    def __repr__(self) -> str:
        if self._url is not None:
            source = f"{_shown_url(self._url)!r}"
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
        _check_session_id(session_id)
        _check_ms("issued_at_ms", issued_at_ms)
        names = [self._session_key(session_id)]
        if subject is not None:
            names.append(self._subject_key(check_subject(subject)))
        return names

    def check(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        key = (session_id, subject, issued_at_ms)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > self._monotonic():
            return hit[1]
        names = self._names(key)
        client = self._sync_client()
        try:
            entries = _pipelined_gets(client, names).execute()
        except Exception as exc:  # never a 5xx for a store failure
            _log_failure("check", exc)
            return STORE_UNAVAILABLE
        return self._settle(key, entries)

    async def acheck(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        key = (session_id, subject, issued_at_ms)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > self._monotonic():
            return hit[1]
        names = self._names(key)
        client = self._async_client()
        try:
            pipe = _pipelined_gets(client, names)
            entries = await asyncio.wait_for(pipe.execute(), self._timeout)
        except Exception as exc:  # never a 5xx for a store failure
            _log_failure("check", exc)
            return STORE_UNAVAILABLE
        return self._settle(key, entries)

    def _settle(self, key: _CheckKey, entries: list[object]) -> Verdict:
        epoch = entries[1] if len(entries) > 1 else None
        verdict = _verdict(entries[0], epoch, key[2])
        if verdict != STORE_UNAVAILABLE:
            self._remember(key, verdict)
        return verdict

    # -- writes: (key, value, milliseconds to keep it), or None --------------

    def _session_write(
        self, session_id: str, until_ms: int, now_ms: int | None
    ) -> _Write | None:
        _check_session_id(session_id)
        _check_ms("until_ms", until_ms)
        left_ms = until_ms - _now_or(now_ms, self._now_ms)
        if left_ms <= 0:
            return None  # its seal is no longer accepted anyway
        return self._session_key(session_id), b"1", left_ms

    def _subject_write(
        self, subject: str, issued_before_ms: int | None
    ) -> _Write:
        check_subject(subject)
        epoch = _now_or(issued_before_ms, self._now_ms)
        keep_ms = self._max_session_age * 1000 + _SKEW_MS
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
