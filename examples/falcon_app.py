# SPDX-License-Identifier: MIT
"""Falcon with iron_fast's session: log in, count clicks, log out.

From the repository root:

    export IRON_SESSION_PASSWORD="$(.venv/bin/iron-fast keygen)"
    .venv/bin/python examples/falcon_app.py   # http://127.0.0.1:8000/

The middleware puts the session in ``req.context.session``, a dict; it
is saved when changed. The same IronSessionMiddleware goes in a
``falcon.asgi.App`` (with ``async def`` responders) unchanged.
"""

from __future__ import annotations

import os
from html import escape
from wsgiref.simple_server import make_server

import falcon

from iron_fast.falcon import IronSessionMiddleware

LOGIN_FORM = (
    '<form method="post" action="/login">'
    '<input name="name" placeholder="your name" required> '
    "<button>Log in</button></form>"
)


class Home:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = req.context.session
        user = session.get("user")
        if user is None:
            body = LOGIN_FORM
        else:
            body = (
                f"<p>Hello, {escape(user)}. "
                f"Count: {session.get('count', 0)}</p>"
                '<form method="post" action="/count"><button>+1</button>'
                '</form><form method="post" action="/logout">'
                "<button>Log out</button></form>"
            )
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"<!doctype html><title>iron_fast</title>{body}"


class Login:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = req.get_media(default_when_empty={})
        req.context.session["user"] = str(form.get("name", "")).strip()[:64]
        req.context.session["count"] = 0
        raise falcon.HTTPSeeOther("/")  # the session is saved all the same


class Count:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = req.context.session
        if "user" in session:
            session["count"] = session.get("count", 0) + 1
        raise falcon.HTTPSeeOther("/")


class Logout:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.session.destroy()  # expires the cookie
        raise falcon.HTTPSeeOther("/")


session = IronSessionMiddleware(
    password=os.environ["IRON_SESSION_PASSWORD"],
    cookie_name="iron_fast_example",
    # Plain HTTP, and only on this machine (the server below listens on
    # 127.0.0.1): a cookie without Secure, said to be deliberate. Behind
    # HTTPS in production, drop both lines.
    cookie_options={"secure": False},
    allow_insecure=True,
)
app = falcon.App(middleware=[session])
app.add_route("/", Home())
app.add_route("/login", Login())
app.add_route("/count", Count())
app.add_route("/logout", Logout())

if __name__ == "__main__":
    # Falcon types start_response more narrowly than wsgiref does.
    with make_server("127.0.0.1", 8000, app) as server:  # type: ignore[arg-type]
        print("serving on http://127.0.0.1:8000/")
        server.serve_forever()
