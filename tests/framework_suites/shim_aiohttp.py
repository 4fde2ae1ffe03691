# SPDX-License-Identifier: MIT
"""aiohttp-session's own cookie-storage and middleware tests with IronStorage
in place of SimpleCookieStorage (a pytest plugin: ``-p shim_aiohttp``)."""

from __future__ import annotations

from typing import Any

import aiohttp_session

from iron_fast.aiohttp import IronStorage


class SimpleCookieStorage(IronStorage):
    """SimpleCookieStorage's signature over IronStorage, with the cookie
    settings aiohttp-session defaults to (no Secure on a test server)."""

    def __init__(self, *, encoder: Any = None, decoder: Any = None, **kw: Any):
        kw.setdefault("secure", None)
        super().__init__(
            "aiohttp-session-suite-password-0123456789",
            allow_insecure=True,
            **kw,
        )


aiohttp_session.SimpleCookieStorage = SimpleCookieStorage  # type: ignore[misc]
