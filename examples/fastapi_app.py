# SPDX-License-Identifier: MIT
"""FastAPI with iron_fast's session: log in, count clicks, log out; the
session reaches routes as a dependency, plain or validated by a model.

    export SECRET_COOKIE_PASSWORD="$(.venv/bin/iron-fast keygen)"
    COOKIE_SECURE=0 .venv/bin/uvicorn examples.fastapi_app:app

then open http://127.0.0.1:8000/ (COOKIE_SECURE=0: plain HTTP, for this
local development server only; run from the repository root).
"""

from __future__ import annotations

import os
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from iron_fast import SessionConfig
from iron_fast.fastapi import IronSessionMiddleware, Session, typed_session


class User(BaseModel):
    """What a logged-in session holds; routes that need it answer 401
    to a session without it."""

    user: str = Field(min_length=1, max_length=64)
    count: int = 0


LoggedIn = Annotated[User, Depends(typed_session(User))]

SECURE = os.environ.get("COOKIE_SECURE") != "0"
app = FastAPI()
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


@app.get("/")
def home(session: Session) -> dict[str, object]:
    return {"session": dict(session)}


@app.post("/login")
async def login(request: Request, session: Session) -> RedirectResponse:
    # Parsed by hand: FastAPI's Form() needs python-multipart.
    fields = parse_qs((await request.body()).decode(), max_num_fields=10)
    name = fields.get("name", [""])[0].strip()[:64] or "anonymous"
    session.update(User(user=name).model_dump())
    return RedirectResponse("/", status_code=303)


@app.post("/count")
def count(user: LoggedIn, session: Session) -> User:
    user.count += 1
    session.update(user.model_dump(mode="json"))
    return user


@app.post("/logout")
def logout(session: Session) -> dict[str, bool]:
    session.destroy()
    return {"ok": True}
