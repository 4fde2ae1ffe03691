# SPDX-License-Identifier: MIT
"""The functional API of iron-session (sealData / unsealData) and its strict
twins, over the process's compiled sealers.

``sealer_for``, ``seal_data`` and ``unseal_data`` live in the binding
(``src/python/sealers.rs``), which keeps one Sealer per password
configuration: the per-password work (validation, key schedules) is done
once, not on every call that passes the password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iron_fast._core import (
    DEFAULT_TTL,
    TIMESTAMP_SKEW_SEC,
    seal_data,
    sealer_for,
    unseal_data,
)

if TYPE_CHECKING:
    from iron_fast._core import Password

__all__ = ["seal", "seal_data", "sealer_for", "unseal", "unseal_data"]


def seal(
    data: object,
    *,
    password: Password,
    ttl: int = DEFAULT_TTL,
    iterations: int = 1,
    localtime_offset_ms: int = 0,
) -> str:
    """Strict seal: like seal_data, with iron's clock offset option."""
    return sealer_for(
        password,
        iterations=iterations,
        localtime_offset_ms=localtime_offset_ms,
    ).seal(data, ttl=ttl)


def unseal(
    seal: str,
    *,
    password: Password,
    iterations: int = 1,
    timestamp_skew_sec: int = TIMESTAMP_SKEW_SEC,
    localtime_offset_ms: int = 0,
) -> Any:
    """Strict unseal: the sealed JSON value, or a typed UnsealError
    (BadSeal, ExpiredSeal, UnknownPassword)."""
    return sealer_for(
        password,
        iterations=iterations,
        timestamp_skew_sec=timestamp_skew_sec,
        localtime_offset_ms=localtime_offset_ms,
    ).unseal(seal)
