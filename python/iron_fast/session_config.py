# SPDX-License-Identifier: MIT
"""Session options, validated once, with iron-session 9's rules and
defaults, compiled into what every request then only reads: the Sealer
and the static text of the ``Set-Cookie`` attributes.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from iron_fast._core import DEFAULT_TTL, Sealer
from iron_fast.cookies import (
    COOKIE_NAME_RE,
    MAX_SAFE_INTEGER,
    check_cookie_options,
    cookie_attributes,
)
from iron_fast.errors import (
    BadSeal,
    ConfigError,
    ExpiredSeal,
    IronFastWarning,
    PasswordConfigError,
    UnknownPassword,
    UnsealError,
)

__all__ = ["DEFAULT_COOKIE_OPTIONS", "SessionConfig"]

# Browsers cap one cookie at 4096 bytes, counted over the whole Set-Cookie
# line; iron-session 9 measures the same way (MAX_COOKIE_BYTES).
MAX_COOKIE_BYTES = 4096
# iron-session 9's hard cap: more chunks would overflow the Cookie header
# limits of common proxies (nginx: 8 KB) and fail there, far from here.
MAX_CHUNKS = 4
# iron's clock skew: the cookie expires that much before the seal.
TIMESTAMP_SKEW_SEC = 60
# What iron-session writes for ttl=0, the largest Max-Age browsers keep.
MAX_AGE_FOREVER = 2147483647
MIN_PASSWORD_LENGTH = 32
# Seal expirations are JS numbers (milliseconds since 1970): keep
# now + ttl well inside 2**53 so every reader computes the same instant.
MAX_TTL = MAX_SAFE_INTEGER // 1000 // 2

DEFAULT_COOKIE_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"httponly": True, "secure": True, "samesite": "lax", "path": "/"}
)
_OPTION_NAMES = frozenset(
    {
        "password",
        "cookie_name",
        "ttl",
        "cookie_options",
        "chunk",
        "on_unseal_error",
        "allow_insecure",
    }
)
# Cookie domains that only ever resolve to this machine: a cookie scoped
# to them cannot cross a network, so it needs no Secure.
_LOOPBACK_DOMAINS = frozenset({"localhost", "127.0.0.1"})
# A password id longer than this is not echoed in an error message: it is
# most likely a secret given as the key ({secret: 1} for {1: secret}).
_SHOWN_ID_LENGTH = 16
_REASON_ERRORS: dict[str, type[UnsealError]] = {
    "invalid": BadSeal,
    "expired": ExpiredSeal,
    "unknown-password": UnknownPassword,
}

UnsealErrorHook = Callable[[str, UnsealError], object]


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class SessionConfig:
    """A validated, compiled session configuration: build it once (at
    start-up) and share it; it is immutable and thread-safe.

    Options (iron-session's, in Python spelling):

    ``password``
        A ``str`` of at least 32 characters (counted as JavaScript counts
        them, in UTF-16 code units), or a rotation map ``{id: str}`` with
        integer ids: the highest id seals, every id unseals.
    ``cookie_name``
        The cookie's name (chunks are ``<cookie_name>.0`` … ``.3``).
    ``ttl``
        Seconds a seal stays valid (default 14 days; 0 = no expiry). The
        cookie's ``Max-Age`` is ``ttl - 60`` (``ttl`` if 60 or less,
        2147483647 for 0) unless ``cookie_options["max_age"]`` is set.
    ``cookie_options``
        A mapping over the defaults ``httponly=True, secure=True,
        samesite="lax", path="/"``; also ``domain``, ``max_age`` (None:
        a browser-session cookie, and seals that never expire),
        ``expires`` (a datetime), ``partitioned``, ``priority``. A None
        value drops that attribute.
    ``chunk``
        Split a session that does not fit in one cookie over up to 4.
    ``on_unseal_error``
        ``hook(reason, error)``, called when a request's cookie cannot
        be read (``"expired"``, ``"invalid"``, ``"unknown-password"``);
        the session is then empty. It should not raise.
    ``allow_insecure``
        Say that a configuration unsafe in production is deliberate (a
        development server on plain HTTP): no IronFastWarning for it.

    Raises PasswordConfigError for a bad password, including one printed
    in iron_fast's documentation or examples, and ConfigError for any
    other bad option, naming it. Warns (IronFastWarning) when cookies are
    not ``Secure`` (unless their domain is ``localhost``) and when seals
    never expire (``ttl=0``, or ``max_age=None``), unless
    ``allow_insecure=True``.
    """

    __slots__ = (
        "_chunk_budget",
        "_chunk_names",
        "_expire_suffix",
        "_expires_iso",
        "_expires_ms",
        "_hazards",
        "_now_ms",
        "_options",
        "_pin",
        "_save_suffix",
        "_seal",
        "_sealer",
        "_unseal",
        "_unseal_strict",
        "allow_insecure",
        "chunk",
        "cookie_name",
        "cookie_options",
        "max_age",
        "on_unseal_error",
        "password_ids",
        "seal_ttl",
        "ttl",
    )

    cookie_name: str
    ttl: int
    seal_ttl: int
    max_age: int | None
    cookie_options: Mapping[str, Any]
    chunk: bool
    on_unseal_error: UnsealErrorHook | None
    allow_insecure: bool
    password_ids: tuple[int, ...]
    _options: dict[str, Any]
    _sealer: Sealer
    _seal: Callable[[object], str]
    _unseal: Callable[[str], tuple[Any, str | None]]
    _unseal_strict: Callable[[str], Any]
    _now_ms: Callable[[], int]
    _pin: tuple[int, str, str, bytes] | None
    _save_suffix: str
    _expire_suffix: str
    _chunk_budget: int
    _chunk_names: tuple[str, ...]
    _expires_ms: int | None
    _expires_iso: str
    _hazards: frozenset[str]

    def __init__(
        self,
        *,
        password: str | Mapping[int | str, str] | None = None,
        cookie_name: str | None = None,
        ttl: int | timedelta = DEFAULT_TTL,
        cookie_options: Mapping[str, Any] | None = None,
        chunk: bool = False,
        on_unseal_error: UnsealErrorHook | None = None,
        allow_insecure: bool = False,
    ) -> None:
        self._setup(
            password=password,
            cookie_name=cookie_name,
            ttl=ttl,
            cookie_options=cookie_options,
            chunk=chunk,
            on_unseal_error=on_unseal_error,
            allow_insecure=allow_insecure,
        )
        self._warn(frozenset())

    def _setup(
        self,
        *,
        password: str | Mapping[int | str, str] | None = None,
        cookie_name: str | None = None,
        ttl: int | timedelta = DEFAULT_TTL,
        cookie_options: Mapping[str, Any] | None = None,
        chunk: bool = False,
        on_unseal_error: UnsealErrorHook | None = None,
        allow_insecure: bool = False,
    ) -> None:
        put = object.__setattr__  # the instance is frozen past __init__
        put(
            self,
            "_options",
            {
                "password": password,
                "cookie_name": cookie_name,
                "ttl": ttl,
                "cookie_options": cookie_options,
                "chunk": chunk,
                "on_unseal_error": on_unseal_error,
                "allow_insecure": allow_insecure,
            },
        )
        # iron-session's order of checks: cookie name, then password.
        name = _cookie_name(cookie_name)
        passwords = _password_map(password)
        seconds = _ttl(ttl)
        if not isinstance(chunk, bool):
            raise ConfigError(
                f"chunk must be True or False, got {chunk!r}", option="chunk"
            )
        if on_unseal_error is not None and not callable(on_unseal_error):
            raise ConfigError(
                "on_unseal_error must be a callable hook(reason, error) or "
                f"None, got {type(on_unseal_error).__name__}",
                option="on_unseal_error",
            )
        if not isinstance(allow_insecure, bool):
            raise ConfigError(
                "allow_insecure must be True or False, got "
                f"{allow_insecure!r}",
                option="allow_insecure",
            )
        options = check_cookie_options(cookie_options)
        if "max_age" in options:
            max_age = options["max_age"]
            # iron-session 9: an explicit "no Max-Age" (a cookie that
            # dies with the browser) also makes the seal never expire.
            seal_ttl = 0 if max_age is None else seconds
        else:
            max_age = _computed_max_age(seconds)
            seal_ttl = seconds
        effective = {**DEFAULT_COOKIE_OPTIONS, **options, "max_age": max_age}
        attributes, expires = cookie_attributes(effective)

        sealer = Sealer(
            {str(pid): secret for pid, secret in passwords.items()},
            ttl=seal_ttl,
        )
        save_suffix = attributes
        if max_age is not None:
            save_suffix = f"; Max-Age={max_age}{attributes}"
        put(self, "cookie_name", name)
        put(self, "ttl", seconds)
        put(self, "seal_ttl", seal_ttl)
        put(self, "max_age", max_age)
        put(self, "cookie_options", MappingProxyType(effective))
        put(self, "chunk", chunk)
        put(self, "on_unseal_error", on_unseal_error)
        put(self, "allow_insecure", allow_insecure)
        put(self, "password_ids", tuple(sorted(passwords)))
        put(self, "_save_suffix", save_suffix)
        put(self, "_expire_suffix", f"; Max-Age=0{attributes}")
        # Every chunk name has one digit (MAX_CHUNKS <= 10), so one
        # budget fits all of them; all parts are ASCII, so len() is the
        # UTF-8 byte count.
        put(
            self,
            "_chunk_budget",
            MAX_COOKIE_BYTES - len(f"{name}.0=") - len(save_suffix),
        )
        put(
            self,
            "_chunk_names",
            tuple(f"{name}.{index}" for index in range(MAX_CHUNKS)),
        )
        put(self, "_sealer", sealer)
        put(self, "_seal", sealer.seal)
        put(self, "_unseal", sealer.unseal_or_none)
        put(self, "_unseal_strict", sealer.unseal)
        put(self, "_now_ms", _wall_ms)
        put(self, "_pin", None)
        if expires is None:
            put(self, "_expires_ms", None)
            put(self, "_expires_iso", "")
        else:
            put(self, "_expires_ms", _epoch_ms(expires))
            put(self, "_expires_iso", _iso(expires))
            self._check_expires()
        hazards: set[str] = set()
        if not allow_insecure:
            domain = str(effective.get("domain") or "").lower().lstrip(".")
            if not effective.get("secure") and not (
                domain in _LOOPBACK_DOMAINS or domain.endswith(".localhost")
            ):
                hazards.add("insecure")
            if seal_ttl == 0:
                hazards.add("no-expiry")
        put(self, "_hazards", frozenset(hazards))

    def _warn(self, known: frozenset[str]) -> None:
        """Warn about what is unsafe in production, once per config: a
        derived one (replace) only for what its parent did not have."""
        if "insecure" in self._hazards - known:
            warnings.warn(
                "cookie_options['secure'] is off: browsers will send the "
                "session cookie over plain HTTP, where anyone on the network "
                "can read it and sign in as its user. Keep secure=True in "
                "production; for a development server on http://localhost, "
                "pass allow_insecure=True.",
                IronFastWarning,
                stacklevel=3,
            )
        if "no-expiry" in self._hazards - known:
            warnings.warn(
                "these sessions never expire (ttl=0, or max_age=None): a "
                "stolen or signed-out cookie stays valid for ever, since "
                "destroy() only clears the browser's copy. Give them a ttl, "
                "or pass allow_insecure=True if this is deliberate.",
                IronFastWarning,
                stacklevel=3,
            )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(
            "SessionConfig is immutable; use replace(**changes)"
        )

    def __delattr__(self, name: str) -> None:
        raise AttributeError("SessionConfig is immutable")

    def __reduce_ex__(self, protocol: object) -> Any:
        # Pickling would write the password into the pickle (a cache, a
        # task queue, a crash dump): rebuild the config where it is used.
        raise TypeError(
            "a SessionConfig holds the session password and cannot be "
            "pickled; build it from settings where it is needed"
        )

    def __copy__(self) -> SessionConfig:
        return self  # immutable: a copy is the same config

    def __deepcopy__(self, memo: object) -> SessionConfig:
        return self

    def __repr__(self) -> str:
        # Never the secrets: a config ends up in logs and tracebacks.
        return (
            f"SessionConfig(cookie_name={self.cookie_name!r}, "
            f"ttl={self.ttl}, password_ids={list(self.password_ids)}, "
            f"cookie_options={dict(self.cookie_options)!r}, "
            f"chunk={self.chunk})"
        )

    def replace(self, **changes: Any) -> SessionConfig:
        """A new configuration with some options changed, validated again
        (``cookie_options`` given here replaces the whole mapping)."""
        unknown = changes.keys() - _OPTION_NAMES
        if unknown:
            raise TypeError(
                f"unknown session option(s): {', '.join(sorted(unknown))}"
            )
        config = SessionConfig.__new__(SessionConfig)
        config._setup(**{**self._options, **changes})
        config._warn(self._hazards)
        if self._pin is not None:
            config = config._pinned(*self._pin)
        return config

    # -- used by the session ------------------------------------------

    def _check_expires(self) -> None:
        """iron-session 9's rule: an ``expires`` in the past makes the
        browser drop the cookie at once, so the session would never
        persist. Checked at build and again at every save, because an
        ``expires`` computed once at start-up drifts into the past."""
        expires_ms = self._expires_ms
        if expires_ms is not None and expires_ms < self._now_ms():
            raise ConfigError(
                "cookie_options['expires'] is in the past "
                f"({self._expires_iso}), so the browser would discard the "
                "cookie and the session would never persist. This usually "
                "means the datetime was computed once at start-up; use "
                "ttl instead.",
                option="cookie_options['expires']",
            )

    def _open(self, seal: str) -> dict[str, Any] | None:
        """The data of a request's seal, or None (an empty session) for
        anything unreadable, reported to ``on_unseal_error``."""
        value, reason = self._unseal(seal)
        if reason is None and (type(value) is dict or value is None):
            return value
        hook = self.on_unseal_error
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

    def _unseal_error(self, seal: str, reason: str) -> UnsealError:
        # Only reached for a bad cookie: open it again strictly to hand
        # the hook the precise error (its message says which check
        # failed), which the fast path does not build.
        try:
            self._unseal_strict(seal)
        except UnsealError as error:
            return error
        return _REASON_ERRORS.get(reason, BadSeal)(
            f"the session cookie could not be read ({reason})"
        )

    def _pinned(
        self,
        now_ms: int,
        encryption_salt: str,
        hmac_salt: str,
        iv: bytes,
    ) -> SessionConfig:
        """A copy that seals deterministically and reads with the clock
        pinned at ``now_ms``: test vectors only. Production configs never
        go through here, so they pay nothing for it."""
        config = SessionConfig.__new__(SessionConfig)
        config._setup(**self._options)  # warned about when first built
        sealer = config._sealer
        ttl = config.seal_ttl
        put = object.__setattr__

        def seal(data: object) -> str:
            return sealer._seal_with(
                data,
                ttl=ttl,
                now_ms=now_ms,
                encryption_salt=encryption_salt,
                hmac_salt=hmac_salt,
                iv=iv,
            )

        def unseal_strict(value: str) -> Any:
            return sealer._unseal_at(value, now_ms=now_ms)

        def unseal(value: str) -> tuple[Any, str | None]:
            try:
                return unseal_strict(value), None
            except UnsealError as error:
                return None, error.reason

        put(config, "_seal", seal)
        put(config, "_unseal", unseal)
        put(config, "_unseal_strict", unseal_strict)
        put(config, "_now_ms", lambda: now_ms)
        put(config, "_pin", (now_ms, encryption_salt, hmac_salt, iv))
        return config


def _computed_max_age(ttl: int) -> int:
    # iron-session 9 computeCookieMaxAge: the cookie dies a skew before
    # the seal, but a ttl within the skew keeps its full length (v8's
    # ttl - 60 gave Max-Age=0 or less: a cookie dropped on arrival).
    if ttl == 0:
        return MAX_AGE_FOREVER
    return ttl - TIMESTAMP_SKEW_SEC if ttl > TIMESTAMP_SKEW_SEC else ttl


def _cookie_name(name: object) -> str:
    if not name:
        raise ConfigError(
            "cookie_name is missing: give the session cookie a name, "
            "e.g. cookie_name='session'",
            option="cookie_name",
        )
    if not isinstance(name, str):
        raise ConfigError(
            f"cookie_name must be a str, got {type(name).__name__}",
            option="cookie_name",
        )
    if COOKIE_NAME_RE.fullmatch(name) is None:
        raise ConfigError(
            f"cookie_name {name!r} is not a valid cookie name: use "
            "printable ASCII without spaces, ';' or '='",
            option="cookie_name",
        )
    return name


def _js_length(text: str) -> int:
    # JavaScript's String.length: UTF-16 code units, so a character
    # outside the BMP counts twice.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _password_id(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        pid = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit():
        if len(raw) > 1 and raw[0] == "0":
            pid = -1  # "01" is not what iron-session seals with
        else:
            pid = int(raw)
    else:
        pid = -1
    if not 0 <= pid <= MAX_SAFE_INTEGER:
        shown = repr(raw)
        if isinstance(raw, str) and len(raw) > _SHOWN_ID_LENGTH:
            # Likely the secret itself, keyed the wrong way round.
            shown = f"a str of {len(raw)} characters (not shown)"
        raise PasswordConfigError(
            f"password ids must be integers, got {shown}: use "
            "{1: '...', 2: '...'} (the highest id seals)",
            option="password",
        )
    return pid


def _password_map(password: object) -> dict[int, str]:
    if password is None or (
        isinstance(password, (str, bytes)) and not password
    ):
        raise PasswordConfigError(
            "password is missing: give a secret of at least "
            f"{MIN_PASSWORD_LENGTH} characters, or a map {{id: secret}}",
            option="password",
        )
    if isinstance(password, str):
        entries: Mapping[object, object] = {1: password}
    elif isinstance(password, Mapping):
        entries = password
    else:
        raise PasswordConfigError(
            "password must be a str or a map {id: str}, got "
            f"{type(password).__name__} (sessions take text secrets only, "
            "as iron-session 9 does; raw key bytes are refused)",
            option="password",
        )
    if not entries:
        raise PasswordConfigError(
            "the password map is empty: it must be keyed by integers, "
            "e.g. {1: '<a secret of 32+ characters>'}",
            option="password",
        )
    passwords: dict[int, str] = {}
    for raw_id, secret in entries.items():
        pid = _password_id(raw_id)
        if pid in passwords:
            raise PasswordConfigError(
                f"password id {pid} appears twice in the password map "
                "(1 and '1' are the same id)",
                option="password",
            )
        if not isinstance(secret, str):
            raise PasswordConfigError(
                f"password {pid} must be a str, got "
                f"{type(secret).__name__} (raw key bytes are refused)",
                option="password",
            )
        if _js_length(secret) < MIN_PASSWORD_LENGTH:
            # The length alone, never the secret.
            raise PasswordConfigError(
                f"password {pid} must be at least {MIN_PASSWORD_LENGTH} "
                "characters long",
                option="password",
            )
        passwords[pid] = secret
    return passwords


def _ttl(ttl: object) -> int:
    if isinstance(ttl, timedelta):
        seconds = ttl.total_seconds()
        if seconds.is_integer():
            ttl = int(seconds)
    if (
        not isinstance(ttl, int)
        or isinstance(ttl, bool)
        or not 0 <= ttl <= MAX_TTL
    ):
        raise ConfigError(
            "ttl must be a whole number of seconds between 0 (no expiry) "
            f"and {MAX_TTL}, got {ttl!r}",
            option="ttl",
        )
    return ttl


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _epoch_ms(when: datetime) -> int:
    # Exact, unlike timestamp() * 1000; JavaScript dates count whole ms.
    return (when - _EPOCH) // timedelta(milliseconds=1)


def _iso(when: datetime) -> str:
    # JavaScript's Date.prototype.toISOString, as iron-session prints it.
    utc = when.astimezone(timezone.utc)
    millis = utc.microsecond // 1000
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"
