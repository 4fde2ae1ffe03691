# SPDX-License-Identifier: MIT
"""``get_iron_session`` and the session object, with iron-session 9's
semantics: read through a cookie jar, save/destroy as Set-Cookie lines.

Framework adapters only build a jar (see ``iron_fast.cookies.CookieJar``)
and call ``get_iron_session``; everything else lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from threading import Lock
from typing import Any

from iron_fast.cookies import CookieJar, HeaderCookieJar
from iron_fast.errors import CookieTooLarge, SessionDestroyed
from iron_fast.session_config import (
    MAX_CHUNKS,
    MAX_COOKIE_BYTES,
    SessionConfig,
)

__all__ = ["IronSession", "get_iron_session"]


class IronSession(dict):  # type: ignore[type-arg]
    """The session: a ``dict`` of the data (so it drops in wherever a
    framework expects one) plus ``save()``, ``destroy()``,
    ``update_config()`` and a ``modified`` flag.

    ``modified`` turns True when the dict itself is changed (set, delete,
    update, ...) and back to False after ``save()`` or ``destroy()``; a
    change inside a nested value is not seen, so set it yourself then.
    Made by ``get_iron_session``, not directly.
    """

    __slots__ = ("_config", "_destroyed", "_jar", "modified")

    _config: SessionConfig
    _destroyed: bool
    _jar: CookieJar
    modified: bool

    def __init__(
        self,
        jar: CookieJar,
        config: SessionConfig,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        if data:
            dict.update(self, data)
        self._jar = jar
        self._config = config
        self._destroyed = False
        self.modified = False

    # -- the session API ----------------------------------------------

    @property
    def config(self) -> SessionConfig:
        """The configuration the next ``save()`` will use."""
        return self._config

    @property
    def destroyed(self) -> bool:
        """True once ``destroy()`` was called; it cannot be undone."""
        return self._destroyed

    def save(self) -> None:
        """Seal the data with a fresh expiry and write the cookie (or its
        chunks), expiring stale chunk cookies the request carried.

        Raises CookieTooLarge when it does not fit (nothing is written),
        SessionDestroyed for data written back after ``destroy()`` (a bare
        save after ``destroy()`` is a no-op), SerializationError for data
        that is not plain JSON, and whatever the jar's
        ``assert_writable()`` raises."""
        if self._destroyed:
            # destroy() already cleared the cookie; saving nothing on top
            # is what logout handlers that call both meant.
            if not self:
                return
            raise SessionDestroyed(
                "cannot save a destroyed session that has data written "
                "back into it: destroy() signs the user out, and saving "
                "these fields would restore the cookie it just cleared, "
                "leaving the user signed in. Get a fresh session to write "
                "a new one."
            )
        jar = self._jar
        config = self._config
        assert_writable = getattr(jar, "assert_writable", None)
        if assert_writable is not None:
            assert_writable()
        if config._expires_ms is not None:
            config._check_expires()
        _write_seal(jar, config, config._seal(self))
        self.modified = False

    def destroy(self) -> None:
        """Empty the session and expire its cookie (and any chunk cookie
        the request carried). Final: a later ``save()`` with data raises,
        a bare one does nothing."""
        jar = self._jar
        assert_writable = getattr(jar, "assert_writable", None)
        if assert_writable is not None:
            # A logout whose Set-Cookie is dropped would leave the user
            # signed in without a word: fail loudly instead.
            assert_writable()
        self._destroyed = True
        dict.clear(self)
        self.modified = False
        config = self._config
        name = config.cookie_name
        jar.write(name, "", f"{name}={config._expire_suffix}")
        _expire_stale(jar, config, keep_whole=True, chunks_from=0)

    def update_config(
        self, config: SessionConfig | None = None, /, **options: Any
    ) -> None:
        """Use another configuration from the next ``save()`` on: either
        a SessionConfig, or options changed over the current ones (e.g.
        ``update_config(ttl=3600)``), validated again here."""
        if config is None:
            if not options:
                raise TypeError(
                    "update_config() takes a SessionConfig or options"
                )
            config = self._config.replace(**options)
        elif options or not isinstance(config, SessionConfig):
            raise TypeError(
                "update_config() takes a SessionConfig or options, not both"
            )
        self._config = config

    # -- dict mutators: keep ``modified`` true to what happened -------

    def __setitem__(self, key: str, value: Any) -> None:
        dict.__setitem__(self, key, value)
        self.modified = True

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self.modified = True

    def __ior__(self, other: Any) -> IronSession:  # type: ignore[misc]
        dict.update(self, other)
        self.modified = True
        return self

    def clear(self) -> None:
        if self:
            dict.clear(self)
            self.modified = True

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.modified = True
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[str, Any]:
        item = dict.popitem(self)
        self.modified = True
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self, *args, **kwargs)
        self.modified = True


def get_iron_session(
    jar: CookieJar, config: SessionConfig | None = None, /, **options: Any
) -> IronSession:
    """iron-session 9's ``getIronSession(jar, options)``: the session the
    request's cookie holds, or an empty one.

    ``jar`` reads the request's cookies and collects ``Set-Cookie`` lines
    (see ``iron_fast.cookies.CookieJar``; ``HeaderCookieJar`` wraps a raw
    ``Cookie`` header). Pass a SessionConfig built once, or the options
    themselves (``password=..., cookie_name=..., ...``; the compiled
    configuration is then cached).

    Reading never raises for a bad cookie: an expired, tampered, foreign
    or garbage cookie gives an empty session, and the configuration's
    ``on_unseal_error(reason, error)`` hook hears about it."""
    if config is None and options:
        config = _config_for(options)
    elif options or not isinstance(config, SessionConfig):
        raise TypeError(
            "use get_iron_session(jar, config) with a SessionConfig, or "
            "get_iron_session(jar, password=..., cookie_name=..., ...)"
        )
    read = getattr(jar, "read", None)
    if read is None or getattr(jar, "write", None) is None:
        # Checked now rather than at the first save(), mid-response.
        raise TypeError(
            "get_iron_session() needs a cookie jar with read(name) and "
            "write(name, value, set_cookie) methods, got "
            f"{type(jar).__name__}"
        )
    return IronSession(jar, config, _read_data(read, config))


def _read_data(
    read: Callable[[str], str | None], config: SessionConfig
) -> dict[str, Any] | None:
    """The data of the request's cookie (or chunks), None for none."""
    seal = read(config.cookie_name) or _read_chunks(read, config)
    return config._open(seal) if seal else None


