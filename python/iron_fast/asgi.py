# SPDX-License-Identifier: MIT
"""What the ASGI adapters (Starlette, Litestar, Quart) share: ScopeJar, the
one jar over a connection scope and the response headers it adds (and,
re-exported, the session whose reads count as access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iron_fast.cookies import ResponseJar
from iron_fast.errors import IronError
from iron_fast.session import ReadTrackingSession

__all__ = ["ReadTrackingSession", "ScopeJar", "add_cookie_headers"]


class ScopeJar(ResponseJar):
    """The request's ``Cookie`` headers read from the scope, and a refusal
    to write once no cookie can reach the browser: on a WebSocket, or
    after the adapter set ``started`` (the response headers are out)."""

    __slots__ = ("started", "websocket")

    def __init__(
        self, scope: Mapping[str, Any], header: str | None = None
    ) -> None:
        # One pass over the headers. HTTP/2 may split the Cookie header
        # over several (RFC 9113: join them with "; ").
        cookies = []
        session_header = None
        wanted = None  # SessionConfig.header, the API clients' header
        if header is not None:
            wanted = header.lower().encode("latin-1")
        for key, value in scope["headers"]:
            if key == b"cookie":
                cookies.append(value)
            elif key == wanted and session_header is None:
                session_header = value
        cookie = cookies[0] if len(cookies) == 1 else b"; ".join(cookies)
        ResponseJar.__init__(self, cookie, session_header)
        self.started = False
        self.websocket = scope["type"] == "websocket"

    def assert_writable(self) -> None:
        if self.started or self.websocket:
            raise IronError(
                "the session cookie can no longer be sent (response started, "
                "or a WebSocket): save or destroy it in an HTTP route first"
            )


def add_cookie_headers(
    message: Any,
    jar: ResponseJar,
    *,
    vary: bool,
    header: str | None = None,
) -> None:
    """Add the jar's Set-Cookie lines (and a header client's session
    ``header``, SessionConfig.header) to an ``http.response.start``
    message (a mutable mapping, which each framework types its own way),
    and ``Vary: Cookie`` (and the header) when the response depended on
    the session (``vary``) or sets it. The header list is copied: a
    response object may be sent again, to another user."""
    sent = jar.response_headers(header)
    if not (vary or sent):
        return
    varies = b"Cookie" if header is None else f"Cookie, {header}".encode()
    headers = message["headers"] = list(message.get("headers", ()))
    for index, (key, value) in enumerate(headers):
        if key == b"vary":  # extend it: caches may read only the first
            headers[index] = (b"vary", value + b", " + varies)
            break
    else:
        headers.append((b"vary", varies))
    for name, value in sent:
        headers.append((name.lower().encode(), value.encode("latin-1")))
