# SPDX-License-Identifier: MIT
"""aiohttp with iron_fast's session storage: log in, count clicks, log out.

    export SECRET_COOKIE_PASSWORD="$(.venv/bin/iron-fast keygen)"
    COOKIE_SECURE=0 .venv/bin/python examples/aiohttp_app.py

then open http://127.0.0.1:8080/ (COOKIE_SECURE=0: plain HTTP, for this
local development server only; run from the repository root).

The only change from aiohttp-session's EncryptedCookieStorage is the
``setup`` line; ``await get_session(request)`` is used exactly as before.
"""

from __future__ import annotations

import os
from html import escape

from aiohttp import web
from aiohttp_session import get_session, new_session, setup

from iron_fast.aiohttp import IronStorage

routes = web.RouteTableDef()


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    session = await get_session(request)
    user = session.get("user")
    if user is None:
        body = (
            '<form method="post" action="/login">'
            '<input name="name" placeholder="your name" required> '
            "<button>Log in</button></form>"
        )
    else:
        body = (
            f"<p>Hello, {escape(user)}. Count: {session.get('count', 0)}</p>"
            '<form method="post" action="/count"><button>+1</button></form>'
            '<form method="post" action="/logout"><button>Log out</button>'
            "</form>"
        )
    return web.Response(
        text=f"<!doctype html><title>iron_fast</title>{body}",
        content_type="text/html",
    )


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    session = await new_session(request)
    session["user"] = str(form.get("name", "")).strip()[:64]
    session["count"] = 0
    raise web.HTTPSeeOther("/")


@routes.post("/count")
async def count(request: web.Request) -> web.Response:
    session = await get_session(request)
    if "user" in session:
        session["count"] = session.get("count", 0) + 1
    raise web.HTTPSeeOther("/")


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    (await get_session(request)).invalidate()  # expires the cookie
    raise web.HTTPSeeOther("/")


def make_app() -> web.Application:
    secure = os.environ.get("COOKIE_SECURE") != "0"
    app = web.Application()
    # Was: setup(app, EncryptedCookieStorage(secret_key, ...))
    setup(
        app,
        IronStorage(
            os.environ["SECRET_COOKIE_PASSWORD"],
            cookie_name="iron_fast_example",
            secure=secure,
            # COOKIE_SECURE=0 is deliberate (plain HTTP on 127.0.0.1 for
            # development): say so, and no IronFastWarning is printed.
            allow_insecure=not secure,
        ),
    )
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=8080)
