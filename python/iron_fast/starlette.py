# SPDX-License-Identifier: MIT
"""IronSessionMiddleware: a pure-ASGI drop-in for Starlette's
SessionMiddleware (``request.session``), writing iron-session's cookie."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iron_fast.cookies import ResponseJar
from iron_fast.errors import IronError
from iron_fast.session import IronSession
from iron_fast.session_config import SessionConfig, SessionOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["IronSessionMiddleware"]


class _ResponseJar(ResponseJar):
    """The one jar, told when the response has started (its headers are
    out, so a cookie written after that would be lost)."""

    __slots__ = ("started", "websocket")

    def __init__(self, scope: Scope) -> None:
        # HTTP/2 may split the Cookie header over several (RFC 9113: join
        # them with "; ").
        super().__init__(
            b"; ".join(v for k, v in scope["headers"] if k == b"cookie")
        )
        self.started = False
        self.websocket = scope["type"] == "websocket"

    def assert_writable(self) -> None:
        if self.started or self.websocket:
            raise IronError(
                "the session cookie can no longer be sent (response started, "
                "or a WebSocket): save or destroy it in an HTTP route first"
            )


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
        config.codec.check_store_client(is_async=True, adapter="Starlette")
        self.app = app
        self.config = config

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        codec = self.config.codec
        jar = _ResponseJar(scope)
        opened = await codec.aload(jar)
        session = IronSession(jar, codec, *opened, deferred=True)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                pending = session.pending_revocation
                if pending is not None:  # session.revoke() in the view
                    await codec.arevoke(pending)
                _finish(session, jar, message)
                jar.started = True
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _finish(session: IronSession, jar: _ResponseJar, message: Message) -> None:
    if session.modified:
        if session:
            session.save()
        else:
            # SessionMiddleware's logout is clear().
            session.config.codec.clear(jar)
    if not (session.accessed or jar.lines):
        return
    headers = message["headers"] = list(message.get("headers", ()))
    for index, (key, value) in enumerate(headers):
        if key == b"vary":  # extend it: caches may read only the first
            headers[index] = (b"vary", value + b", Cookie")
            break
    else:
        headers.append((b"vary", b"Cookie"))
    for line in jar.lines.values():
        headers.append((b"set-cookie", line.encode()))
