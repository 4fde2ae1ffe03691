# SPDX-License-Identifier: MIT
"""ScopeJar: the adapters' ResponseJar over an ASGI connection scope, for
the adapters of ASGI frameworks (Litestar, Quart)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iron_fast.cookies import ResponseJar
from iron_fast.errors import IronError

__all__ = ["ScopeJar"]


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
