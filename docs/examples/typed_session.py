# SPDX-License-Identifier: MIT
"""Session data typed with a TypedDict, checked by ``mypy --strict``.

``unseal_data`` returns ``Any`` (a seal holds whatever JSON was sealed), so
annotating the variable is all it takes for the type checker to know each
field from then on. Nothing is validated at run time: a seal can only be
made with the password, but a cookie sealed by an older release of your
app still has the older shape, hence ``total=False`` and ``.get()``.
"""

from __future__ import annotations

from typing import TypedDict

import iron_fast

# A demo value: never use a password from an example in production.
PASSWORD = "demo-only-password-never-use-in-production"


class User(TypedDict):
    id: int
    name: str


class SessionData(TypedDict, total=False):
    user: User
    cart: list[int]


def log_in(user: User) -> str:
    """The cookie value for a freshly signed-in user."""
    data: SessionData = {"user": user, "cart": []}
    return iron_fast.seal_data(data, password=PASSWORD, ttl=3600)


def current_user(cookie: str) -> User | None:
    """The signed-in user, or None for a missing, bad or expired cookie
    (``unseal_data`` gives ``{}`` then)."""
    data: SessionData = iron_fast.unseal_data(cookie, password=PASSWORD)
    return data.get("user")


def main() -> None:
    cookie = log_in({"id": 1, "name": "Ada"})
    user = current_user(cookie)
    assert user is not None and user["name"] == "Ada"
    assert current_user("not a cookie") is None
    print(f"signed in as {user['name']} (id {user['id']})")


if __name__ == "__main__":
    main()
