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
from typing import TYPE_CHECKING, Any, Protocol

from iron_fast._core import Sealer
from iron_fast.cookies import CookieJar, ResponseJar, cookie_attributes
from iron_fast.errors import (
    BadSeal,
    ConfigError,
    CookieTooLarge,
    ExpiredSeal,
    UnknownPassword,
    UnsealError,
)
from iron_fast.limits import MAX_CHUNKS, MAX_COOKIE_BYTES

if TYPE_CHECKING:
    from iron_fast.session_config import SessionConfig

__all__ = ["SessionCodec", "SessionSealer"]


class SessionSealer(Protocol):
    """What the codec needs of a sealer: ``iron_fast.Sealer`` is one;
    tests hand the codec another (fixed salts and clock)."""

    def seal(self, data: object) -> str: ...

    def unseal(self, seal: str) -> Any: ...

    def unseal_or_none(self, seal: str) -> tuple[Any, str | None]: ...


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


def _sealer_of(config: SessionConfig) -> SessionSealer:
    passwords = config.password
    assert isinstance(passwords, Mapping)  # normalised by the config
    return Sealer(
        {str(pid): secret for pid, secret in passwords.items()},
        ttl=config.seal_ttl,
    )


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
    them for another configuration."""

    __slots__ = (
        "_chunk_budget",
        "_chunk_names",
        "_clock",
        "_expire_suffix",
        "_expires_at",
        "_make_sealer",
        "_save_suffix",
        "_sealer",
        "config",
    )

    def __init__(
        self,
        config: SessionConfig,
        *,
        sealer: Callable[[SessionConfig], SessionSealer] | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self.config = config
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

    def now_ms(self) -> int:
        """The codec's clock, in milliseconds since 1970."""
        return self._clock()

    # -- reading --------------------------------------------------------

    def request_seal(self, jar: CookieJar) -> str | None:
        """The request's seal: its session cookie, or its chunks joined
        (iron-session 9: ``name.0``, ``name.1``, ... up to the first gap;
        no count cookie, it would be attacker-controlled: the HMAC covers
        the whole seal, so a missing or foreign chunk just fails it)."""
        read = jar.read
        seal = read(self.config.cookie_name)
        if seal:
            return seal
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
        if not seal:
            return None
        value, reason = self._sealer.unseal_or_none(seal)
        if reason is None and (type(value) is dict or value is None):
            return value
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
        return None

    def read(self, jar: CookieJar) -> dict[str, Any] | None:
        """The data of the request's session: ``open(request_seal(jar))``."""
        return self.open(self.request_seal(jar))

    def sent_cookies(self, jar: CookieJar) -> list[str]:
        """The names of the session cookies the request sent: the cookie,
        or its chunks up to the first gap (what ``request_seal`` joins)."""
        if jar.read(self.config.cookie_name):
            return [self.config.cookie_name]
        names = []
        for name in self._chunk_names:
            if not jar.read(name):
                break
            names.append(name)
        return names

    def sent(self, jar: CookieJar) -> bool:
        """Whether the request sent a session cookie (whole or chunked)."""
        read = jar.read
        return bool(
            read(self.config.cookie_name) or read(self._chunk_names[0])
        )

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

    def save(self, jar: CookieJar, data: object) -> str:
        """Seal ``data`` and write it as the session cookie (or chunks),
        expiring the request's cookies the new state does not use; the
        seal is returned. Raises CookieTooLarge when it does not fit
        (nothing is written), SerializationError for data that is not
        plain JSON, ConfigError when ``expires`` has passed."""
        self._check_expires()
        seal = self._sealer.seal(data)
        name = self.config.cookie_name
        line = f"{name}={seal}{self._save_suffix}"
        # Browsers count UTF-8 bytes; every part is ASCII by construction,
        # and isascii() is O(1), so the fallback never costs in practice.
        size = len(line) if line.isascii() else len(line.encode())
        if size <= MAX_COOKIE_BYTES:
            jar.write(name, seal, line)
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

    def destroy(self, jar: CookieJar) -> None:
        """iron-session's ``destroy()``: expire the session cookie, and
        each chunk cookie the request sent."""
        self._expire(jar, self.config.cookie_name)
        self._expire_chunks(jar, first=0)

    def clear(self, jar: ResponseJar) -> None:
        """A framework's logout by emptying the session: forget what this
        request wrote so far, and expire the session cookies the request
        sent (a request that sent none gets no Set-Cookie at all)."""
        jar.lines.clear()
        if self.sent(jar):
            self.destroy(jar)

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
                f"({_iso(expires)}), so the browser would discard "
                "the cookie and the session would never persist. This "
                "usually means the datetime was computed once at start-up; "
                "use ttl instead.",
                option="cookie_options['expires']",
            )


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _epoch_ms(when: datetime) -> int:
    # Exact, unlike timestamp() * 1000; JavaScript dates count whole ms.
    return (when - _EPOCH) // timedelta(milliseconds=1)


def _iso(when: datetime) -> str:
    # JavaScript's Date.prototype.toISOString, as iron-session prints it.
    utc = when.astimezone(timezone.utc)
    return (
        utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    )
