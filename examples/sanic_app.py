# SPDX-License-Identifier: MIT
"""Sanic with iron_fast's session: log in, count clicks, log out.

From the repository root:

    export IRON_SESSION_PASSWORD="$(.venv/bin/iron-fast keygen)"
    .venv/bin/python examples/sanic_app.py   # http://127.0.0.1:8000/

``IronSession(app, ...)`` puts the session in ``request.ctx.session``, a
dict; it is saved when changed.
"""

from __future__ import annotations

import os
from html import escape

from sanic import HTTPResponse, Request, Sanic, html, redirect

from iron_fast.sanic import IronSession


async def home(request: Request) -> HTTPResponse:
    session = request.ctx.session
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
    return html(f"<!doctype html><title>iron_fast</title>{body}")


async def login(request: Request) -> HTTPResponse:
    name = (request.form.get("name") if request.form else None) or ""
    request.ctx.session["user"] = name.strip()[:64]
    request.ctx.session["count"] = 0
    return redirect("/", status=303)


async def count(request: Request) -> HTTPResponse:
    session = request.ctx.session
    if "user" in session:
        session["count"] = session.get("count", 0) + 1
    return redirect("/", status=303)


async def logout(request: Request) -> HTTPResponse:
    request.ctx.session.destroy()  # expires the cookie
    return redirect("/", status=303)


def make_app() -> Sanic:  # type: ignore[type-arg]
    app = Sanic("iron_fast_example")
    IronSession(
        app,
        password=os.environ["IRON_SESSION_PASSWORD"],
        cookie_name="iron_fast_example",
        # Plain HTTP, and only on this machine (the server below listens
        # on 127.0.0.1): a cookie without Secure, said to be deliberate.
        # Behind HTTPS in production, drop both lines.
        cookie_options={"secure": False},
        allow_insecure=True,
    )
    app.add_route(home, "/")
    app.add_route(login, "/login", methods=["POST"])
    app.add_route(count, "/count", methods=["POST"])
    app.add_route(logout, "/logout", methods=["POST"])
    return app


if __name__ == "__main__":
    # single_process: no worker processes, so make_app() runs once.
    make_app().run(host="127.0.0.1", port=8000, single_process=True)
