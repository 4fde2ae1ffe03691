# SPDX-License-Identifier: MIT
"""SessionCodec: everything between a cookie jar and a seal, compiled once
per SessionConfig. It reads the request's session (the cookie, or its
chunks joined), writes a save (sealed, split into chunks, stale chunks
expired) and a destroy. The session object and every framework adapter
go through its public methods; none of them knows how chunks are named.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

from iron_fast._core import Sealer
from iron_fast.cookies import (
    CookieJar,
    ResponseJar,
    cookie_attributes,
    format_iso,
)
from iron_fast.errors import (
    BadSeal,
    ConfigError,
    CookieTooLarge,
    ExpiredSeal,
    SessionEnded,
    UnknownPassword,
    UnsealError,
)
from iron_fast.lifetime import Lifetime, SessionMeta
from iron_fast.limits import MAX_CHUNKS, MAX_COOKIE_BYTES, MAX_HEADER_BYTES
from iron_fast.revocation import STORE_UNAVAILABLE, RevocationStore

if TYPE_CHECKING:
    from iron_fast.session_config import SessionConfig

__all__ = ["Opened", "SessionCodec", "SessionEnvelope", "SessionSealer"]


class SessionSealer(Protocol):
    """What the codec needs of a sealer: ``iron_fast.Sealer`` is one;
    tests hand the codec another (fixed salts and clock)."""

    def seal(self, data: object) -> str: ...

    def unseal(self, seal: str) -> Any: ...

    def unseal_or_none(self, seal: str) -> tuple[Any, str | None]: ...


class SessionEnvelope(Protocol):
    """A session stored otherwise than iron-session stores it (h3's, from
    ``iron_fast.h3``): what is sealed around the data, and the cookies'
    names and attributes. The codec hands it each step; the transport
    (cookie or header) stays the codec's."""

    def sealer(self, config: SessionConfig) -> SessionSealer:
        """The sealer of ``config``'s sessions."""
        ...

    def unwrap(
        self,
        config: SessionConfig,
        value: Any,
        reason: str | None,
        now_ms: int,
    ) -> tuple[dict[str, Any] | None, str | None, Any]:
        """``(data, None, state)`` for what the sealer opened (``value``,
        or ``reason`` why it did not), or ``(None, reason, None)``; the
        state goes back to ``wrap`` when the session is saved."""
        ...

    def wrap(
        self, config: SessionConfig, data: object, state: Any, now_ms: int
    ) -> tuple[object, int | None]:
        """What to seal for ``data`` (``state`` from the request's seal,
        None for a new session), and when the cookie expires (ms since
        1970) if it carries Expires."""
        ...

    def reseal(self, state: Any) -> bool:
        """Whether a seal read from a cookie is rewritten at once."""
        ...

    def cookie_seal(self, config: SessionConfig, jar: CookieJar) -> str | None:
        """The request's seal, from its cookie (or chunks)."""
        ...

    def write_cookie(
        self,
        config: SessionConfig,
        jar: CookieJar,
        seal: str,
        expires_ms: int | None,
    ) -> None:
        """Write ``seal`` as the session cookie (or chunks)."""
        ...

    def destroy_cookie(self, config: SessionConfig, jar: CookieJar) -> None:
        """Clear the session cookie (and chunks) the request sent."""
        ...


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


def _sealer_of(config: SessionConfig) -> SessionSealer:
    if config.envelope is not None:
        return config.envelope.sealer(config)
    passwords = config.password
    assert isinstance(passwords, Mapping)  # normalised by the config
    return Sealer(
        {str(pid): secret for pid, secret in passwords.items()},
        ttl=config.seal_ttl,
        iterations=config.iterations,
    )


class Opened(NamedTuple):
    """A request's session as the codec read it: the application's
    ``data`` (None: an empty session), its lifetime ``meta`` (None
    without the lifetime options, or for a session not sealed yet), and
    whether it is due for a fresh seal (``refresh``)."""

    data: dict[str, Any] | None
    meta: SessionMeta | None = None
    refresh: bool = False


_EMPTY = Opened(None)

