# SPDX-License-Identifier: MIT
"""SessionConfig: the session options, validated once with iron-session 9's
rules and defaults, and frozen. The cookie work they describe is done by
the SessionCodec each configuration compiles (``config.codec``).
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from threading import Lock
from types import MappingProxyType
from typing import Any, TypedDict

from iron_fast._core import DEFAULT_TTL, MAX_ITERATIONS
from iron_fast.codec import SessionCodec, SessionEnvelope
from iron_fast.cookies import COOKIE_NAME_RE, check_cookie_options
from iron_fast.errors import (
    ConfigError,
    IronFastWarning,
    PasswordConfigError,
    UnsealError,
)
from iron_fast.lifetime import DEFAULT_METADATA_KEY
from iron_fast.limits import (
    MAX_AGE_FOREVER,
    MAX_SAFE_INTEGER,
    MAX_TTL,
    MIN_PASSWORD_LENGTH,
    TIMESTAMP_SKEW_SEC,
    describe_password_id,
)
from iron_fast.revocation import RevocationStore

__all__ = [
    "DEFAULT_COOKIE_OPTIONS",
    "OPTION_NAMES",
    "SessionConfig",
    "SessionOptions",
    "UnsealErrorHook",
    "config_for",
    "with_lifetime",
]

DEFAULT_COOKIE_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"httponly": True, "secure": True, "samesite": "lax", "path": "/"}
)
# Cookie domains that only ever resolve to this machine: a cookie scoped
# to them cannot cross a network, so it needs no Secure.
_LOOPBACK_DOMAINS = frozenset({"localhost", "127.0.0.1"})

UnsealErrorHook = Callable[[str, UnsealError], object]
Password = str | Mapping[int | str, str]


@dataclass(frozen=True, slots=True, init=False, eq=False, repr=False)
class SessionConfig:
    """Validated, immutable session options: build one at start-up and
    share it (thread-safe). ``replace(**changes)`` derives another.

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
    ``iterations``
        The PBKDF2 iteration count of the seals (1, iron-session's, up to
        ``iron_fast._core.MAX_ITERATIONS``; h3 2.x uses 8192).
    ``header``
        A request header that carries the session for clients that are
        not browsers (``"X-Session"``; default None: cookies only). A
        request that sends it, even empty, gets a changed session back in
        the same response header instead of Set-Cookie (an empty value
        when it is destroyed); its session is read from the header when
        the request has no session cookie.
    ``envelope``
        How the session is stored when it is not iron-session's way
        (``iron_fast.h3.h3_config`` gives h3's); None: iron-session's.

    Lifetime controls (opt-in; without all three the cookie is exactly
    iron-session's, see ``iron_fast.lifetime``):

    ``idle_timeout``
        Seconds without a request after which the session ends (reason
        ``"idle"``); None (default) = off.
    ``absolute_timeout``
        Seconds from the session's first save after which it ends
        (reason ``"absolute"``); None = off.
    ``revocation``
        A revocation store (``iron_fast.revocation``), for
        ``session.revoke()`` and ``store.revoke_subject()`` (reasons
        ``"revoked"``, ``"store-unavailable"``); None = stateless.
    ``metadata_key``
        The reserved key of the session's metadata in the seal
        (``"_iron"``).

    Derived, read-only: ``max_age`` (the cookie's, None for a browser
    session cookie), ``seal_ttl`` (the seal's), ``password_ids``.

    Raises PasswordConfigError for a bad password and ConfigError for any
    other bad option, naming it. Warns (IronFastWarning) when cookies are
    not ``Secure`` (unless their domain is a loopback name) and when
    seals never expire, unless ``allow_insecure=True``.
    """

    password: Mapping[int, str]
    cookie_name: str
    ttl: int
    cookie_options: Mapping[str, Any]
    chunk: bool
    on_unseal_error: UnsealErrorHook | None
    allow_insecure: bool
    iterations: int
    header: str | None
    envelope: SessionEnvelope | None
    idle_timeout: int | None
    absolute_timeout: int | None
    revocation: RevocationStore | None
    metadata_key: str
    # Derived from the options above.
    max_age: int | None
    seal_ttl: int
    password_ids: tuple[int, ...]
    codec: SessionCodec

    def __init__(
        self,
        *,
        password: Password | None = None,
        cookie_name: str | None = None,
        ttl: int | timedelta = DEFAULT_TTL,
        cookie_options: Mapping[str, Any] | None = None,
        chunk: bool = False,
        on_unseal_error: UnsealErrorHook | None = None,
        allow_insecure: bool = False,
        iterations: int = 1,
        header: str | None = None,
        envelope: SessionEnvelope | None = None,
        idle_timeout: int | timedelta | None = None,
        absolute_timeout: int | timedelta | None = None,
        revocation: RevocationStore | None = None,
        metadata_key: str = DEFAULT_METADATA_KEY,
        _warned: frozenset[str] = frozenset(),
    ) -> None:
        # ``_warned``: the hazards already warned about by the config that
        # replace() started from (a derived config warns only of new ones).
        # iron-session's order of checks: cookie name, then password.
        name = _check_cookie_name(cookie_name)
        passwords = _check_password(password)
        seconds = _check_ttl(ttl)
        _check_flag(chunk, "chunk")
        _check_flag(allow_insecure, "allow_insecure")
        _check_hook(on_unseal_error)
        _check_iterations(iterations)
        _check_header(header)
        _check_envelope(envelope)
        given = check_cookie_options(cookie_options)
        max_age, seal_ttl = _lifetimes(seconds, given)
        idle = _check_timeout(idle_timeout, "idle_timeout")
        absolute = _check_timeout(absolute_timeout, "absolute_timeout")
        _check_revocation(revocation, absolute)
        _check_metadata_key(metadata_key)
        values = {
            "password": passwords,
            "cookie_name": name,
            "ttl": seconds,
            "cookie_options": MappingProxyType(
                {**DEFAULT_COOKIE_OPTIONS, **given}
            ),
            "chunk": chunk,
            "on_unseal_error": on_unseal_error,
            "allow_insecure": allow_insecure,
            "iterations": iterations,
            "header": header,
            "envelope": envelope,
            "idle_timeout": idle,
            "absolute_timeout": absolute,
            "revocation": revocation,
            "metadata_key": metadata_key,
            "max_age": max_age,
            "seal_ttl": seal_ttl,
            "password_ids": tuple(sorted(passwords)),
        }
        for field_name, value in values.items():
            # The dataclass is frozen: its fields are set this way once.
            object.__setattr__(self, field_name, value)
        object.__setattr__(self, "codec", SessionCodec(self))
        for hazard in sorted(self.hazards - _warned):
            warnings.warn(_HAZARD_WARNINGS[hazard], IronFastWarning, 2)

    @property
    def hazards(self) -> frozenset[str]:
        """What is unsafe in production and not waived by
        ``allow_insecure``: ``"insecure"`` (no Secure outside loopback),
        ``"no-expiry"`` (seals that never expire)."""
        if self.allow_insecure:
            return frozenset()
        found = set()
        options = self.cookie_options
        domain = str(options.get("domain") or "").lower().lstrip(".")
        loopback = domain in _LOOPBACK_DOMAINS or domain.endswith(".localhost")
        if not options.get("secure") and not loopback:
            found.add("insecure")
        if self.seal_ttl == 0:
            found.add("no-expiry")
        return frozenset(found)

    def replace(self, **changes: Any) -> SessionConfig:
        """A new configuration with some options changed, validated again
        (``cookie_options`` given here replaces the whole mapping)."""
        unknown = changes.keys() - OPTION_NAMES
        if unknown:
            raise TypeError(
                f"unknown session option(s): {', '.join(sorted(unknown))}"
            )
        options = {
            name: getattr(self, name) for name in OPTION_NAMES - changes.keys()
        }
        if "cookie_options" in options:
            # The caller's options, not the defaults merged in: a new ttl
            # must recompute Max-Age unless max_age was given.
            options["cookie_options"] = self._given_cookie_options()
        return SessionConfig(**options, **changes, _warned=self.hazards)

    def _given_cookie_options(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in self.cookie_options.items()
            if DEFAULT_COOKIE_OPTIONS.get(key, _ABSENT) != value
        }

    def __repr__(self) -> str:
        # Never the secrets (a config ends up in logs and tracebacks), and
        # safe on an instance whose validation failed half-way (tracebacks
        # with capture_locals show it).
        shown = ", ".join(
            f"{name}={_shown(getattr(self, name, '<unset>'))!r}"
            for name in _REPR_FIELDS
            if name in _REPR_ALWAYS or getattr(self, name, None) is not None
        )
        return f"SessionConfig({shown})"

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


# The options a caller passes (SessionConfig's keyword arguments).
OPTION_NAMES = frozenset(
    name
    for name in inspect.signature(SessionConfig).parameters
    if not name.startswith("_")
)


class SessionOptions(TypedDict, total=False):
    """SessionConfig's options as keyword arguments, for the adapters'
    ``**options`` (type checkers read it; a test holds it equal to the
    fields)."""

    password: Password
    cookie_name: str
    ttl: int | timedelta
    cookie_options: Mapping[str, Any] | None
    chunk: bool
    on_unseal_error: UnsealErrorHook | None
    allow_insecure: bool
    iterations: int
    header: str | None
    envelope: SessionEnvelope | None
    idle_timeout: int | timedelta | None
    absolute_timeout: int | timedelta | None
    revocation: RevocationStore | None
    metadata_key: str


_REPR_ALWAYS = (
    "cookie_name",
    "ttl",
    "password_ids",
    "cookie_options",
    "chunk",
    "iterations",
    "header",
)
# The lifetime options are shown only when set (a store's repr hides its
# URL's password).
_REPR_FIELDS = (
    *_REPR_ALWAYS,
    "idle_timeout",
    "absolute_timeout",
    "revocation",
)
_ABSENT = object()


def _shown(value: object) -> object:
    return dict(value) if isinstance(value, MappingProxyType) else value


_HAZARD_WARNINGS = {
    "insecure": (
        "cookie_options['secure'] is off: browsers will send the session "
        "cookie over plain HTTP, where anyone on the network can read it "
        "and sign in as its user. Keep secure=True in production; for a "
        "development server on http://localhost, pass allow_insecure=True."
    ),
    "no-expiry": (
        "these sessions never expire (ttl=0, or max_age=None): a stolen or "
        "signed-out cookie stays valid for ever, since destroy() only "
        "clears the browser's copy. Give them a ttl, or pass "
        "allow_insecure=True if this is deliberate."
    ),
}


def _lifetimes(ttl: int, given: Mapping[str, Any]) -> tuple[int | None, int]:
    """The cookie's Max-Age and the seal's ttl."""
    if "max_age" in given:
        # Its type is checked with the other attributes (the codec's).
        max_age = given["max_age"]
        # iron-session 9: an explicit "no Max-Age" (a cookie that dies
        # with the browser) also makes the seal never expire.
        return max_age, 0 if max_age is None else ttl
    # iron-session 9 computeCookieMaxAge: the cookie dies a skew before
    # the seal, but a ttl within the skew keeps its full length (v8's
    # ttl - 60 gave Max-Age=0 or less: a cookie dropped on arrival).
    if ttl == 0:
        return MAX_AGE_FOREVER, ttl
    if ttl > TIMESTAMP_SKEW_SEC:
        return ttl - TIMESTAMP_SKEW_SEC, ttl
    return ttl, ttl


def _check_cookie_name(name: object) -> str:
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


def _check_flag(value: object, option: str) -> None:
    if not isinstance(value, bool):
        raise ConfigError(
            f"{option} must be True or False, got {type(value).__name__}",
            option=option,
        )


def _check_hook(hook: object) -> None:
    if hook is not None and not callable(hook):
        raise ConfigError(
            "on_unseal_error must be a callable hook(reason, error) or "
            f"None, got {type(hook).__name__}",
            option="on_unseal_error",
        )


def _check_iterations(count: object) -> None:
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 1 <= count <= MAX_ITERATIONS
    ):
        shown = count if isinstance(count, int) else type(count).__name__
        raise ConfigError(
            "iterations must be a whole number from 1 (iron-session's) up "
            f"to {MAX_ITERATIONS}, got {shown!r}",
            option="iterations",
        )


# RFC 9110's token: the characters a header name may have.
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _check_header(name: object) -> None:
    if name is None:
        return
    if not isinstance(name, str) or _HEADER_NAME_RE.fullmatch(name) is None:
        shown = name if isinstance(name, str) else type(name).__name__
        raise ConfigError(
            f"header must be None or a header name such as 'X-Session', "
            f"got {shown!r}",
            option="header",
        )
    if name.lower() in _RESERVED_HEADERS:
        raise ConfigError(
            f"header {name!r} is a header HTTP itself uses: pick a name of "
            "your own, such as 'X-Session'",
            option="header",
        )


_ENVELOPE_METHODS = (
    "sealer", "unwrap", "wrap", "reseal",
    "cookie_seal", "write_cookie", "destroy_cookie",
)  # fmt: skip


def _check_envelope(envelope: object) -> None:
    if envelope is None:
        return
    missing = [
        name
        for name in _ENVELOPE_METHODS
        if not callable(getattr(envelope, name, None))
    ]
    if missing:
        raise ConfigError(
            "envelope must be a SessionEnvelope (such as h3_config's), "
            f"got {type(envelope).__name__} without {', '.join(missing)}",
            option="envelope",
        )


# Headers whose meaning HTTP or the cookie transport already fixes.
_RESERVED_HEADERS = frozenset(
    {"cookie", "set-cookie", "authorization", "content-length", "host"}
)


def _whole_seconds(value: object, option: str, allowed: str, low: int) -> int:
    """``value`` (an int, or a timedelta of whole seconds) as seconds from
    ``low`` to MAX_TTL, or a ConfigError saying what is ``allowed``."""
    if isinstance(value, timedelta) and value.total_seconds().is_integer():
        value = int(value.total_seconds())
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not low <= value <= MAX_TTL
    ):
        shown: object = (
            value if isinstance(value, (int, float)) else type(value).__name__
        )
        raise ConfigError(
            f"{option} must be {allowed} {MAX_TTL}, got {shown!r}",
            option=option,
        )
    return value


def _check_timeout(value: object, option: str) -> int | None:
    if value is None:
        return None
    return _whole_seconds(
        value,
        option,
        "None (off) or a whole number of seconds between 1 and",
        1,
    )


def _check_revocation(store: object, absolute: int | None) -> None:
    if store is None:
        return
    if not isinstance(store, RevocationStore):
        raise ConfigError(
            "revocation must be a revocation store "
            "(iron_fast.revocation.RedisRevocation or MemoryRevocation), "
            f"not {type(store).__name__}",
            option="revocation",
        )
    if absolute is not None and absolute > store.max_session_age:
        raise ConfigError(
            f"absolute_timeout ({absolute} s) is longer than the "
            f"revocation store's max_session_age ({store.max_session_age} "
            "s), how long it keeps a subject's revocation: give the store "
            "a larger max_session_age",
            option="absolute_timeout",
        )


def _check_metadata_key(key: object) -> None:
    if not isinstance(key, str) or not 0 < len(key) <= 64:
        raise ConfigError(
            "metadata_key must be a non-empty str of at most 64 characters",
            option="metadata_key",
        )


def _check_ttl(ttl: object) -> int:
    return _whole_seconds(
        ttl,
        "ttl",
        "a whole number of seconds between 0 (no expiry) and",
        0,
    )


def _js_length(text: str) -> int:
    # JavaScript's String.length: UTF-16 code units, so a character
    # outside the BMP counts twice.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _check_password_id(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        pid = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit():
        # "01" is not an id iron-session seals with.
        pid = -1 if len(raw) > 1 and raw[0] == "0" else int(raw)
    else:
        pid = -1
    if not 0 <= pid <= MAX_SAFE_INTEGER:
        raise PasswordConfigError(
            f"password ids must be integers, got {describe_password_id(raw)}"
            ": use {1: '...', 2: '...'} (the highest id seals)",
            option="password",
        )
    return pid


def _check_password(password: object) -> Mapping[int, str]:
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
        pid = _check_password_id(raw_id)
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
    return MappingProxyType(passwords)


@lru_cache(maxsize=64)
def with_lifetime(config: SessionConfig, ttl: int | None) -> SessionConfig:
    """``config`` for a session given its own lifetime (Django's
    ``set_expiry()``, aiohttp-session's ``max_age``): ``ttl`` seconds, or
    None for a browser-session cookie, whose seal then never expires as
    in iron-session. Cached: such sessions come back on every request."""
    cookie = dict(config.cookie_options)
    cookie.pop("max_age", None)
    if ttl is None:
        return config.replace(cookie_options={**cookie, "max_age": None})
    return config.replace(ttl=ttl, cookie_options=cookie)


# Options given on every request (iron-session's habit with
# getIronSession, and Flask reading app.config per request) compile once:
# keyed by value, with types, so that ttl=True does not hit ttl=1.
_CONFIGS_KEPT = 64
_configs: dict[Hashable, SessionConfig] = {}
_configs_lock = Lock()


def _frozen(value: Any) -> Hashable:
    if isinstance(value, Mapping):
        return tuple(
            (type(k), k, type(v), _frozen(v)) for k, v in value.items()
        )
    return (type(value), value)


def config_for(options: Mapping[str, Any]) -> SessionConfig:
    """``SessionConfig(**options)``, built once for each distinct set of
    options (the last 64 are kept) and shared."""
    try:
        key: Hashable | None = tuple(
            (name, _frozen(value)) for name, value in sorted(options.items())
        )
        config = _configs.get(key)
    except TypeError:  # an unhashable option: build it uncached
        key, config = None, None
    if config is not None:
        return config
    config = SessionConfig(**options)
    if key is not None:
        with _configs_lock:
            if len(_configs) >= _CONFIGS_KEPT:
                _configs.pop(next(iter(_configs)))
            _configs[key] = config
    return config
