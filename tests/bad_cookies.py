# SPDX-License-Identifier: MIT
"""The Cookie headers every adapter must answer with an empty session and
a normal response: missing, garbage, tampered, expired, foreign-password,
oversized and half-chunked cookies, each with the reason
``on_unseal_error`` hears (None: nothing to hear, no seal was sent)."""

from __future__ import annotations

from typing import Any, NamedTuple

import iron_fast

GOOD = {"user": "Ada", "count": 7}
FOREIGN = "foreign-secret-foreign-secret-foreign-0"
# Over one cookie (4096 bytes), so the session is sent as two chunks.
BIG = {"blob": "x" * 5000}


class BadCookie(NamedTuple):
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
            f"{name}="
            + sealed(GOOD, ttl=60, localtime_offset_ms=-3_600_000),
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
