# SPDX-License-Identifier: MIT
"""What the tests of the adapters that hand the session over as an
attribute (Falcon, Sanic) share: the handlers of their test apps, and the
Cookie headers each must answer with an empty session and a normal
response (missing, garbage, tampered, expired, foreign-password,
oversized, half-chunked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import iron_fast

# -- the test apps' handlers: (session, JSON body or None) -> JSON or None

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

# -- bad cookies ---------------------------------------------------------

GOOD = {"user": "Ada", "count": 7}
FOREIGN = "foreign-secret-foreign-secret-foreign-0"
# Over one cookie (4096 bytes), so the session is sent as two chunks.
BIG = {"blob": "x" * 5000}


class BadCookie(NamedTuple):
    """A Cookie header, and the reason ``on_unseal_error`` hears for it
    (None: nothing to hear, no seal was sent)."""

    header: str
    reason: str | None


def _tampered(seal: str) -> str:
    mac_at = seal.rindex("*") + 1  # the HMAC's first character
    flipped = "A" if seal[mac_at] != "A" else "B"
    return seal[:mac_at] + flipped + seal[mac_at + 1 :]


def bad_cookies(
    password: Any, name: str, header_limit: int
) -> dict[str, BadCookie]:
    """Each bad Cookie header by kind, for a session named ``name`` whose
    server refuses a header over ``header_limit`` bytes."""

    def sealed(data: Any, secret: Any = password, **options: Any) -> str:
        return iron_fast.seal(data, password=secret, **options)

    good = sealed(GOOD)
    chunks = _split(sealed(BIG))
    # Room for the name and the request's other headers under the limit.
    oversized = "Fe26.2*1*" + "A" * (header_limit - len(name) - 600)
    return {
        "missing": BadCookie("other=1", None),
        "empty": BadCookie(f"{name}=", None),
        "garbage": BadCookie(f"{name}=garbage", "invalid"),
        "bad-escape": BadCookie(f"{name}=%E0%A4%A", "invalid"),
        "empty-fields": BadCookie(f"{name}=Fe26.2*1*****~2", "invalid"),
        "quoted": BadCookie(f'{name}="{good}"', "invalid"),
        "tampered": BadCookie(f"{name}={_tampered(good)}", "invalid"),
        "expired": BadCookie(
            f"{name}=" + sealed(GOOD, ttl=60, localtime_offset_ms=-3_600_000),
            "expired",
        ),
        "foreign-password": BadCookie(
            f"{name}={sealed(GOOD, FOREIGN)}", "invalid"
        ),
        "unknown-password-id": BadCookie(
            f"{name}={sealed(GOOD, {7: FOREIGN})}", "unknown-password"
        ),
        "not-an-object": BadCookie(f"{name}={sealed([1, 2])}", "invalid"),
        "oversized": BadCookie(f"{name}={oversized}", "invalid"),
        "first-chunk-only": BadCookie(f"{name}.0={chunks[0]}", "invalid"),
        "second-chunk-only": BadCookie(f"{name}.1={chunks[1]}", None),
        "chunks-swapped": BadCookie(
            f"{name}.0={chunks[1]}; {name}.1={chunks[0]}", "invalid"
        ),
    }


def _split(seal: str) -> tuple[str, str]:
    half = len(seal) // 2
    return seal[:half], seal[half:]