_REASON_ERRORS: dict[str, type[UnsealError]] = {
    "invalid": BadSeal,
    "expired": ExpiredSeal,
    "unknown-password": UnknownPassword,
}


class SessionCodec:
    """The cookie work of one SessionConfig (``config.codec``).

    ``sealer(config)`` makes the sealer (by default a ``Sealer`` of the
    config's passwords and seal ttl) and ``clock()`` reads the time in
    milliseconds since 1970 (by default the wall clock): tests pass their
    own to make seals and time deterministic. ``derive(config)`` keeps
    them for another configuration.

    ``lifetime`` holds the rules of ``idle_timeout``, ``absolute_timeout``
    and ``revocation`` (None without them: then nothing is added to the
    seal and no store is called); ``load``/``aload`` apply them."""

    __slots__ = (
        "_chunk_budget",
        "_chunk_names",
        "_clock",
        "_envelope",
        "_expire_suffix",
        "_expires_at",
        "_make_sealer",
        "_name",
        "_plain",
        "_save_suffix",
        "_sealer",
        "config",
        "lifetime",
    )

    def __init__(
        self,
        config: SessionConfig,
        *,
        sealer: Callable[[SessionConfig], SessionSealer] | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self.config = config
        self._envelope = config.envelope
        self._make_sealer = sealer
        self._sealer = (sealer or _sealer_of)(config)
        self._clock = clock or _wall_ms
        name = config.cookie_name
        options = {**config.cookie_options, "max_age": config.max_age}
        attributes, expires = cookie_attributes(options)
        self._expires_at = expires
        save_suffix = attributes
        if config.max_age is not None:
            save_suffix = f"; Max-Age={config.max_age}{attributes}"
        self._save_suffix = save_suffix
        self._expire_suffix = f"; Max-Age=0{attributes}"
        # Every chunk name has one digit (MAX_CHUNKS <= 10), so one budget
        # fits all of them; all parts are ASCII, so len() counts bytes.
        self._chunk_budget = (
            MAX_COOKIE_BYTES - len(f"{name}.0=") - len(save_suffix)
        )
        self._chunk_names = tuple(f"{name}.{i}" for i in range(MAX_CHUNKS))
        self.lifetime = Lifetime.of(config)
        self._name = name
        # Nothing around this configuration's seal: no envelope, no
        # lifetime metadata, no header transport, no fixed expiry to check.
        # Reading is then the cookie unsealed and saving the data sealed
        # into the cookie, each in one method: the steps it skips cost an
        # adapter's request a measured share of its time (CHANGELOG.md).
        self._plain = (
            self._envelope is None
            and self.lifetime is None
            and config.header is None
            and expires is None
        )
        if clock is None:  # the config's own codec: fail at start-up
            self._check_expires()

    def derive(self, config: SessionConfig) -> SessionCodec:
        """The codec of ``config``, with this codec's sealer and clock if
        it was given its own."""
        if self._make_sealer is None and self._clock is _wall_ms:
            return config.codec
        return SessionCodec(
            config, sealer=self._make_sealer, clock=self._clock
        )

    def request_header(self, jar: CookieJar) -> str | None:
        """The session header's value in the request (the jar's
        ``session_header``), or None: no header configured, or none sent,
        so the request is no header client."""
        if self.config.header is None:
            return None
        return getattr(jar, "session_header", None)

    def now_ms(self) -> int:
        """The codec's clock, in milliseconds since 1970."""
        return self._clock()

    # -- reading --------------------------------------------------------

    def request_seal(self, jar: CookieJar) -> str | None:
        """The request's seal: its session cookie, or its chunks joined
        (iron-session 9: ``name.0``, ``name.1``, ... up to the first gap;
        no count cookie, it would be attacker-controlled: the HMAC covers
        the whole seal, so a missing or foreign chunk just fails it).
        Without a cookie, a header client's session header (up to
        ``MAX_HEADER_BYTES``: a longer one is no session)."""
        seal = self._cookie_seal(jar)
        if seal:
            return seal
        header = self.request_header(jar)
        if header and len(header) <= MAX_HEADER_BYTES:
            return header
        return None

    def _cookie_seal(self, jar: CookieJar) -> str | None:
        if self._envelope is not None:
            return self._envelope.cookie_seal(self.config, jar)
        return jar.read(self._name) or self._joined_chunks(jar)

    def _joined_chunks(self, jar: CookieJar) -> str | None:
        read = jar.read
        names = self._chunk_names
        seal = read(names[0])
        if not seal:
            return None
        for name in names[1:]:
            part = read(name)
            if not part:
                break
            seal += part
        return seal

    def open(self, seal: str | None) -> dict[str, Any] | None:
        """The data of a seal, or None (an empty session) for a missing
        or unreadable one, which is reported to ``on_unseal_error``."""
        return self._open(seal)[0]

    def _open(
        self, seal: str | None, *, report: bool = True
    ) -> tuple[dict[str, Any] | None, Any]:
        """The data of a seal and the envelope's state (None without an
        envelope), reporting an unreadable seal to the hook."""
        if not seal:
            return None, None
        value, reason = self._sealer.unseal_or_none(seal)
        state = None
        if self._envelope is not None:
            value, reason, state = self._envelope.unwrap(
                self.config, value, reason, self._clock()
            )
        if reason is None and (type(value) is dict or value is None):
            return value, state
        if report:
            self._report(seal, value, reason)
        return None, None

    def _report(self, seal: str, value: Any, reason: str | None) -> None:
        hook = self.config.on_unseal_error
        if hook is None:  # nobody to tell: skip building the error
            return None
        if reason is None:
            # A seal of a list or a scalar: genuine, but not a session
            # (iron-session 9 fails with a TypeError there).
            reason = "invalid"
            error: UnsealError = BadSeal(
                f"the seal holds a {type(value).__name__}, not an object"
            )
        else:
            error = self._unseal_error(seal, reason)
        hook(reason, error)

    def read(self, jar: CookieJar) -> dict[str, Any] | None:
        """The data of the request's session: ``load(jar).data``."""
        return self.load(jar).data

    # -- reading, with the lifetime rules ---------------------------------

    def load(self, jar: CookieJar) -> Opened:
        """The request's session, with the lifetime rules applied (the
        revocation store asked through its sync client)."""
        if self._plain:  # the cookie, unsealed (``_open`` in one step)
            seal = jar.read(self._name) or self._joined_chunks(jar)
            if not seal:
                return _EMPTY
            value, reason = self._sealer.unseal_or_none(seal)
            if reason is None and (type(value) is dict or value is None):
                return Opened(value)
            self._report(seal, value, reason)
            return _EMPTY
        seal = self.request_seal(jar)
        return self._resealed(jar, seal, self.load_seal(seal))

    async def aload(self, jar: CookieJar) -> Opened:
        """``load`` for async adapters: the store is awaited."""
        if self._plain:  # no store: nothing to await
            return self.load(jar)
        seal = self.request_seal(jar)
        if self.lifetime is None:  # no store: nothing to await
            opened = Opened(self.open(seal))
        else:
            opened = await self.aload_seal(seal)
        return self._resealed(jar, seal, opened)

    def _resealed(
        self, jar: CookieJar, seal: str | None, opened: Opened
    ) -> Opened:
        """``opened``, its cookie rewritten now if the envelope asks for
        it (h3 2.x rewrites 1-iteration seals as soon as it reads them)."""
        envelope = self._envelope
        if (
            envelope is None
            or opened.data is None
            or self.request_header(jar) is not None
        ):
            return opened
        # The seal again (a hit in the sealer's cache), for its state.
        state = self._open(seal, report=False)[1]
        if state is not None and envelope.reseal(state):
            self.save(jar, opened.data, self.stamp(opened.meta))
        return opened

    def load_seal(self, seal: str | None) -> Opened:
        """``load`` of a seal already taken from the request."""
        opened, store = self._open_timed(seal)
        if store is None or opened.meta is None:
            return opened
        meta = opened.meta
        verdict = store.check(meta.id, meta.subject, meta.issued_at)
        return opened if self._accepts(verdict, store) else _EMPTY

    async def aload_seal(self, seal: str | None) -> Opened:
        """``load_seal`` for async adapters: the store is awaited."""
        opened, store = self._open_timed(seal)
        if store is None or opened.meta is None:
            return opened
        meta = opened.meta
        verdict = await store.acheck(meta.id, meta.subject, meta.issued_at)
        return opened if self._accepts(verdict, store) else _EMPTY

    def _open_timed(
        self, seal: str | None
    ) -> tuple[Opened, RevocationStore | None]:
        """The seal opened and the timeouts applied; the store to ask
        next, if any (None: the answer is final)."""
        data = self.open(seal)
        lifetime = self.lifetime
        if data is None or lifetime is None:
            return Opened(data), None
        return self._timed(lifetime, data), lifetime.store

    def _timed(self, lifetime: Lifetime, data: dict[str, Any]) -> Opened:
        now = self._clock()
        meta, reason = lifetime.split(data, now)
        if reason is not None:
            self._ended(reason)
            return _EMPTY
        return Opened(data, meta, lifetime.due(meta, now))

    def _accepts(self, verdict: str | None, store: RevocationStore) -> bool:
        if verdict is None:
            return True
        self._ended(verdict)
        return verdict == STORE_UNAVAILABLE and store.on_error == "allow"

    def _ended(self, reason: str) -> None:
        hook = self.config.on_unseal_error
        if hook is not None:
            error: UnsealError = SessionEnded(reason)
            if reason == "invalid":
                error = BadSeal("the session metadata is not iron_fast's")
            hook(reason, error)

    # -- the lifetime metadata --------------------------------------------

    def stamp(self, meta: SessionMeta | None) -> SessionMeta | None:
        """The metadata the next seal carries (``meta`` seen now, or a new
        session's); None without the lifetime options."""
        if self.lifetime is None:
            return None
        return self.lifetime.stamp(meta, self._clock())

    def with_subject(
        self, meta: SessionMeta | None, subject: str | None
    ) -> SessionMeta:
        """``meta`` with another subject (see ``Lifetime.with_subject``);
        ConfigError without the lifetime options."""
        return self._lifetime("session.subject").with_subject(
            meta, subject, self._clock()
        )

    def revoke(self, meta: SessionMeta) -> None:
        """Write the session's revocation to the store (sync client)."""
        store, until, now = self._revocation_of(meta)
        store.revoke_session(meta.id, until, now_ms=now)

    async def arevoke(self, meta: SessionMeta) -> None:
        """``revoke`` for async adapters: the store write is awaited."""
        store, until, now = self._revocation_of(meta)
        await store.arevoke_session(meta.id, until, now_ms=now)

    def _revocation_of(
        self, meta: SessionMeta
    ) -> tuple[RevocationStore, int, int]:
        lifetime = self.check_revocation()
        assert lifetime.store is not None  # check_revocation() says so
        now = self._clock()
        return lifetime.store, lifetime.revoked_until(meta, now), now

    def check_store_client(self, *, is_async: bool, adapter: str) -> None:
        """ConfigError if the revocation store cannot serve ``adapter``:
        async adapters need its asyncio client, sync ones its sync one
        (a store built from a URL has both)."""
        store = None if self.lifetime is None else self.lifetime.store
        if store is None:
            return
        if is_async and not store.supports_async:
            raise ConfigError(
                f"{adapter} is async and never blocks its event loop on the "
                "revocation store: give the store a redis.asyncio client, "
                "or a URL",
                option="revocation",
            )
        if not is_async and not store.supports_sync:
            raise ConfigError(
                f"{adapter} is sync: give the revocation store a sync "
                "redis.Redis client, or a URL",
                option="revocation",
            )

    def _lifetime(self, what: str) -> Lifetime:
        if self.lifetime is None:
            raise ConfigError(
                f"{what} needs one of SessionConfig's idle_timeout, "
                "absolute_timeout or revocation options",
                option="revocation",
            )
        return self.lifetime

    def check_revocation(self) -> Lifetime:
        """The lifetime rules, if they have a revocation store; else
        ConfigError (what ``session.revoke()`` raises without one)."""
        lifetime = self._lifetime("session.revoke()")
        if lifetime.store is None:
            raise ConfigError(
                "session.revoke() needs a revocation store: "
                "SessionConfig(revocation=RedisRevocation(...))",
                option="revocation",
            )
        return lifetime

    def sent_cookies(self, jar: CookieJar) -> list[str]:
        """The names of the session cookies the request sent: the cookie,
        or its chunks up to the first gap (what ``request_seal`` joins)."""
        if jar.read(self._name):
            return [self._name]
        names = []
        for name in self._chunk_names:
            if not jar.read(name):
                break
            names.append(name)
        return names

    def sent(self, jar: CookieJar) -> bool:
        """Whether the request sent a session: a cookie (whole or
        chunked), or a non-empty session header."""
        return bool(self._cookie_seal(jar) or self.request_header(jar))

    def _unseal_error(self, seal: str, reason: str) -> UnsealError:
        # Only reached for a bad cookie: open it again strictly to hand
        # the hook the precise error (its message says which check
        # failed), which the never-raising path does not build.
        try:
            self._sealer.unseal(seal)
        except UnsealError as error:
            return error
        return _REASON_ERRORS.get(reason, BadSeal)(
            f"the session cookie could not be read ({reason})"
        )

    # -- writing --------------------------------------------------------

    def save(
        self, jar: CookieJar, data: object, meta: SessionMeta | None = None
    ) -> str:
        """Seal ``data`` (with ``meta``, from ``stamp()``, under the
        metadata key when the lifetime options are on) and write it as the
        session cookie (or chunks), expiring the request's cookies the new
        state does not use; the seal is returned. Raises CookieTooLarge
        when it does not fit (nothing is written), SerializationError for
        data that is not plain JSON, ConfigError when ``expires`` has
        passed, ValueError for data under the reserved metadata key."""
        if self._plain:
            seal = self._sealer.seal(data)
        else:
            seal, sent = self._wrapped_seal(jar, data, meta)
            if sent:  # in the session header, or the envelope's cookies
                return seal
        name = self._name
        line = f"{name}={seal}{self._save_suffix}"
        # Browsers count UTF-8 bytes; every part is ASCII by construction,
        # and isascii() is O(1), so the fallback never costs in practice.
        size = len(line) if line.isascii() else len(line.encode())
        if size <= MAX_COOKIE_BYTES:
            jar.write(name, seal, line)
            # _expire_chunks looks for a .0 too (for destroy); looking here
            # first is part of the plain path's measured gain (CHANGELOG.md).
            if jar.read(self._chunk_names[0]):  # it was chunked before
                self._expire_chunks(jar, first=0)
            return seal
        count = self._chunk_count(jar, size, len(seal))
        budget = self._chunk_budget
        for index, chunk in enumerate(self._chunk_names[:count]):
            part = seal[index * budget : (index + 1) * budget]
            jar.write(chunk, part, f"{chunk}={part}{self._save_suffix}")
        if jar.read(name):
            self._expire(jar, name)
        self._expire_chunks(jar, first=count)
        return seal

    def _wrapped_seal(
        self, jar: CookieJar, data: object, meta: SessionMeta | None
    ) -> tuple[str, bool]:
        """``save``'s seal of a configuration that is not plain, and
        whether it is already sent (as the session header, or as the
        envelope's cookies)."""
        self._check_expires()
        if meta is not None and self.lifetime is not None:
            data = self.lifetime.payload(cast(Mapping[str, Any], data), meta)
        expires_ms = None
        if self._envelope is not None:
            # The request's seal again (a hit in the sealer's cache): its
            # envelope keeps what the new seal carries over (h3's id).
            state = self._open(self.request_seal(jar), report=False)[1]
            data, expires_ms = self._envelope.wrap(
                self.config, data, state, self._clock()
            )
        seal = self._sealer.seal(data)
        if self.request_header(jar) is not None:
            self._send_header(jar, seal)
            return seal, True
        if self._envelope is not None:
            self._envelope.write_cookie(self.config, jar, seal, expires_ms)
            return seal, True
        return seal, False

    def destroy(self, jar: CookieJar) -> None:
        """iron-session's ``destroy()``: expire the session cookie, and
        each chunk cookie the request sent. A header client gets an empty
        session header, and a Set-Cookie only for a cookie it sent."""
        if self.request_header(jar) is not None:
            jar.header_out = ""  # type: ignore[attr-defined]
            if not self._cookie_seal(jar):
                return
        if self._envelope is not None:
            self._envelope.destroy_cookie(self.config, jar)
            return
        self._expire(jar, self._name)
        self._expire_chunks(jar, first=0)

    def clear(self, jar: ResponseJar) -> None:
        """A framework's logout by emptying the session: forget what this
        request wrote so far, and expire the session cookies the request
        sent (a request that sent none gets no Set-Cookie at all), or
        send a header client's empty header if it sent one."""
        jar.lines.clear()
        jar.header_out = None
        if self.sent(jar):
            self.destroy(jar)

    def _send_header(self, jar: CookieJar, seal: str) -> None:
        if len(seal) > MAX_HEADER_BYTES:
            raise CookieTooLarge(
                f"the session is too big for the {self.config.header} "
                f"header ({len(seal)} bytes, over {MAX_HEADER_BYTES}): "
                "store an id in the session and keep the data server-side",
                size=len(seal),
            )
        jar.header_out = seal  # type: ignore[attr-defined]

    def _expire(self, jar: CookieJar, name: str) -> None:
        jar.write(name, "", f"{name}={self._expire_suffix}")

    def _expire_chunks(self, jar: CookieJar, *, first: int) -> None:
        # Chunk cookies the request carried that the new state does not
        # use: left behind, a stale chunk would be joined to the new ones
        # on the next read, fail the HMAC, and sign the user out. Chunks
        # are written from .0 up, so no .0 means none to look for.
        read = jar.read
        names = self._chunk_names
        if first == 0 and not read(names[0]):
            return
        for chunk in names[first:]:
            if read(chunk):
                self._expire(jar, chunk)

    def _chunk_count(self, jar: CookieJar, size: int, length: int) -> int:
        if not self.config.chunk:
            if jar.read(self._chunk_names[0]):
                # The request was chunked: another options object without
                # chunk=True is the likely cause, not a session that grew.
                hint = (
                    "chunk=True is not set here, but this session is "
                    "already stored across several cookies: use the same "
                    "options, with chunk=True, everywhere this session is "
                    "opened"
                )
            else:
                hint = (
                    "remove some data from the session, or pass chunk=True "
                    f"to split it across up to {MAX_CHUNKS} cookies"
                )
            raise CookieTooLarge(
                f"the session cookie is too big ({size} bytes, over the "
                f"{MAX_COOKIE_BYTES} bytes browsers accept): {hint}",
                size=size,
            )
        budget = self._chunk_budget
        if budget <= 0:
            raise CookieTooLarge(
                f"the cookie name and options alone take "
                f"{MAX_COOKIE_BYTES - budget} bytes, which leaves no room "
                "for session data: use a shorter cookie name",
                size=size,
            )
        count = -(-length // budget)
        if count > MAX_CHUNKS:
            raise CookieTooLarge(
                f"the session needs {count} cookies ({size} bytes) and the "
                f"maximum is {MAX_CHUNKS}: every cookie is sent on every "
                "request and proxies commonly cap the Cookie header at 8 "
                "KB. Store an id in the session and keep the data "
                "server-side.",
                size=size,
            )
        return count

    def _check_expires(self) -> None:
        """iron-session 9's rule: an ``expires`` in the past makes the
        browser drop the cookie at once, so the session would never
        persist. Checked at build and again at every save, because an
        ``expires`` computed once at start-up drifts into the past."""
        expires = self._expires_at
        if expires is None:
            return
        if _epoch_ms(expires) < self._clock():
            raise ConfigError(
                "cookie_options['expires'] is in the past "
                f"({format_iso(expires)}), so the browser would discard "
                "the cookie and the session would never persist. This "
                "usually means the datetime was computed once at start-up; "
                "use ttl instead.",
                option="cookie_options['expires']",
            )


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _epoch_ms(when: datetime) -> int:
    # Exact, unlike timestamp() * 1000; JavaScript dates count whole ms.
    return (when - _EPOCH) // timedelta(milliseconds=1)