def _read_chunks(
    read: Callable[[str], str | None], config: SessionConfig
) -> str:
    # iron-session 9: name.0, name.1, ... joined up to the first gap. No
    # count cookie: it would be attacker-controlled. The HMAC covers the
    # whole seal, so a missing, reordered or foreign chunk just fails it.
    names = config._chunk_names
    seal = read(names[0])
    if not seal:
        return ""
    for name in names[1:]:
        part = read(name)
        if not part:
            break
        seal += part
    return seal


def _expire_stale(
    jar: CookieJar,
    config: SessionConfig,
    *,
    keep_whole: bool,
    chunks_from: int,
) -> None:
    # Cookies the request carried that the new state does not use: left
    # behind, a stale chunk would be joined to the new ones on the next
    # read, fail the HMAC, and sign the user out on every request.
    read = jar.read
    name = config.cookie_name
    suffix = config._expire_suffix
    if not keep_whole and read(name):
        jar.write(name, "", f"{name}={suffix}")
    if chunks_from < MAX_CHUNKS and _may_hold_chunks(jar, name):
        for chunk in config._chunk_names[chunks_from:]:
            if read(chunk):
                jar.write(chunk, "", f"{chunk}={suffix}")


def _may_hold_chunks(jar: CookieJar, name: str) -> bool:
    # A jar that reads a raw Cookie header (HeaderCookieJar's read(), or
    # one that says it does) holds no chunk cookie unless the header has
    # "<name>." in it: one substring test instead of a read per chunk, on
    # every save. Any other jar is asked chunk by chunk.
    if getattr(jar, "_reads_cookie_header", False) or (
        type(jar).read is HeaderCookieJar.read
    ):
        return f"{name}." in jar.cookie_header  # type: ignore[attr-defined]
    return True


def _write_seal(jar: CookieJar, config: SessionConfig, seal: str) -> None:
    name = config.cookie_name
    suffix = config._save_suffix
    line = f"{name}={seal}{suffix}"
    # Browsers count UTF-8 bytes; every part is ASCII by construction,
    # and isascii() is O(1), so the fallback never costs in practice.
    size = len(line) if line.isascii() else len(line.encode())
    if size <= MAX_COOKIE_BYTES:
        jar.write(name, seal, line)
        if _may_hold_chunks(jar, name):
            _expire_stale(jar, config, keep_whole=True, chunks_from=0)
        return
    if not config.chunk:
        if jar.read(config._chunk_names[0]):
            # The request was chunked: another options object without
            # chunk=True is the likely cause, not a session that grew.
            hint = (
                "chunk=True is not set here, but this session is already "
                "stored across several cookies: use the same options, "
                "with chunk=True, everywhere this session is opened"
            )
        else:
            hint = (
                "remove some data from the session, or pass chunk=True to "
                f"split it across up to {MAX_CHUNKS} cookies"
            )
        raise CookieTooLarge(
            f"the session cookie is too big ({size} bytes, over the "
            f"{MAX_COOKIE_BYTES} bytes browsers accept): {hint}",
            size=size,
        )
    budget = config._chunk_budget
    if budget <= 0:
        raise CookieTooLarge(
            f"the cookie name and options alone take "
            f"{MAX_COOKIE_BYTES - budget} bytes, which leaves no room for "
            "session data: use a shorter cookie name",
            size=size,
        )
    count = -(-len(seal) // budget)
    if count > MAX_CHUNKS:
        raise CookieTooLarge(
            f"the session needs {count} cookies ({size} bytes) and the "
            f"maximum is {MAX_CHUNKS}: every cookie is sent on every "
            "request and proxies commonly cap the Cookie header at 8 KB. "
            "Store an id in the session and keep the data server-side.",
            size=size,
        )
    for index, chunk in enumerate(config._chunk_names[:count]):
        part = seal[index * budget : (index + 1) * budget]
        jar.write(chunk, part, f"{chunk}={part}{suffix}")
    _expire_stale(jar, config, keep_whole=False, chunks_from=count)


# Options passed straight to get_iron_session() on every request compile
# once: keyed by value (with types, so ttl=True does not hit ttl=1).
_CACHE_SIZE = 64
_configs: dict[Hashable, SessionConfig] = {}
_configs_lock = Lock()


def _freeze(value: Any) -> Hashable:
    if isinstance(value, Mapping):
        return tuple(
            (type(k), k, type(v), _freeze(v)) for k, v in value.items()
        )
    return (type(value), value)


def _config_for(options: dict[str, Any]) -> SessionConfig:
    try:
        key: Hashable | None = tuple(
            (name, _freeze(value)) for name, value in sorted(options.items())
        )
        config = _configs.get(key)
    except TypeError:  # an unhashable option: build it uncached
        key, config = None, None
    if config is not None:
        return config
    config = SessionConfig(**options)
    if key is not None:
        with _configs_lock:
            if len(_configs) >= _CACHE_SIZE:
                _configs.pop(next(iter(_configs)))
            _configs[key] = config
    return config
