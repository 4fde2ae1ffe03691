# SPDX-License-Identifier: MIT
"""Starlette's own session tests with IronSessionMiddleware in place of
SessionMiddleware (a pytest plugin: ``-p shim_starlette``)."""

from __future__ import annotations

from typing import Any

import starlette.middleware.sessions as sessions

from iron_fast.starlette import IronSessionMiddleware


class SessionMiddleware(IronSessionMiddleware):
    """Starlette's signature over iron_fast's middleware, configured as a
    migrating user would: https_only keeps Starlette's default (False),
    as IronSessionMiddleware's docstring says to."""

    def __init__(self, app: Any, secret_key: str, **options: Any) -> None:
        options.setdefault("https_only", False)
        super().__init__(
            app,
            # Starlette takes any secret; iron-session wants 32+ characters.
            password=(str(secret_key) * 32)[:64],
            allow_insecure=True,
            **options,
        )


sessions.SessionMiddleware = SessionMiddleware  # type: ignore[misc]
