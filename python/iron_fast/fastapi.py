# SPDX-License-Identifier: MIT
"""FastAPI dependencies over IronSessionMiddleware: the session as it is,
or validated by a TypedDict or a pydantic model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, HTTPException, Request
from pydantic import TypeAdapter, ValidationError
from typing_extensions import is_typeddict

from iron_fast.session import IronSession
from iron_fast.starlette import IronSessionMiddleware

__all__ = ["IronSessionMiddleware", "Session", "get_session", "typed_session"]

T = TypeVar("T")


def get_session(request: Request) -> IronSession:
    """The request's session (``request.session``), as a dependency."""
    if "session" not in request.scope:
        raise RuntimeError(
            "no session on this request: add the middleware, "
            "app.add_middleware(IronSessionMiddleware, password=...)"
        )
    return cast(IronSession, request.session)


Session = Annotated[IronSession, Depends(get_session)]
"""``def route(session: Session)``: the session, to read and change."""


def typed_session(
    schema: type[T], *, status_code: int = 401
) -> Callable[[IronSession], T]:
    """A dependency that hands a route the session validated as ``schema``:
    ``Annotated[User, Depends(typed_session(User))]``.

    A TypedDict gets the session itself, checked in strict mode, so what
    the route writes into it is saved as usual. Any other type (a pydantic
    model, a dataclass) gets a new validated object: write changes back
    with ``session.update(model.model_dump(mode="json"))``.

    Data that does not validate (an empty session where fields are
    required, or one written with another shape) answers ``status_code``
    with no detail: the errors would show the client what its encrypted
    cookie holds."""
    adapter: TypeAdapter[Any] = TypeAdapter(schema)
    strict = is_typeddict(schema)

    def validated_session(session: Session) -> T:
        try:
            value = adapter.validate_python(session, strict=strict)
        except ValidationError:
            raise HTTPException(status_code) from None
        return cast(T, session if strict else value)

    return validated_session
