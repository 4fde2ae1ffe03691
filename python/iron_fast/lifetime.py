# SPDX-License-Identifier: MIT
"""Session lifetime rules: the idle and absolute timeouts and revocation
(SessionConfig's ``idle_timeout``, ``absolute_timeout``, ``revocation``),
compiled once per configuration, and the metadata they keep in the seal.

The metadata lives in the sealed JSON under one reserved key (``"_iron"``
by default, SessionConfig's ``metadata_key``), as
``{"id": <random id>, "iat": <issued at>, "seen": <last seen>, "sub":
<subject>}`` (times in milliseconds since 1970, ``sub`` only when set).
The application never sees it in the session dict. ``seen`` is the time
of the seal: re-sealing refreshes it, and keeps ``id`` and ``iat``.

The rules, in the order a request's session meets them: ``"absolute"``
(``absolute_timeout`` seconds after ``iat``), ``"idle"``
(``idle_timeout`` seconds after ``seen``), then ``"revoked"`` or
``"store-unavailable"`` from the revocation store (one check, in one
round trip, only when the rules before it passed). A session is due for
a fresh seal when more than half of ``idle_timeout`` has passed since
``seen``: at most one re-seal per half window, so a session is kept
alive by requests and ends between ``idle_timeout / 2`` and
``idle_timeout`` after the last one.

With a revocation store, no session is accepted more than the store's
``max_session_age`` after it was issued (reason ``"absolute"``), since a
subject's revocation is kept that long; ``absolute_timeout`` may only
shorten that.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from iron_fast.errors import ConfigError
from iron_fast.limits import TIMESTAMP_SKEW_SEC
from iron_fast.revocation import (
    RevocationStore,
    check_subject,
)

if TYPE_CHECKING:
    from iron_fast.session_config import SessionConfig

__all__ = ["DEFAULT_METADATA_KEY", "Lifetime", "SessionMeta"]

DEFAULT_METADATA_KEY: Final = "_iron"
# 128 random bits, base64url (22 characters).
_ID_BYTES = 16
_SKEW_MS = TIMESTAMP_SKEW_SEC * 1000


@dataclass(frozen=True, slots=True)
class SessionMeta:
    """A session's identity: its random ``id``, when it was issued
    (``issued_at``) and last sealed (``last_seen``), in milliseconds
    since 1970, and whose it is (``subject``)."""

    id: str
    issued_at: int
    last_seen: int
    subject: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "iat": self.issued_at,
            "seen": self.last_seen,
        }
        if self.subject is not None:
            data["sub"] = self.subject
        return data


def _meta_from(raw: object) -> SessionMeta | None:
    """The metadata as sealed, or None if it is not what we write (a
    foreign writer's: the session is then invalid)."""
    if type(raw) is not dict:
        return None
    sid, iat, seen = raw.get("id"), raw.get("iat"), raw.get("seen")
    sub = raw.get("sub")
    if not (type(sid) is str and 0 < len(sid) <= 128):
        return None
    if type(iat) is not int or type(seen) is not int:
        return None
    if sub is not None:
        try:
            check_subject(sub)
        except (TypeError, ValueError):
            return None
    return SessionMeta(sid, iat, seen, sub)


class Lifetime:
    """The lifetime rules of one SessionConfig (``codec.lifetime``; None
    when none of the three options is set)."""

    __slots__ = ("absolute_ms", "idle_ms", "key", "seal_ttl_ms", "store")

    def __init__(self, config: SessionConfig) -> None:
        store = config.revocation
        self.store: RevocationStore | None = store
        self.key = config.metadata_key
        self.idle_ms = (config.idle_timeout or 0) * 1000
        absolute = config.absolute_timeout
        if store is not None:
            limit = store.max_session_age
            absolute = limit if absolute is None else min(absolute, limit)
        self.absolute_ms = (absolute or 0) * 1000
        self.seal_ttl_ms = config.seal_ttl * 1000

    @classmethod
    def of(cls, config: SessionConfig) -> Lifetime | None:
        if (
            config.idle_timeout is None
            and config.absolute_timeout is None
            and config.revocation is None
        ):
            return None
        return cls(config)

    def split(
        self, data: dict[str, Any], now_ms: int
    ) -> tuple[SessionMeta | None, str | None]:
        """Take the metadata out of ``data`` (in place) and apply the
        timeouts: ``(meta, None)``, or ``(None, reason)`` for a session
        that has ended. A seal without metadata (written before these
        options, or by a writer that does not know them) is adopted:
        ``(None, None)``, and it is due for a fresh seal."""
        raw = data.pop(self.key, None)
        if raw is None:
            return None, None
        meta = _meta_from(raw)
        if meta is None:
            return None, "invalid"
        if self.absolute_ms and now_ms - meta.issued_at >= self.absolute_ms:
            return None, "absolute"
        if self.idle_ms and now_ms - meta.last_seen >= self.idle_ms:
            return None, "idle"
        return meta, None

    def due(self, meta: SessionMeta | None, now_ms: int) -> bool:
        """Whether the session should be re-sealed now (see the module
        docstring: at most once per half idle window)."""
        if meta is None:
            return True
        return bool(self.idle_ms) and (
            2 * (now_ms - meta.last_seen) >= self.idle_ms
        )

    def stamp(self, meta: SessionMeta | None, now_ms: int) -> SessionMeta:
        """The metadata to seal now: ``meta`` seen now, or a new
        session's."""
        if meta is None:
            return SessionMeta(new_session_id(), now_ms, now_ms)
        return SessionMeta(meta.id, meta.issued_at, now_ms, meta.subject)

    def with_subject(
        self, meta: SessionMeta | None, subject: str | None, now_ms: int
    ) -> SessionMeta:
        """``meta`` for a new subject. A change of subject (a login, or a
        logout that keeps the session) starts a new session: a new id,
        issued now, so that revocations of the subject made before it do
        not end it and ``absolute_timeout`` counts from it."""
        if subject is not None:
            check_subject(subject)
        if meta is not None and meta.subject == subject:
            return meta
        return SessionMeta(new_session_id(), now_ms, now_ms, subject)

    def payload(
        self, data: Mapping[str, Any], meta: SessionMeta
    ) -> dict[str, Any]:
        """What is sealed: the application's data and the metadata."""
        if self.key in data:
            raise ValueError(
                f"the session key {self.key!r} is reserved for iron_fast's "
                "session metadata (SessionConfig's metadata_key): store "
                "the value under another key"
            )
        return {**data, self.key: meta.to_json()}

    def revoked_until(self, meta: SessionMeta, now_ms: int) -> int:
        """The last instant (ms) a seal of this session could be accepted:
        a revocation need not be kept any longer. Any copy of the cookie
        was sealed at ``now_ms`` at the latest (a copy re-sealed by whoever
        holds it is refused from now on), hence ``now_ms`` plus the seal's
        ttl, within the absolute limit."""
        ends = []
        if self.seal_ttl_ms:
            ends.append(now_ms + self.seal_ttl_ms)
        if self.absolute_ms:
            ends.append(meta.issued_at + self.absolute_ms)
        if not ends:  # no store, no limit: never reached with a store
            raise ConfigError(
                "these sessions never end: revoking one needs a ttl or "
                "absolute_timeout",
                option="revocation",
            )
        return min(ends) + _SKEW_MS


def new_session_id() -> str:
    return secrets.token_urlsafe(_ID_BYTES)
