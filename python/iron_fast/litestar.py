# SPDX-License-Identifier: MIT
"""IronCookieBackendConfig: Litestar's sessions (``request.session``,
``set_session``, ``clear_session``, ``SessionAuth``) in iron-session's
cookie: ``Litestar(middleware=[IronCookieBackendConfig(...).middleware])``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.session.base import (
    BaseBackendConfig,
    BaseSessionBackend,
    SessionMiddleware,
)
from litestar.types import Empty, Message, Receive, Scope, Scopes, Send

from iron_fast.asgi import (
    ReadTrackingSession,
    ResponseJar,
    add_cookie_headers,
)
from iron_fast.session import IronSession
from iron_fast.session_config import SessionConfig, SessionOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["IronCookieBackendConfig", "IronSessionBackend"]


class IronSessionBackend(BaseSessionBackend["IronCookieBackendConfig"]):
    """Reads and writes the session cookie for the middleware, and for
    Litestar's own callers (``SessionAuth``, the test client's
    ``set_session_data``/``get_session_data``)."""

    async def open(self, jar: ResponseJar) -> IronSession:
        """The request's session, with the lifetime rules (the revocation
        store awaited, if there is one)."""
        codec = self.config.session_config.codec
        opened = await codec.aload(jar)
        return ReadTrackingSession(jar, codec, *opened, deferred=True)

    def write(self, jar: ResponseJar, value: Any, scope: Scope) -> None:
        """What the connection's final session value says: a modified
        IronSession saved, anything else (``set_session``) sealed in
        its place, an empty one or ``clear_session``'s Empty cleared."""
        codec = self.config.session_config.codec
        if isinstance(value, IronSession) and value.jar is jar:
            if value.modified and dict.__len__(value):
                value.save()
            elif value.modified:
                codec.clear(jar)
        elif value is Empty or not value:
            codec.clear(jar)
        else:
            if not isinstance(value, Mapping):  # a dataclass, a model
                value = self.deserialize_data(
                    self.serialize_data(value, scope)
                )
            jar.lines.clear()  # it replaces whatever was saved before
            # A new session (with the lifetime options: a new identity).
            codec.save(jar, dict(value), codec.stamp(None))

    def get_session_id(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        return None

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        header = self.config.session_config.header
        return await self.open(_jar(connection, header))

    async def store_in_message(
        self,
        scope_session: Any,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        header = self.config.session_config.header
        jar = _jar(connection, header)
        self.write(jar, scope_session, connection.scope)
        # Litestar's contract here: add to the message's headers in place.
        headers = MutableScopeHeaders.from_message(message)
        headers.extend_header_value("vary", "Cookie")
        if header is not None:
            headers.extend_header_value("vary", header)
        for name, value in jar.response_headers(header):
            headers.add(name.lower(), value)


def _jar(
    connection: ASGIConnection[Any, Any, Any, Any], header: str | None
) -> ResponseJar:
    jar = ResponseJar.from_scope(connection.scope, header)
    if not jar.cookie_header:
        # The test client's session helpers hand parsed cookies only.
        jar.cookie_header = "; ".join(
            f"{name}={value}" for name, value in connection.cookies.items()
        )
    return jar


class IronSessionMiddleware(SessionMiddleware[IronSessionBackend]):
    """Litestar's SessionMiddleware, saving only a changed session, and
    reading the connection's session at response time, since
    ``set_session``/``clear_session`` replace the object."""

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send
    ) -> None:
        backend = self.backend
        header = backend.config.session_config.header
        jar = ResponseJar.from_scope(scope, header)
        session = await backend.open(jar)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                pending = session.pending_revocation
                if pending is not None:  # session.revoke() in the handler
                    await session.config.codec.arevoke(pending)
                value = scope.get("session")
                backend.write(jar, value, scope)
                jar.writable = False  # the headers are out
                vary = value is not session or session.accessed
                add_cookie_headers(message, jar, vary=vary, header=header)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class IronCookieBackendConfig(BaseBackendConfig[IronSessionBackend]):
    """The options of ``get_iron_session`` (``cookie_name="session"`` by
    default; Litestar's ``key`` is that name) or ``config=SessionConfig(
    ...)``, and Litestar's ``exclude``, ``exclude_opt_key`` and
    ``scopes``. Put ``.middleware`` in ``Litestar(middleware=[...])``, or
    the config in ``SessionAuth(session_backend_config=...)``."""

    _backend_class = IronSessionBackend

    def __init__(
        self,
        config: SessionConfig | None = None,
        *,
        exclude: str | list[str] | None = None,
        exclude_opt_key: str = "skip_session",
        scopes: Scopes | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        if config is None:
            options.setdefault("cookie_name", "session")
            config = SessionConfig(**options)
        elif options or not isinstance(config, SessionConfig):
            raise TypeError("pass a SessionConfig or options, not both")
        config.codec.check_store_client(is_async=True, adapter="Litestar")
        self.session_config = config
        cookie = config.cookie_options
        # BaseBackendConfig's attributes, for code that reads them.
        self.key = config.cookie_name
        self.max_age = config.max_age  # type: ignore[assignment]
        self.path = cookie.get("path")  # type: ignore[assignment]
        self.domain = cookie.get("domain")
        self.secure = bool(cookie.get("secure"))
        self.httponly = bool(cookie.get("httponly"))
        self.samesite = cookie.get("samesite")  # type: ignore[assignment]
        self.exclude = exclude
        self.exclude_opt_key = exclude_opt_key
        if scopes is not None:
            self.scopes = scopes

    @property
    def middleware(self) -> DefineMiddleware:
        return DefineMiddleware(
            IronSessionMiddleware, backend=self._backend_class(config=self)
        )

    def __repr__(self) -> str:
        return f"IronCookieBackendConfig({self.session_config!r})"
