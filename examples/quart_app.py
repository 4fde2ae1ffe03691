# SPDX-License-Identifier: MIT
"""Quart with iron_fast's session: log in, count clicks, log out.

    export SECRET_COOKIE_PASSWORD=$(.venv/bin/iron-fast keygen)
    COOKIE_SECURE=0 .venv/bin/quart --app examples/quart_app.py run

then open http://127.0.0.1:5000 (``COOKIE_SECURE=0``: plain HTTP, for
development only).

The only change from Quart's own sessions is the ``session_interface``
line (and the password's config key, which replaces ``SECRET_KEY``);
``quart.session`` is used exactly as before.
"""

from __future__ import annotations

import os
from html import escape

from quart import Quart, redirect, request, session
from quart.typing import ResponseReturnValue

from iron_fast.quart import IronSessionInterface

SECURE = os.environ.get("COOKIE_SECURE") != "0"
app = Quart(__name__)
app.config.update(
    IRON_SESSION_PASSWORD=os.environ["SECRET_COOKIE_PASSWORD"],
    SESSION_COOKIE_NAME="iron_fast_example",
    # Secure is on by default, as in iron-session; off for plain HTTP.
    IRON_SESSION_COOKIE_OPTIONS={"secure": SECURE},
    # COOKIE_SECURE=0 is deliberate (plain HTTP on 127.0.0.1 for
    # development): say so, and no IronFastWarning is printed.
    IRON_SESSION_ALLOW_INSECURE=not SECURE,
)
# Was: app.secret_key = ... (Quart's signed, unencrypted cookie)
# (Quart types the attribute as its own cookie interface, hence the ignore.)
app.session_interface = IronSessionInterface()  # type: ignore[assignment]


@app.get("/")
async def home() -> ResponseReturnValue:
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
    return f"<!doctype html><title>iron_fast</title>{body}"


@app.post("/login")
async def login() -> ResponseReturnValue:
    form = await request.form
    session["user"] = form.get("name", "").strip()[:64]
    session["count"] = 0
    return redirect("/", 303)


@app.post("/count")
async def count() -> ResponseReturnValue:
    if "user" in session:
        session["count"] = session.get("count", 0) + 1
    return redirect("/", 303)


@app.post("/logout")
async def logout() -> ResponseReturnValue:
    session.clear()  # expires the cookie, as with Quart's own session
    return redirect("/", 303)
