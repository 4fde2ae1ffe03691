# SPDX-License-Identifier: MIT
"""What the ASGI adapters (Starlette, Litestar, Quart) share: ScopeJar, the
one jar over a connection scope, the response headers it adds, and a
session whose reads count as access."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from iron_fast.cookies import ResponseJar
from iron_fast.errors import IronError
from iron_fast.session import IronSession

__all__ = ["ReadTrackingSession", "ScopeJar", "add_cookie_headers"]


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


def add_cookie_headers(message: Any, jar: ResponseJar, *, vary: bool) -> None:
    """Add the jar's Set-Cookie lines to an ``http.response.start``
    message (a mutable mapping, which each framework types its own way),
    and ``Vary: Cookie`` when the response depended on the session
    (``vary``) or sets its cookie. The header list is copied: a response
    object may be sent again, to another user."""
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


_Read = TypeVar("_Read", bound=Callable[..., Any])


def _reading(read: _Read) -> _Read:
    def method(self: IronSession, *args: Any) -> Any:
        self.accessed = True
        return read(self, *args)

    return method  # type: ignore[return-value]


class ReadTrackingSession(IronSession):
    """An IronSession whose reads set ``accessed`` (the response then
    varies by cookie), for frameworks whose ``session`` does not say when
    it is read (Litestar's ``request.session``, Quart's ``session``)."""

    __slots__ = ()
    __getitem__ = _reading(dict.__getitem__)
    __contains__ = _reading(dict.__contains__)
    __iter__ = _reading(dict.__iter__)
    __len__ = _reading(dict.__len__)
    get = _reading(dict.get)
    keys = _reading(dict.keys)
    items = _reading(dict.items)
    values = _reading(dict.values)
    setdefault = _reading(IronSession.setdefault)
