# SPDX-License-Identifier: MIT
"""The strict API: a compiled ``Sealer`` and the typed errors, with a
rotation map. Checked by ``mypy --strict``."""

from __future__ import annotations

from typing import Any

import iron_fast

# Demo values: never use a password from an example in production.
OLD = "demo-only-old-password-never-use-in-production"
NEW = "demo-only-new-password-never-use-in-production"

# Built once at start-up; safe to share between threads.
sealer = iron_fast.Sealer({1: OLD, 2: NEW}, ttl=3600)


def read(cookie: str) -> dict[str, Any] | None:
    """The session data, or None, logging why a cookie was refused."""
    try:
        value = sealer.unseal(cookie)
    except iron_fast.ExpiredSeal:
        return None  # routine: the user comes back after the ttl
    except iron_fast.UnsealError as error:
        # error.reason is "invalid" or "unknown-password": worth a log
        # line (tampering, or a password retired too early).
        print(f"refused a session cookie: {error.reason}")
        return None
    return value if isinstance(value, dict) else None


def main() -> None:
    old_cookie = iron_fast.Sealer(OLD).seal({"user": 1})
    new_cookie = sealer.seal({"user": 2})
    assert new_cookie.split("*")[1] == "2"  # the highest id seals
    assert read(old_cookie) == {"user": 1}  # every id unseals
    assert read(new_cookie) == {"user": 2}
    assert read(new_cookie.replace("*2*", "*3*", 1)) is None
    print("ok")


if __name__ == "__main__":
    main()
