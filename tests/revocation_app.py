# SPDX-License-Identifier: MIT
"""A small Starlette app with revocation on Redis, run under uvicorn by
tests/test_revocation_servers.py (several processes share one Redis).

Configured from the environment: IRON_FAST_REDIS_URL, and
REVOCATION_PREFIX, REVOCATION_CACHE_TTL, REVOCATION_ON_ERROR,
REVOCATION_TIMEOUT.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from iron_fast import SessionConfig
from iron_fast.revocation import RedisRevocation
from iron_fast.starlette import IronSessionMiddleware

PASSWORD = "two-servers-test-password-0123456789"
REASONS: list[str] = []

store = RedisRevocation(
    os.environ["IRON_FAST_REDIS_URL"],
    prefix=os.environ.get("REVOCATION_PREFIX", "iron-test:"),
    cache_ttl=float(os.environ.get("REVOCATION_CACHE_TTL", "1.0")),
    on_error=os.environ.get("REVOCATION_ON_ERROR", "deny"),  # type: ignore[arg-type]
    timeout=float(os.environ.get("REVOCATION_TIMEOUT", "0.25")),
)


def heard(reason: str, error: Exception) -> None:
    REASONS.append(reason)


async def login(request: Request) -> JSONResponse:
    request.session["user"] = request.query_params["sub"]
    request.session.subject = request.query_params["sub"]
    return JSONResponse({})


async def me(request: Request) -> JSONResponse:
    # The reasons heard while reading this request's session.
    reasons = REASONS[:]
    REASONS.clear()
    return JSONResponse({"data": dict(request.session), "reasons": reasons})


async def logout(request: Request) -> JSONResponse:
    request.session.revoke()
    return JSONResponse({})


async def revoke_subject(request: Request) -> JSONResponse:
    await store.arevoke_subject(request.query_params["sub"])
    return JSONResponse({})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


config = SessionConfig(
    password=PASSWORD,
    cookie_name="sid",
    revocation=store,
    on_unseal_error=heard,
)
app = Starlette(
    routes=[
        Route("/login", login),
        Route("/me", me),
        Route("/logout", logout),
        Route("/revoke-subject", revoke_subject),
        Route("/health", health),
    ],
    middleware=[Middleware(IronSessionMiddleware, config=config)],
)
