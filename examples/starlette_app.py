# SPDX-License-Identifier: MIT
"""Starlette with iron_fast's session: log in, count clicks, log out.

    export SECRET_COOKIE_PASSWORD="$(.venv/bin/iron-fast keygen)"
    COOKIE_SECURE=0 .venv/bin/uvicorn examples.starlette_app:app

then open http://127.0.0.1:8000/ (COOKIE_SECURE=0: plain HTTP, for this
local development server only; run from the repository root).

The only change from Starlette's own SessionMiddleware is the
``add_middleware`` line; ``request.session`` is used exactly as before.
"""

from __future__ import annotations

import os
from html import escape
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from iron_fast import SessionConfig
from iron_fast.starlette import IronSessionMiddleware


async def form_field(request: Request, name: str) -> str:
    # Parsed by hand: Starlette's request.form() needs python-multipart.
    fields = parse_qs((await request.body()).decode(), max_num_fields=10)
    return fields.get(name, [""])[0].strip()


async def home(request: Request) -> HTMLResponse:
    user = request.session.get("user")
    if user is None:
        body = (
            '<form method="post" action="/login">'
            '<input name="name" placeholder="your name" required> '
            "<button>Log in</button></form>"
        )
    else:
        body = (
            f"<p>Hello, {escape(user)}. "
            f"Count: {request.session.get('count', 0)}</p>"
            '<form method="post" action="/count"><button>+1</button></form>'
            '<form method="post" action="/logout"><button>Log out</button>'
            "</form>"
        )
    return HTMLResponse(f"<!doctype html><title>iron_fast</title>{body}")


async def login(request: Request) -> RedirectResponse:
    request.session["user"] = (await form_field(request, "name"))[:64]
    request.session["count"] = 0
    return RedirectResponse("/", status_code=303)


async def count(request: Request) -> RedirectResponse:
    if "user" in request.session:
        request.session["count"] = request.session.get("count", 0) + 1
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> RedirectResponse:
    request.session.clear()  # expires the cookie, as with Starlette's
    return RedirectResponse("/", status_code=303)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/login", login, methods=["POST"]),
        Route("/count", count, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
)
SECURE = os.environ.get("COOKIE_SECURE") != "0"
# Was: app.add_middleware(SessionMiddleware, secret_key=...)
app.add_middleware(
    IronSessionMiddleware,
    config=SessionConfig(
        password=os.environ["SECRET_COOKIE_PASSWORD"],
        cookie_name="iron_fast_example",
        cookie_options={"secure": SECURE},
        # COOKIE_SECURE=0 is deliberate (plain HTTP on 127.0.0.1 for
        # development): say so, and no IronFastWarning is printed.
        allow_insecure=not SECURE,
    ),
)
