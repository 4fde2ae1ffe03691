# SPDX-License-Identifier: MIT
"""Realistic session payloads whose compact JSON text has an exact size.

Every payload is plain JSON that Python and JavaScript serialize to the
same text (strings, ints, bools, no floats, no integer-like keys), so each
implementation under benchmark encrypts the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

# Label -> size in bytes of json.dumps(payload, separators=(",", ":")).
SIZES: dict[str, int] = {"100B": 100, "1KB": 1024, "3.5KB": 3584}

_TOKEN_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def json_size(payload: object) -> int:
    """UTF-8 length of the compact JSON text of ``payload``."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8"))


def _token(n: int, seed: int) -> str:
    return "".join(
        _TOKEN_CHARS[(seed * 7 + i * 13) % len(_TOKEN_CHARS)] for i in range(n)
    )


def _base_session() -> dict[str, Any]:
    # The smallest realistic session: who is logged in, a role, a flag
    # and a CSRF token.
    return {
        "uid": 48213,
        "name": "Ada",
        "email": "ada@example.com",
        "roles": ["admin"],
        "mfa": True,
        "csrf": "",
    }


def _richer_session() -> dict[str, Any]:
    return {
        "user": {
            "id": 48213,
            "name": "Ada Lovelace",
            "email": "ada.lovelace@example.com",
            "locale": "en-GB",
            "tz": "Europe/London",
        },
        "roles": ["admin", "editor", "billing"],
        "flags": {"beta": True, "mfa": True, "darkMode": False},
        "org": {"id": 907, "slug": "analytical-engines", "plan": "team"},
        "loginAt": 1767225600000,
        "cart": [],
        "recent": [],
        "csrf": "",
    }


def build_session(size: int) -> dict[str, Any]:
    """A session dict whose compact JSON is exactly ``size`` bytes.

    Large sizes grow the way sessions do: cart lines and recently viewed
    pages; the CSRF token absorbs the remainder."""
    small = _base_session()
    if json_size(small) <= size < json_size(_richer_session()):
        small["csrf"] = _token(size - json_size(small), 1)
        return small
    session = _richer_session()
    if json_size(session) > size:
        raise ValueError(f"no session payload as small as {size} bytes")
    n = 0
    while True:
        line = {
            "sku": f"SKU-{10000 + n}",
            "qty": 1 + n % 4,
            "priceCents": 1299 + 250 * n,
        }
        page = f"/products/{10000 + n}/{_token(12, n)}"
        session["cart"].append(line)
        session["recent"].append(page)
        # Keep room for a CSRF token of at least 32 characters.
        if json_size(session) > size - 32:
            session["cart"].pop()
            session["recent"].pop()
            break
        n += 1
    session["csrf"] = _token(size - json_size(session), 2)
    return session


PAYLOADS: dict[str, dict[str, Any]] = {
    label: build_session(size) for label, size in SIZES.items()
}

for _label, _size in SIZES.items():
    assert json_size(PAYLOADS[_label]) == _size, (_label, _size)
