# SPDX-License-Identifier: MIT
"""The bad session cookies every adapter is tested with: each must give an
empty session and a normal response, with this reason to the hook
(``bad_cookies``: the cookie's value; ``bad_cookie_headers``: whole
Cookie headers, with the malformed, oversized and half-chunked ones)."""

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


# Over one cookie (4096 bytes): a session sealed from it is sent as two
# chunks.
BIG = {"blob": "x" * 5000}


def bad_cookie_headers(
    password: str, other: str, name: str, header_limit: int
) -> dict[str, tuple[str, str | None]]:
    """``{kind: (Cookie header, reason)}`` for a session cookie called
    ``name``: each of ``bad_cookies`` as ``name=value``, and headers with
    no seal (reason None: the hook hears nothing), a malformed value, one
    as large as a server whose header limit is ``header_limit`` bytes lets
    through, and half a chunked session."""
    headers: dict[str, tuple[str, str | None]] = {
        kind: (f"{name}={value}", reason)
        for kind, (value, reason) in bad_cookies(password, other).items()
    }
    good = seal_data({"user": "eve"}, password=password)
    chunked = iron_fast.seal(BIG, password=password)
    half = len(chunked) // 2
    first, second = chunked[:half], chunked[half:]
    # Room for the name and the request's other headers under the limit.
    oversized = "Fe26.2*1*" + "A" * (header_limit - len(name) - 600)
    headers.update(
        {
            "missing": ("other=1", None),
            "empty": (f"{name}=", None),
            "bad-escape": (f"{name}=%E0%A4%A", "invalid"),
            "quoted": (f'{name}="{good}"', "invalid"),
            "not-an-object": (
                f"{name}={seal_data([1, 2], password=password)}",
                "invalid",
            ),
            "oversized": (f"{name}={oversized}", "invalid"),
            "first-chunk-only": (f"{name}.0={first}", "invalid"),
            "second-chunk-only": (f"{name}.1={second}", None),
            "chunks-swapped": (
                f"{name}.0={second}; {name}.1={first}",
                "invalid",
            ),
        }
    )
    return headers
