# SPDX-License-Identifier: MIT
"""h3's sessions (the server behind Nuxt): ``h3_config`` gives the
SessionConfig that reads and writes the cookie h3's ``useSession`` does,
for h3 1.x (``version=1``) or 2.x (``version=2``)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

from iron_fast._core import Sealer
from iron_fast.codec import SessionSealer
from iron_fast.cookies import CookieJar, cookie_attributes
from iron_fast.errors import BadSeal, ConfigError, CookieTooLarge
from iron_fast.limits import MAX_CHUNKS, MAX_COOKIE_BYTES
from iron_fast.session_config import SessionConfig, SessionOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["H3_ITERATIONS", "h3_config"]

# The PBKDF2 iteration count each h3 major seals with: 1.x takes iron's
# defaults, 2.x raised them to 8192.
H3_ITERATIONS: Final[Mapping[int, int]] = {1: 1, 2: 8192}
# h3 2.x's chunked cookies: the main cookie holds "__chunked__<count>" and
# the seal is split over <name>.1 ... <name>.<count>, each at most 4000
# characters; h3 reads up to 100 chunks.
_CHUNKED = "__chunked__"
_CHUNK_CHARS = 4000
_MAX_READ_CHUNKS = 100
# JavaScript's parseInt on the count: leading digits after optional space
# and sign, the rest ignored.
_PARSE_INT_RE = re.compile(r"\s*([+-]?\d+)")
# iron's seal with an id-less password (h3's) carries no iron-session
# "~2" marker; h3 reads a seal with one as a bad HMAC.
_MARKER = "~2"


@dataclass(frozen=True, slots=True)
class _State:
    """What h3 keeps across saves, from the request's seal."""

    id: str
    created_at: int | float
    extra: Mapping[str, Any]  # other fields h3 wrote (kept as they are)
    legacy: bool  # sealed with 1 iteration, read by h3 2.x's fallback


class _Legacy:
    """A value the fallback sealer opened (h3 2.x then reseals it)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _H3Sealer:
    """h3's seals: iron's with an id-less password (an empty id, no
    ``~2``); for 2.x, a seal that fails its HMAC at 8192 iterations is
    tried again at 1, as h3 2.x's ``legacySealFallback`` does."""

    __slots__ = ("_legacy", "_sealer")

    def __init__(self, secret: str, iterations: int, ttl: int) -> None:
        # "default" is the entry iron opens an empty id with; a map with
        # no integer id seals with the empty id, as iron does for h3.
        self._sealer = Sealer(
            {"default": secret}, iterations=iterations, ttl=ttl
        )
        self._legacy = (
            Sealer({"default": secret}, ttl=ttl) if iterations != 1 else None
        )

    def seal(self, data: object) -> str:
        return self._sealer.seal(data).removesuffix(_MARKER)

    def unseal(self, seal: str) -> Any:
        try:
            return self._sealer.unseal(seal)
        except BadSeal:
            if self._legacy is None:
                raise
            return _Legacy(self._legacy.unseal(seal))

    def unseal_or_none(self, seal: str) -> tuple[Any, str | None]:
        value, reason = self._sealer.unseal_or_none(seal)
        if reason == "invalid" and self._legacy is not None:
            old, old_reason = self._legacy.unseal_or_none(seal)
            if old_reason is None:
                return _Legacy(old), None
        return value, reason


