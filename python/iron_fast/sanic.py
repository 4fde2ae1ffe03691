# SPDX-License-Identifier: MIT
"""IronSession: ``request.ctx.session`` for Sanic, in iron-session's
cookie: ``IronSession(app, password=...)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import TYPE_CHECKING, cast

from sanic import HTTPResponse, Request, Sanic
from sanic.response import BaseHTTPResponse

from iron_fast.request_session import RequestSession, adapter_config
from iron_fast.session_config import SessionConfig, SessionOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["IronSession"]

# Opened before, and saved after, the app's other middleware of the
# default priority, which may use the session.
_PRIORITY = 100
# Sanic's ErrorHandler.response (untyped there): the app's handler for
# an exception, which may be a coroutine function.
_Handler = Callable[
    [Request, Exception], "HTTPResponse | Awaitable[HTTPResponse]"
]


class IronSession:
    """``IronSession(app, password=...)``: the options of get_iron_session
    (``cookie_name="session"`` by default) or ``config=SessionConfig(...)``.
    Registers request and response middleware on ``app``, around the
    app's own: ``request.ctx.session`` is the request's RequestSession,
    saved as the response goes out when modified."""

    def __init__(
        self,
        app: Sanic,  # type: ignore[type-arg]
        config: SessionConfig | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        self.config = adapter_config(config, dict(options))
        self.config.codec.check_store_client(is_async=True, adapter="Sanic")
        app.middleware(self.open, "request", priority=_PRIORITY)
        app.middleware(self.finish, "response", priority=_PRIORITY)

    async def open(self, request: Request) -> None:
        # HTTP/2 may split the Cookie header (RFC 9113: join with "; ").
        text = "; ".join(request.headers.getall("cookie", ()))
        # Sanic decodes header bytes as UTF-8, the rest as surrogates; the
        # session reads the bytes as Latin-1, as Node does (a stray byte
        # in another cookie must not hide the session).
        header = (
            text if text.isascii() else text.encode("utf-8", "surrogateescape")
        )
        # Read only on a WebSocket: no response carries a cookie there
        # (Sanic runs no response middleware for it).
        websocket = request.headers.get("upgrade", "").lower() == "websocket"
        name = self.config.header  # the API clients' transport, if any
        request.ctx.session = await RequestSession.aopen(
            self.config.codec,
            header,
            session_header=None if name is None else request.headers.get(name),
            writable=not websocket,
        )

    async def finish(
        self, request: Request, response: BaseHTTPResponse
    ) -> HTTPResponse | None:
        session = getattr(request.ctx, "session", None)
        if not isinstance(session, RequestSession):
            return None  # answered before the session was opened
        try:
            vary, sent = await session.afinish(response.status)
        except Exception as error:
            # Sanic logs a failing response middleware and sends the
            # response regardless: a session that could not be saved
            # (too large, not JSON) would pass for saved. Answer as the
            # app answers a failing view.
            handle = cast(_Handler, request.app.error_handler.response)
            answer = handle(request, error)
            return await answer if isawaitable(answer) else answer
        headers = response.headers
        if vary is not None:
            # Extend a Vary already there: caches may read only the first.
            given = headers.get("vary")
            headers["vary"] = f"{given}, {vary}" if given else vary
        for name, value in sent:
            # Raw lines: the bytes are the codec's, not Sanic's cookie jar.
            headers.add(name.lower(), value)
        return None
