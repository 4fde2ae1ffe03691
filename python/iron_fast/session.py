# SPDX-License-Identifier: MIT
"""``get_iron_session`` and the session object, with iron-session 9's
semantics: read through a cookie jar, save/destroy as Set-Cookie lines.
The cookie work itself is the configuration's SessionCodec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from iron_fast.codec import SessionCodec
from iron_fast.cookies import CookieJar
from iron_fast.errors import SessionDestroyed
from iron_fast.lifetime import SessionMeta
from iron_fast.session_config import SessionConfig, config_for

__all__ = ["IronSession", "ReadTrackingSession", "get_iron_session"]


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

    With SessionConfig's lifetime options, ``meta`` is the session's
    identity as the codec read it, ``refresh`` says it is due for a fresh
    seal (``modified`` then starts True, so that a save sends it), and
    ``deferred`` (async adapters) leaves the store write of ``revoke()``
    to the adapter, which awaits it before the response is sent.
    """

    __slots__ = (
        "_codec",
        "_deferred",
        "_destroyed",
        "_jar",
        "_meta",
        "_pending",
        "accessed",
        "modified",
    )

    _codec: SessionCodec
    _deferred: bool
    _destroyed: bool
    _jar: CookieJar
    _meta: SessionMeta | None
    _pending: SessionMeta | None
    accessed: bool
    modified: bool

    def __init__(
        self,
        jar: CookieJar,
        codec: SessionCodec,
        data: Mapping[str, Any] | None = None,
        meta: SessionMeta | None = None,
        refresh: bool = False,
        *,
        deferred: bool = False,
    ) -> None:
        if data:
            dict.update(self, data)
        self._jar = jar
        self._codec = codec
        self._destroyed = False
        self._meta = meta
        self._pending = None
        self._deferred = deferred
        self.accessed = False
        self.modified = refresh

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
        jar = self._jar
        _assert_writable(jar)
        codec = self._codec
        # stamp() returns None without the lifetime options; not calling it
        # then is part of the plain path's measured gain (CHANGELOG.md).
        if codec.lifetime is None:
            codec.save(jar, self)
        else:
            meta = codec.stamp(self._meta)
            codec.save(jar, self, meta)
            self._meta = meta
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

    # -- lifetime: whose session, and ending it everywhere ---------------

    @property
    def subject(self) -> str | None:
        """Whose session this is (a ``str`` of 1 to 256 characters), set
        at login and kept across saves; None (the default) for nobody.
        Setting another one starts a new session identity (a new id,
        issued now) and marks the session modified. Needs one of the
        lifetime options (ConfigError otherwise); TypeError or ValueError
        for a bad subject."""
        return None if self._meta is None else self._meta.subject

    @subject.setter
    def subject(self, subject: str | None) -> None:
        meta = self._codec.with_subject(self._meta, subject)
        if meta is not self._meta:
            self._meta = meta
            self.accessed = self.modified = True

    @property
    def pending_revocation(self) -> SessionMeta | None:
        """The session an async adapter must still revoke in the store
        (``codec.arevoke``) before sending the response."""
        return self._pending

    def revoke(self) -> None:
        """End this session on every process: ``destroy()``, and its id
        written to the revocation store until its seal would have
        expired. Sync callers write at once (StoreUnavailableError if the
        store cannot take it); in an async adapter the write is awaited
        before the response is sent. ConfigError without a store."""
        meta = self._start_revoke()
        if meta is not None:
            if self._deferred:
                self._pending = meta
            else:
                self._codec.revoke(meta)

    async def arevoke(self) -> None:
        """``revoke()``, with the store write awaited here (so an async
        view can handle StoreUnavailableError itself)."""
        meta = self._start_revoke()
        if meta is not None:
            await self._codec.arevoke(meta)

    def _start_revoke(self) -> SessionMeta | None:
        self._codec.check_revocation()  # before anything is cleared
        meta = self._meta
        self.destroy()
        self._meta = None
        return meta

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


_Read = TypeVar("_Read", bound=Callable[..., Any])


def _reading(read: _Read) -> _Read:
    def method(self: IronSession, *args: Any) -> Any:
        self.accessed = True
        return read(self, *args)

    return method  # type: ignore[return-value]


class ReadTrackingSession(IronSession):
    """An IronSession whose reads set ``accessed`` (the response then
    varies by cookie), for frameworks whose ``session`` does not say when
    it is read: Litestar's ``request.session``, Quart's ``session``, and
    the attribute Falcon and Sanic hand to handlers."""

    __slots__ = ()
    __getitem__ = _reading(dict.__getitem__)
    __contains__ = _reading(dict.__contains__)
    __iter__ = _reading(dict.__iter__)
    __len__ = _reading(dict.__len__)
    get = _reading(dict.get)
    keys = _reading(dict.keys)
    items = _reading(dict.items)
    values = _reading(dict.values)
    copy = _reading(dict.copy)
    setdefault = _reading(IronSession.setdefault)


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
    return IronSession(jar, codec, *codec.load(jar))
