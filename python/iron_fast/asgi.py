# SPDX-License-Identifier: MIT
"""What the ASGI adapters (Starlette, Litestar, Quart) share: the one jar,
made from a connection scope (``ResponseJar.from_scope``), the response
headers it adds (``add_cookie_headers``, both native like the jar) and,
re-exported, the session whose reads count as access."""

from __future__ import annotations

from iron_fast._core import add_cookie_headers
from iron_fast.cookies import ResponseJar
from iron_fast.session import ReadTrackingSession

__all__ = ["ReadTrackingSession", "ResponseJar", "add_cookie_headers"]
