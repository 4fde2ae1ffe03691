# SPDX-License-Identifier: MIT
"""What the adapters' tests share: the attributes of the default cookie,
two passwords to rotate between, and the unreadable session cookies every
adapter must turn into an empty session and a normal response."""

from __future__ import annotations

import iron_fast
from tests.bad_cookies import bad_cookies

OTHER = "another-apps-password-0123456789-xyz"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
# After the seal, as iron-session 9 writes them by default; expired.
ATTRIBUTES = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
EXPIRED = "; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"


def bad_cookie_headers(
    password: str, name: str = "session"
) -> dict[str, tuple[str, str | None]]:
    """Each a raw ``Cookie`` header and the reason ``on_unseal_error``
    hears (None: nothing to hear): the bad seals of ``bad_cookies.py``,
    and what only a whole header can carry (none, chunks, 8 KB)."""
    cases: dict[str, tuple[str, str | None]] = {
        kind: (f"{name}={value}", reason)
        for kind, (value, reason) in bad_cookies(password, OTHER).items()
    }
    big = iron_fast.seal_data({"blob": "x" * 5000}, password=password)
    good = iron_fast.seal_data({"user": "eve"}, password=password)
    a_list = iron_fast.seal_data([1, 2], password=password)
    cases.update(
        {
            "missing": ("", None),
            "empty": (f"{name}=", None),
            "percent-garbage": (f"{name}=%E0%A4%A", "invalid"),
            "a-list": (f"{name}={a_list}", "invalid"),
            "quoted": (f'{name}="{good}"', "invalid"),
            # 8 KB: the most a common server takes in one header.
            "oversized": (f"{name}={'A' * 8000}", "invalid"),
            "half-chunked": (f"{name}.0={big[:3000]}", "invalid"),
            "chunk-gap": (
                f"{name}.0={big[:3000]}; {name}.2={big[3000:]}",
                "invalid",
            ),
        }
    )
    return cases
