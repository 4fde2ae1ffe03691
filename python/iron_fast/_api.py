# SPDX-License-Identifier: MIT
"""The functional API of iron-session (sealData / unsealData) and its strict
twins, over a small cache of compiled sealers.

A Sealer does the per-password work (validation, key schedules) once; the
cache lets ``seal_data(..., password=...)`` called on every request reuse
it instead of redoing that work per call. ``seal_data`` and ``unseal_data``
themselves are compiled (``iron_fast._core``, documented in its stub): they
find the Sealer of a ``str`` password by the string's identity, and ask
``sealer_for`` for any other.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from threading import Lock
from typing import TYPE_CHECKING, Any

from iron_fast._core import DEFAULT_TTL, Sealer, seal_data, unseal_data

if TYPE_CHECKING:
    from iron_fast._core import Password

__all__ = ["seal", "seal_data", "sealer_for", "unseal", "unseal_data"]

# Enough for every configuration a process plausibly has (a few apps, a
# few rotation states each) while bounding memory if a caller builds
# passwords dynamically.
_CACHE_SIZE = 64
_cache: dict[Hashable, Sealer] = {}
_cache_lock = Lock()


def _cache_key(
    password: Password,
    iterations: int,
    timestamp_skew_sec: int,
    localtime_offset_ms: int,
) -> Hashable:
    if isinstance(password, Mapping):
        secrets: Hashable = ("map", tuple(password.items()))
    else:
        secrets = (type(password).__name__, password)
    # Typed: True and 1.0 equal 1, and must not find the sealer of 1.
    count = (type(iterations).__name__, iterations)
    return (secrets, count, timestamp_skew_sec, localtime_offset_ms)


def sealer_for(
    password: Password,
    *,
    iterations: int = 1,
    timestamp_skew_sec: int = 60,
    localtime_offset_ms: int = 0,
) -> Sealer:
    """The compiled Sealer for a password configuration, built once and
    cached. Raises PasswordError for an unusable password and IronError
    for an iteration count outside 1 to ``MAX_ITERATIONS``."""
    try:
        key = _cache_key(
            password, iterations, timestamp_skew_sec, localtime_offset_ms
        )
        cached = _cache.get(key)
    except TypeError:  # unhashable secret: let Sealer() explain the type
        key, cached = None, None
    if cached is not None:
        return cached
    sealer = Sealer(
        password,
        iterations=iterations,
        timestamp_skew_sec=timestamp_skew_sec,
        localtime_offset_ms=localtime_offset_ms,
    )
    if key is not None:
        with _cache_lock:
            if len(_cache) >= _CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[key] = sealer
    return sealer


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
    timestamp_skew_sec: int = 60,
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
