# SPDX-License-Identifier: MIT
"""What the ASGI adapters (Starlette, Litestar, Quart) share: ScopeJar, the
one jar over a connection scope, and the response headers it adds."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from iron_fast.cookies import ResponseJar
from iron_fast.errors import IronError

__all__ = ["ScopeJar", "add_cookie_headers"]


class ScopeJar(ResponseJar):
    """The request's ``Cookie`` headers read from the scope, and a refusal
    to write once no cookie can reach the browser: on a WebSocket, or
    after the adapter set ``started`` (the response headers are out)."""

    __slots__ = ("started", "websocket")

    def __init__(self, scope: Mapping[str, Any]) -> None:
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


def add_cookie_headers(
    message: MutableMapping[str, Any], jar: ResponseJar, *, vary: bool
) -> None:
    """Add the jar's Set-Cookie lines to an ``http.response.start``
    message, and ``Vary: Cookie`` when the response depended on the
    session (``vary``) or sets its cookie. The header list is copied: a
    response object may be sent again, to another user."""
    if not (vary or jar.lines):
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
