# SPDX-License-Identifier: MIT
"""What the adapters' tests share: the attributes of the default cookie,
two passwords to rotate between, and the unreadable session cookies every
adapter must turn into an empty session and a normal response."""

from __future__ import annotations

import iron_fast

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
    hears (None: nothing to hear)."""
    good = iron_fast.seal_data({"user": "eve"}, password=password)
    mac_at = good.rindex("*") + 1
    flipped = "A" if good[mac_at] != "A" else "B"
    big = iron_fast.seal_data({"blob": "x" * 5000}, password=password)
    expired = iron_fast.seal(
        {"user": "eve"},
        password=password,
        ttl=60,
        localtime_offset_ms=-3_600_000,
    )
    cases: dict[str, tuple[str, str | None]] = {
        "missing": ("", None),
        "empty": (f"{name}=", None),
        "garbage": (f"{name}=not-a-seal-at-all", "invalid"),
        "empty-fields": (f"{name}=Fe26.2*1*****~2", "invalid"),
        "percent-garbage": (f"{name}=%E0%A4%A", "invalid"),
        "tampered": (
            f"{name}={good[:mac_at]}{flipped}{good[mac_at + 1 :]}",
            "invalid",
        ),
        "expired": (f"{name}={expired}", "expired"),
        "foreign-password": (
            f"{name}={iron_fast.seal_data({'u': 1}, password=OTHER)}",
            "invalid",
        ),
        "unknown-password-id": (
            f"{name}={iron_fast.seal_data({'u': 1}, password={7: OTHER})}",
            "unknown-password",
        ),
        "a-list": (
            f"{name}={iron_fast.seal_data([1, 2], password=password)}",
            "invalid",
        ),
        "quoted": (f'{name}="{good}"', "invalid"),
        # An 8 KB cookie: the most a common server takes in one header.
        "oversized": (f"{name}={'A' * 8000}", "invalid"),
        "half-chunked": (f"{name}.0={big[:3000]}", "invalid"),
        "chunk-gap": (
            f"{name}.0={big[:3000]}; {name}.2={big[3000:]}",
            "invalid",
        ),
    }
    return cases
