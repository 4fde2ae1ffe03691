# SPDX-License-Identifier: MIT
"""``get_iron_session`` and the session object, with iron-session 9's
semantics: read through a cookie jar, save/destroy as Set-Cookie lines.
The cookie work itself is the configuration's SessionCodec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iron_fast.codec import SessionCodec
from iron_fast.cookies import CookieJar
from iron_fast.errors import SessionDestroyed
from iron_fast.session_config import SessionConfig, config_for

__all__ = ["IronSession", "get_iron_session"]


class IronSession(dict):  # type: ignore[type-arg]
    """The session: a ``dict`` of the data (so it drops in wherever a
    framework expects one) plus ``save()``, ``destroy()``,
    ``update_config()`` and Starlette's ``modified`` and ``accessed``
    flags.

    ``modified`` turns True when the dict itself is changed (set, delete,
    update, ...) and back to False after ``save()`` or ``destroy()``; a
    change inside a nested value is not seen, so set it yourself then.
    ``accessed`` turns True on a change or ``mark_accessed()`` (which
    Starlette's ``request.session`` calls). Made by ``get_iron_session``
    or an adapter, from a jar and the codec of a configuration.
    """

    __slots__ = ("_codec", "_destroyed", "_jar", "accessed", "modified")

    _codec: SessionCodec
    _destroyed: bool
    _jar: CookieJar
    accessed: bool
    modified: bool

    def __init__(
        self,
        jar: CookieJar,
        codec: SessionCodec,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        if data:
            dict.update(self, data)
        self._jar = jar
        self._codec = codec
        self._destroyed = False
        self.accessed = False
        self.modified = False

    # -- the session API ----------------------------------------------

    @property
    def config(self) -> SessionConfig:
        """The configuration the next ``save()`` will use."""
        return self._codec.config

    @property
    def jar(self) -> CookieJar:
        """The cookie jar this session reads from and writes to."""
        return self._jar

    def mark_accessed(self) -> None:
        self.accessed = True

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
        _assert_writable(self._jar)
        self._codec.save(self._jar, self)
        self.modified = False

    def destroy(self) -> None:
        """Empty the session and expire its cookie (and any chunk cookie
        the request carried). Final: a later ``save()`` with data raises,
        a bare one does nothing."""
        # A logout whose Set-Cookie is dropped would leave the user
        # signed in without a word: fail loudly instead.
        _assert_writable(self._jar)
        self._destroyed = True
        dict.clear(self)
        self.modified = False
        self._codec.destroy(self._jar)

    def update_config(
        self,
        config: SessionConfig | SessionCodec | None = None,
        /,
        **options: Any,
    ) -> None:
        """Use another configuration from the next ``save()`` on: either
        a SessionConfig (or a codec), or options changed over the current
        ones (e.g. ``update_config(ttl=3600)``), validated again here."""
        if config is None and options:
            config = self.config.replace(**options)
        elif config is None or options:
            raise TypeError(
                "update_config() takes a SessionConfig or options, not both"
                if options
                else "update_config() takes a SessionConfig or options"
            )
        if isinstance(config, SessionCodec):
            self._codec = config
        elif isinstance(config, SessionConfig):
            self._codec = self._codec.derive(config)
        else:
            raise TypeError(
                "update_config() takes a SessionConfig, not "
                f"{type(config).__name__}"
            )

    # -- dict mutators: keep ``modified`` true to what happened -------

    def __setitem__(self, key: str, value: Any) -> None:
        dict.__setitem__(self, key, value)
        self.accessed = self.modified = True

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self.accessed = self.modified = True

    def __ior__(self, other: Any) -> IronSession:  # type: ignore[misc]
        dict.update(self, other)
        self.accessed = self.modified = True
        return self

    def clear(self) -> None:
        if self:
            dict.clear(self)
            self.accessed = self.modified = True

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.accessed = self.modified = True
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[str, Any]:
        item = dict.popitem(self)
        self.accessed = self.modified = True
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self, *args, **kwargs)
        self.accessed = self.modified = True


def _assert_writable(jar: CookieJar) -> None:
    # Optional in the jar protocol: a jar that can tell that its cookies
    # would no longer be sent (response started) raises here.
    assert_writable = getattr(jar, "assert_writable", None)
    if assert_writable is not None:
        assert_writable()


def get_iron_session(
    jar: CookieJar,
    config: SessionConfig | SessionCodec | None = None,
    /,
    **options: Any,
) -> IronSession:
    """iron-session 9's ``getIronSession(jar, options)``: the session the
    request's cookie holds, or an empty one.

    ``jar`` reads the request's cookies and collects ``Set-Cookie`` lines
    (see ``iron_fast.cookies.CookieJar``; ``HeaderCookieJar`` wraps a raw
    ``Cookie`` header). Pass a SessionConfig built once (or its codec, or
    a SessionCodec of your own, such as one with a fixed clock), or the
    options themselves (``password=..., cookie_name=..., ...``; the
    configuration they compile to is then cached).

    Reading never raises for a bad cookie: an expired, tampered, foreign
    or garbage cookie gives an empty session, and the configuration's
    ``on_unseal_error(reason, error)`` hook hears about it."""
    if config is None and options:
        codec = config_for(options).codec
    elif isinstance(config, SessionConfig) and not options:
        codec = config.codec
    elif isinstance(config, SessionCodec) and not options:
        codec = config
    else:
        raise TypeError(
            "use get_iron_session(jar, config) with a SessionConfig, or "
            "get_iron_session(jar, password=..., cookie_name=..., ...)"
        )
    if getattr(jar, "read", None) is None or not hasattr(jar, "write"):
        # Checked now rather than at the first save(), mid-response.
        raise TypeError(
            "get_iron_session() needs a cookie jar with read(name) and "
            "write(name, value, set_cookie) methods, got "
            f"{type(jar).__name__}"
        )
    return IronSession(jar, codec, codec.read(jar))
