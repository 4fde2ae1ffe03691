# SPDX-License-Identifier: MIT
"""The Python half of the shared-cookie example: Starlette and iron_fast,
with the same password and cookie name as server.mjs.

    SECRET_COOKIE_PASSWORD=... COOKIE_SECURE=0 python app.py

GET / shows the session, POST /visit adds a visit, POST /logout ends it.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

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
# server.mjs's sessionOptions, in Python spelling.
app.add_middleware(
    IronSessionMiddleware,
    password=os.environ["SECRET_COOKIE_PASSWORD"],
    cookie_name="shared_session",
    cookie_options={"secure": os.environ.get("COOKIE_SECURE") != "0"},
)

if __name__ == "__main__":
    import uvicorn

    port = int(os.environ.get("PORT", "8001"))
    uvicorn.run(app, host="127.0.0.1", port=port)