class H3Envelope:
    """h3's session format (``SessionEnvelope``): the sealed value is
    ``{"id", "createdAt", "data"}``, the session dict is ``data``, and the
    cookie is written as h3 ``version`` writes it."""

    __slots__ = ("version",)

    def __init__(self, version: int) -> None:
        self.version = version

    def __repr__(self) -> str:
        return f"H3Envelope(version={self.version})"

    # -- the sealed value ---------------------------------------------

    def sealer(self, config: SessionConfig) -> SessionSealer:
        passwords = config.password
        secret = passwords[max(passwords)]
        return _H3Sealer(secret, config.iterations, config.ttl)

    def unwrap(
        self,
        config: SessionConfig,
        value: Any,
        reason: str | None,
        now_ms: int,
    ) -> tuple[dict[str, Any] | None, str | None, Any]:
        if reason is not None:
            return None, reason, None
        legacy = isinstance(value, _Legacy)
        if legacy:
            value = value.value
        if type(value) is not dict:
            return None, "invalid", None
        sid, created = value.get("id"), value.get("createdAt")
        data = value.get("data", {})
        # h3 starts a new session for a seal without an id; a createdAt
        # that is not a number could not be aged.
        if (
            not isinstance(sid, str)
            or not sid
            or not isinstance(created, (int, float))
            or isinstance(created, bool)
            or type(data) is not dict
        ):
            return None, "invalid", None
        # h3's maxAge bounds the session's whole life from createdAt,
        # whatever the seal's own expiry.
        if config.ttl and now_ms - created > config.ttl * 1000:
            return None, "expired", None
        extra = {
            key: item
            for key, item in value.items()
            if key not in ("id", "createdAt", "data")
        }
        return data, None, _State(sid, created, extra, legacy)

    def wrap(
        self, config: SessionConfig, data: object, state: Any, now_ms: int
    ) -> tuple[object, int | None]:
        if isinstance(state, _State):
            sid, created, extra = state.id, state.created_at, state.extra
        else:  # a new session: h3's crypto.randomUUID() and Date.now()
            sid, created, extra = str(uuid.uuid4()), now_ms, {}
        value = {"id": sid, "createdAt": created, "data": data, **extra}
        expires = created + config.ttl * 1000 if config.ttl else None
        return value, None if expires is None else int(expires)

    def reseal(self, state: Any) -> bool:
        return isinstance(state, _State) and state.legacy

    # -- the cookies --------------------------------------------------

    def cookie_seal(self, config: SessionConfig, jar: CookieJar) -> str | None:
        name = config.cookie_name
        main = jar.read(name)
        if not main or self.version == 1 or not main.startswith(_CHUNKED):
            return main or None
        count = _chunk_count(main)
        if not count:
            return None
        parts = []
        for index in range(1, count + 1):
            part = jar.read(f"{name}.{index}")
            if not part:
                return None  # h3: a missing chunk is no session
            parts.append(part)
        return "".join(parts)

    def write_cookie(
        self,
        config: SessionConfig,
        jar: CookieJar,
        seal: str,
        expires_ms: int | None,
    ) -> None:
        name = config.cookie_name
        suffix = self._suffix(config, expires_ms)
        if self.version == 1 or len(seal) <= _CHUNK_CHARS:
            count = 1
        else:
            count = -(-len(seal) // _CHUNK_CHARS)
        self._check_size(name, seal, suffix, count)
        # h3 2.x: chunks of the previous, longer state are deleted first.
        previous = _chunk_count(jar.read(name)) if self.version == 2 else 0
        expire = self._suffix(config, expires_ms, max_age=0)
        for index in range((count if count > 1 else 0) + 1, previous + 1):
            chunk = f"{name}.{index}"
            jar.write(chunk, "", f"{chunk}={expire}")
        if count == 1:
            jar.write(name, seal, f"{name}={seal}{suffix}")
            return
        main = f"{_CHUNKED}{count}"
        jar.write(name, main, f"{name}={main}{suffix}")
        for index in range(count):
            chunk = f"{name}.{index + 1}"
            part = seal[index * _CHUNK_CHARS : (index + 1) * _CHUNK_CHARS]
            jar.write(chunk, part, f"{chunk}={part}{suffix}")

    def destroy_cookie(self, config: SessionConfig, jar: CookieJar) -> None:
        name = config.cookie_name
        if self.version == 1:
            # h3 1.x's clearSession writes an empty cookie, not an expired
            # one: an empty value is no session for it or for us.
            suffix = self._suffix(config, None)
            jar.write(name, "", f"{name}={suffix}")
            return
        expire = self._suffix(config, None, max_age=0)
        previous = _chunk_count(jar.read(name))
        jar.write(name, "", f"{name}={expire}")
        for index in range(1, previous + 1):
            chunk = f"{name}.{index}"
            jar.write(chunk, "", f"{chunk}={expire}")

    def _suffix(
        self,
        config: SessionConfig,
        expires_ms: int | None,
        max_age: int | None = None,
    ) -> str:
        """The attributes after the value, in the order h3's cookie
        serializer writes them."""
        options = dict(config.cookie_options)
        if max_age is None:
            max_age = options.get("max_age")
        if expires_ms is not None and options.get("expires") is None:
            options["expires"] = datetime.fromtimestamp(
                expires_ms / 1000, timezone.utc
            )
        options["max_age"] = None  # written here, first, as h3 does
        attributes, _ = cookie_attributes(options)
        if self.version == 1 and "; Partitioned" in attributes:
            # cookie-es 1 (h3 1.x) writes Partitioned last.
            attributes = attributes.replace("; Partitioned", "")
            attributes += "; Partitioned"
        if max_age is not None:
            if self.version == 2:  # h3 2.x caps Max-Age at 400 days
                max_age = max(0, min(max_age, 400 * 24 * 3600))
            attributes = f"; Max-Age={max_age}{attributes}"
        return attributes

    @staticmethod
    def _check_size(name: str, seal: str, suffix: str, count: int) -> None:
        if count > MAX_CHUNKS:
            raise CookieTooLarge(
                f"the session needs {count} cookies and the maximum is "
                f"{MAX_CHUNKS}: store an id in the session and keep the "
                "data server-side",
                size=len(seal),
            )
        longest = min(len(seal), _CHUNK_CHARS) if count > 1 else len(seal)
        size = len(f"{name}.0=") + longest + len(suffix)
        if size > MAX_COOKIE_BYTES:
            raise CookieTooLarge(
                f"the session cookie is too big ({size} bytes, over the "
                f"{MAX_COOKIE_BYTES} bytes browsers accept): remove some "
                "data from the session"
                + (" (h3 1.x does not chunk)" if count == 1 else ""),
                size=size,
            )


def _chunk_count(value: str | None) -> int:
    """h3 2.x's chunk count of a main cookie value (0 when it is not a
    valid ``__chunked__<n>``)."""
    if not value or not value.startswith(_CHUNKED):
        return 0
    match = _PARSE_INT_RE.match(value, len(_CHUNKED))
    if match is None:
        return 0
    count = int(match.group(1))
    return count if 0 <= count <= _MAX_READ_CHUNKS else 0


_ENVELOPES = {1: H3Envelope(1), 2: H3Envelope(2)}
# h3's default cookie attributes: path "/", Secure and HttpOnly; 2.x adds
# SameSite=Lax (SessionConfig's defaults then only lack 1.x's no-SameSite).
_DEFAULT_COOKIE = {1: {"samesite": None}, 2: {}}


def h3_config(
    password: str,
    /,
    *,
    name: str = "h3",
    version: int = 2,
    **options: Unpack[SessionOptions],
) -> SessionConfig:
    """The SessionConfig of h3's ``useSession(event, {password, name})``:
    the same cookie (name, attributes, chunks), the same seals (h3's
    envelope ``{id, createdAt, data}``, 8192 iterations for 2.x, 1 for
    1.x) read and written, usable wherever a SessionConfig is. The
    session dict is h3's ``data``; ``id`` and ``createdAt`` are kept
    across saves, and a new session gets a random UUID and the time now.

    ``ttl`` is h3's ``maxAge`` (default 0: h3's sessions never expire);
    ``cookie_options`` is h3's ``cookie`` (over h3's defaults); the other
    SessionConfig options are taken as they are. ``version=2`` also reads
    the 1-iteration seals of h3 1.x and rewrites them at once, as h3 2.x's
    fallback does."""
    if version not in _ENVELOPES:
        raise ConfigError(
            f"version must be 1 or 2 (h3's major version), got {version!r}",
            option="version",
        )
    if not isinstance(password, str):
        raise ConfigError(
            "h3 takes one password string (it has no rotation map), got "
            f"{type(password).__name__}",
            option="password",
        )
    for taken in ("password", "cookie_name", "envelope"):
        if taken in options:
            raise TypeError(
                f"h3_config() sets {taken} itself: use password= and name="
            )
    settings: dict[str, Any] = {
        "ttl": 0,
        "iterations": H3_ITERATIONS[version],
        **options,
        "password": password,
        "cookie_name": name,
        "envelope": _ENVELOPES[version],
        "cookie_options": {
            **_DEFAULT_COOKIE[version],
            **(options.get("cookie_options") or {}),
        },
    }
    return SessionConfig(**settings)
