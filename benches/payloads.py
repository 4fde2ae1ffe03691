# SPDX-License-Identifier: MIT
"""Realistic session payloads whose compact JSON text has an exact size:
plain JSON that Python and JavaScript serialize to the same text, so each
implementation under benchmark encrypts the same bytes."""

from __future__ import annotations

import json
from typing import Any

# Label -> size in bytes of json.dumps(payload, separators=(",", ":")).
SIZES: dict[str, int] = {"100B": 100, "1KB": 1024, "3.5KB": 3584}


def json_size(payload: object) -> int:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8"))


def _token(n: int, seed: int) -> str:
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(chars[(seed * 7 + i * 13) % len(chars)] for i in range(n))


def build_session(size: int) -> dict[str, Any]:
    """A session dict whose compact JSON is exactly ``size`` bytes: who is
    logged in and a CSRF token; larger ones grow as sessions do (cart
    lines, recently viewed pages); the token absorbs the remainder."""
    session: dict[str, Any] = {
        "uid": 48213,
        "name": "Ada",
        "email": "ada@example.com",
        "roles": ["admin"],
        "mfa": True,
        "csrf": "",
    }
    if size >= 256:
        session = {
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
        for n in range(size):  # room left for a 32+ character token
            line = {"sku": f"SKU-{10000 + n}", "qty": 1 + n % 4}
            session["cart"].append({**line, "priceCents": 1299 + 250 * n})
            session["recent"].append(f"/products/{10000 + n}/{_token(12, n)}")
            if json_size(session) > size - 32:
                session["cart"].pop()
                session["recent"].pop()
                break
    seed = 1 if size < 256 else 2
    session["csrf"] = _token(size - json_size(session), seed)
    return session


PAYLOADS = {label: build_session(size) for label, size in SIZES.items()}
assert all(json_size(PAYLOADS[k]) == n for k, n in SIZES.items())
