# SPDX-License-Identifier: MIT
"""The handlers of the test apps of the adapters that hand the session
over as an attribute (Falcon's ``req.context.session``, Sanic's
``request.ctx.session``): each framework's test serves these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (session, JSON body or None) -> the JSON answer, or None for none.
Handler = Callable[[Any, Any], Any]


def _put(session: Any, body: Any) -> Any:
    # A None value deletes the key (the interop driver's convention).
    for key, value in (body or {}).items():
        if value is None:
            session.pop(key, None)
        else:
            session[key] = value
    return dict(session)


def _count(session: Any, body: Any) -> Any:
    session["count"] = session.get("count", 0) + 1
    return dict(session)


def _save_then_change(session: Any, body: Any) -> Any:
    session["a"] = 1
    session.save()
    session["b"] = 2  # saved again at the end: still one line
    return None


def _crash(session: Any, body: Any) -> Any:
    session["half"] = "done"
    raise RuntimeError("boom")


def _not_json(session: Any, body: Any) -> Any:
    session["when"] = {1, 2}
    return None


# Each path serves GET and POST. "/user" answers with a Vary header of
# its own, which the adapter must extend.
HANDLERS: dict[str, Handler] = {
    "/read": lambda session, body: dict(session),
    "/user": lambda session, body: {"user": session.get("user")},
    "/untouched": lambda session, body: None,
    "/count": _count,
    "/put": _put,
    "/logout": lambda session, body: session.destroy(),
    "/clear": lambda session, body: session.clear(),
    "/save-then-change": _save_then_change,
    "/crash": _crash,
    "/not-json": _not_json,
}
