# SPDX-License-Identifier: MIT
"""The Python half of the shared-cookie example: Starlette and iron_fast,
with the same password and cookie name as server.mjs.

    export SECRET_COOKIE_PASSWORD="$(.venv/bin/iron-fast keygen)"
    COOKIE_SECURE=0 PORT=8001 .venv/bin/python examples/shared_cookie/app.py

(from the repository root; README.md beside this file runs both halves).

GET / shows the session, POST /visit adds a visit, POST /logout ends it.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from iron_fast import SessionConfig
from iron_fast.starlette import IronSessionMiddleware


def show(request: Request) -> JSONResponse:
    return JSONResponse(
        {"service": "python", "session": dict(request.session)}
    )


async def home(request: Request) -> JSONResponse:
    return show(request)


async def visit(request: Request) -> JSONResponse:
    session = request.session
    session["visits"] = session.get("visits", 0) + 1
    session["history"] = [*session.get("history", []), "python"][-10:]
    return show(request)


async def logout(request: Request) -> JSONResponse:
    request.session.clear()  # expires the cookie, as destroy() does
    return show(request)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/visit", visit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
)
SECURE = os.environ.get("COOKIE_SECURE") != "0"
# server.mjs's sessionOptions, in Python spelling.
app.add_middleware(
    IronSessionMiddleware,
    config=SessionConfig(
        password=os.environ["SECRET_COOKIE_PASSWORD"],
        cookie_name="shared_session",
        cookie_options={"secure": SECURE},
        # COOKIE_SECURE=0 is deliberate (plain HTTP on 127.0.0.1 for
        # development): say so, and no IronFastWarning is printed.
        allow_insecure=not SECURE,
    ),
)

if __name__ == "__main__":
    import uvicorn

    port = int(os.environ.get("PORT", "8001"))
    uvicorn.run(app, host="127.0.0.1", port=port)
