# SPDX-License-Identifier: MIT
"""IronSessionMiddleware: a pure-ASGI drop-in for Starlette's
SessionMiddleware (``request.session``), writing iron-session's cookie."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import partialmethod
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iron_fast.cookies import get_cookie
from iron_fast.errors import IronError
from iron_fast.session import IronSession, _read_chunks
from iron_fast.session_config import SessionConfig, UnsealErrorHook

if TYPE_CHECKING:
    from typing_extensions import TypedDict, Unpack

    class SessionOptions(TypedDict, total=False):  # for add_middleware()
        password: str | Mapping[int | str, str]
        cookie_name: str
        ttl: int | timedelta
        cookie_options: Mapping[str, Any] | None
        chunk: bool
        on_unseal_error: UnsealErrorHook | None


__all__ = ["IronSessionMiddleware"]


class _ScopeJar:
    """Keeps lines by name: save() then more changes sends one each."""

    __slots__ = ("_header", "lines", "scope", "started")
    # read() is get_cookie() over cookie_header (see session.py).
    _reads_cookie_header = True

    def __init__(self, scope: Scope) -> None:
        self.scope, self.started = scope, False
        self._header: str | None = None
        self.lines: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        header = self._header
        if header is None:
            header = self._join_cookie_headers()
        return header

    def _join_cookie_headers(self) -> str:
        joined = b""
        for key, value in self.scope["headers"]:
            if key == b"cookie":
                # HTTP/2 may split them over headers (RFC 9113: join
                # them with "; ")
                joined = joined + b"; " + value if joined else value
        header = self._header = joined.decode("latin-1")
        return header

    def read(self, name: str) -> str | None:
        # The property's body again, one call fewer: this runs on every
        # request that uses its session.
        header = self._header
        if header is None:
            header = self._join_cookie_headers()
        return get_cookie(header, name)

    def write(self, name: str, value: str, set_cookie: str) -> None:
        self.lines[name] = set_cookie

    def assert_writable(self) -> None:
        if self.started or self.scope["type"] != "http":
            raise IronError(
                "the session cookie can no longer be sent (response started, "
                "or a WebSocket): save or destroy it in an HTTP route first"
            )


class _LazySession(IronSession):
    """Unseals on first use, then is a plain IronSession (same layout)."""

    __slots__ = ()

    def _load(self) -> None:
        self.__class__ = IronSession  # type: ignore[assignment]
        config = self._config
        read = self._jar.read
        # _read_data() inlined: one call fewer on every request.
        seal = read(config.cookie_name) or _read_chunks(read, config)
        if seal:
            data = config._open(seal)
            if data:
                dict.update(self, data)

    mark_accessed = _load  # request.session calls it

    def _loaded(self, method: Any, /, *args: Any, **kwargs: Any) -> Any:
        self._load()
        return method(self, *args, **kwargs)


# Any read or write loads first: some code uses scope["session"] directly.
for _name in (
    "__contains__ __delitem__ __eq__ __getitem__ __ior__ __iter__ __len__ "
    "__ne__ __or__ __repr__ __reversed__ __ror__ __setitem__ clear copy "
    "destroy get items keys pop popitem save setdefault update "
    "update_config values"
).split():
    _method = getattr(IronSession, _name)
    setattr(_LazySession, _name, partialmethod(_LazySession._loaded, _method))


class IronSessionMiddleware:
    """``add_middleware(IronSessionMiddleware, password=..., ...)``: the
    options of get_iron_session (``cookie_name="session"`` by default) or
    ``config=SessionConfig(...)``. Saves a modified session when the
    response starts; an emptied one expires its cookie."""

    def __init__(
        self,
        app: ASGIApp,
        config: SessionConfig | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        if config is None:
            options.setdefault("cookie_name", "session")
            config = SessionConfig(**options)
        elif options or not isinstance(config, SessionConfig):
            raise TypeError("pass a SessionConfig or options, not both")
        self.app = app
        self.config = config
        probe = _LazySession(_ScopeJar({"headers": []}), config)
        HTTPConnection({"type": "http", "session": probe}).session
        self._lazy = type(probe) is IronSession

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        jar = _ScopeJar(scope)
        scope["session"] = session = _LazySession(jar, self.config)
        if not self._lazy:  # request.session won't call mark_accessed()
            session._load()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                if type(session) is not _LazySession:  # it was used
                    _finish(session, jar, message)
                jar.started = True
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _finish(session: IronSession, jar: _ScopeJar, message: Message) -> None:
    if session.modified:
        if session:
            session.save()
        else:
            # SessionMiddleware's logout is clear(): expire the cookie the
            # request sent, and drop whatever an earlier save() wrote.
            jar.lines.clear()
            name = session.config.cookie_name
            if jar.read(name) or jar.read(f"{name}.0"):
                session.destroy()
    headers = message["headers"] = list(message.get("headers", ()))
    for index, (key, value) in enumerate(headers):
        if key == b"vary":  # extend it: caches may read only the first
            headers[index] = (b"vary", value + b", Cookie")
            break
    else:
        headers.append((b"vary", b"Cookie"))
    for line in jar.lines.values():
        headers.append((b"set-cookie", line.encode()))
