# SPDX-License-Identifier: MIT
"""The limits of the format and of browsers that the session layer and
the CLI share: each defined here once (or taken from the core)."""

from __future__ import annotations

from iron_fast._core import (
    MAX_CHUNKS,
    MAX_COOKIE_BYTES,
    MIN_PASSWORD_LENGTH,
    TIMESTAMP_SKEW_SEC,
)

__all__ = [
    "MAX_AGE_FOREVER",
    "MAX_CHUNKS",
    "MAX_COOKIE_BYTES",
    "MAX_HEADER_BYTES",
    "MAX_SAFE_INTEGER",
    "MAX_TTL",
    "MIN_PASSWORD_LENGTH",
    "TIMESTAMP_SKEW_SEC",
    "describe_password_id",
]

# MAX_COOKIE_BYTES (one cookie's Set-Cookie line, as browsers count it)
# and MAX_CHUNKS (iron-session 9's cap) are the core's: its cookie reader
# bounds what it decodes by them.
# The longest session header read or written: what a chunked session
# cookie can hold. Longer values are no session, as oversized cookies are.
MAX_HEADER_BYTES = MAX_CHUNKS * MAX_COOKIE_BYTES
# What iron-session writes for ttl=0, the largest Max-Age browsers keep.
MAX_AGE_FOREVER = 2147483647
# JavaScript's Number.MAX_SAFE_INTEGER: seal timestamps and ids are JS
# numbers, exact only up to here.
MAX_SAFE_INTEGER = 2**53 - 1
# Seal expirations are milliseconds since 1970: keep now + ttl well
# inside 2**53 so every reader computes the same instant.
MAX_TTL = MAX_SAFE_INTEGER // 1000 // 2


def describe_password_id(raw: object) -> str:
    """A password id as an error message may show it: an int as itself,
    anything else by type and length only, since a secret given as the
    key (``{secret: 1}`` for ``{1: secret}``) must never be printed."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        if abs(raw) <= MAX_SAFE_INTEGER:
            return int.__repr__(raw)
        return f"an integer of {raw.bit_length()} bits"
    try:
        size = f" of length {len(raw)}"  # type: ignore[arg-type]
    except Exception:  # no length, or a __len__ that fails: type only
        size = ""
    return f"a {type(raw).__name__}{size} (not shown)"
