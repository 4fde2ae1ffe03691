# SPDX-License-Identifier: MIT
"""The bad session cookies every adapter is tested with: each must give an
empty session and a normal response, with this reason to the hook."""

from __future__ import annotations

import iron_fast
from iron_fast import seal_data


def bad_cookies(password: str, other: str) -> dict[str, tuple[str, str]]:
    """``{kind: (cookie value, reason)}`` for a session sealed with
    ``password``; ``other`` is another valid password."""
    good = seal_data({"user": "eve"}, password=password)
    mac_at = good.rindex("*") + 1
    flipped = "A" if good[mac_at] != "A" else "B"
    return {
        "garbage": ("not-a-seal-at-all", "invalid"),
        "tampered": (good[:mac_at] + flipped + good[mac_at + 1 :], "invalid"),
        "truncated": (good[:-20], "invalid"),
        "expired": (
            iron_fast.seal(
                {"user": "eve"},
                password=password,
                ttl=60,
                localtime_offset_ms=-3_600_000,
            ),
            "expired",
        ),
        "wrong-password": (
            seal_data({"user": "eve"}, password=other),
            "invalid",
        ),
        "unknown-id": (
            seal_data({"user": "eve"}, password={7: password}),
            "unknown-password",
        ),
        "foreign": ("Fe26.2**x*y*z**mac~2", "invalid"),
    }
