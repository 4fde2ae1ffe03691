# SPDX-License-Identifier: MIT
"""Litestar with iron_fast's session: log in, count clicks, log out.

    export SECRET_COOKIE_PASSWORD=$(.venv/bin/iron-fast keygen)
    COOKIE_SECURE=0 .venv/bin/uvicorn examples.litestar_app:app

then open http://127.0.0.1:8000 (``COOKIE_SECURE=0``: plain HTTP, for
development only).

The only change from Litestar's own CookieBackendConfig is the config
line; ``request.session``, ``set_session`` and ``clear_session`` are used
exactly as before.
"""

from __future__ import annotations

import os
from html import escape
from typing import Any
from urllib.parse import parse_qs

from litestar import Litestar, Request, get, post
from litestar.response import Redirect

from iron_fast.litestar import IronCookieBackendConfig

AnyRequest = Request[Any, Any, Any]


async def form_field(request: AnyRequest, name: str) -> str:
    # Parsed by hand: Litestar's form parsing needs python-multipart.
    fields = parse_qs((await request.body()).decode(), max_num_fields=10)
    return fields.get(name, [""])[0].strip()


@get("/", media_type="text/html")
async def home(request: AnyRequest) -> str:
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
    return f"<!doctype html><title>iron_fast</title>{body}"


@post("/login")
async def login(request: AnyRequest) -> Redirect:
    name = (await form_field(request, "name"))[:64]
    request.set_session({"user": name, "count": 0})
    return Redirect("/", status_code=303)


@post("/count")
async def count(request: AnyRequest) -> Redirect:
    if "user" in request.session:
        request.session["count"] = request.session.get("count", 0) + 1
    return Redirect("/", status_code=303)


@post("/logout")
async def logout(request: AnyRequest) -> Redirect:
    request.clear_session()  # expires the cookie
    return Redirect("/", status_code=303)


SECURE = os.environ.get("COOKIE_SECURE") != "0"
# Was: CookieBackendConfig(secret=...)
session_config = IronCookieBackendConfig(
    password=os.environ["SECRET_COOKIE_PASSWORD"],
    cookie_name="iron_fast_example",
    # Secure is on by default, as in iron-session; off for plain HTTP.
    cookie_options={"secure": SECURE},
    # COOKIE_SECURE=0 is deliberate (plain HTTP on 127.0.0.1 for
    # development): say so, and no IronFastWarning is printed.
    allow_insecure=not SECURE,
)
app = Litestar(
    route_handlers=[home, login, count, logout],
    middleware=[session_config.middleware],
)
