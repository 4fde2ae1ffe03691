# SPDX-License-Identifier: MIT
"""The functional API of iron-session (sealData / unsealData) and its strict
twins, over a small cache of compiled sealers.

A Sealer does the per-password work (validation, key schedules) once; the
cache lets ``seal_data(..., password=...)`` called on every request reuse
it instead of redoing that work per call.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from threading import Lock
from typing import TYPE_CHECKING, Any

from iron_fast._core import DEFAULT_TTL, Sealer

if TYPE_CHECKING:
    from iron_fast._core import Password

__all__ = ["seal", "seal_data", "sealer_for", "unseal", "unseal_data"]

# Enough for every configuration a process plausibly has (a few apps, a
# few rotation states each) while bounding memory if a caller builds
# passwords dynamically.
_CACHE_SIZE = 64
_cache: dict[Hashable, Sealer] = {}
_cache_lock = Lock()


_DEFAULT_OPTIONS = (int, 1, int, 60, int, 0)


def _cache_key(
    password: Password,
    iterations: int,
    timestamp_skew_sec: int,
    localtime_offset_ms: int,
) -> Hashable:
    # Keyed by type as well as value: True == 1 == 1.0, and a Sealer built
    # for {1: pw} must not answer for {True: pw}, which Sealer() refuses
    # (nor one built with 1 iteration or a skew of 1 for True or 1.0).
    options = (
        type(iterations),
        iterations,
        type(timestamp_skew_sec),
        timestamp_skew_sec,
        type(localtime_offset_ms),
        localtime_offset_ms,
    )
    if type(password) is str or type(password) is bytes:
        # Its own key with the default options, so that seal_data and
        # unseal_data find it with one lookup (_default_sealer); a str
        # never equals bytes, nor any of the tuples below.
        return password if options == _DEFAULT_OPTIONS else (password, options)
    if isinstance(password, Mapping):
        pairs = tuple((type(k), k, type(v), v) for k, v in password.items())
        return (("map", pairs), options)
    return ((type(password), password), options)


def _default_sealer(password: Password, iterations: int) -> Sealer:
    """``sealer_for(password, iterations=iterations)``, with one dict
    lookup for a str password seen before with the default options:
    seal_data and unseal_data run it on every call."""
    if type(password) is str and type(iterations) is int and iterations == 1:
        cached = _cache.get(password)
        if cached is not None:
            return cached
    return sealer_for(password, iterations=iterations)


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


def seal_data(
    data: object,
    *,
    password: Password,
    ttl: int = DEFAULT_TTL,
    iterations: int = 1,
) -> str:
    """iron-session ``sealData``: seal ``data`` into ``Fe26.2*…~2``.

    ``ttl`` is in seconds (``DEFAULT_TTL``, 14 days); 0 means the seal
    never expires. ``iterations`` is the PBKDF2 count, as on ``Sealer``
    (1 is iron-session's). Raises SerializationError for data that is not
    plain JSON, PasswordError for an unusable password and IronError for a
    bad ``iterations``. The Sealer for ``password`` is built once
    (``sealer_for``) and reused."""
    return _default_sealer(password, iterations).seal(data, ttl=ttl)


def unseal_data(
    seal: str,
    *,
    password: Password,
    ttl: int | None = None,
    iterations: int = 1,
) -> Any:
    """iron-session 9 ``unsealData``: the sealed data, or ``{}`` for any
    bad, expired, tampered or unknown-password seal (and for a seal of
    ``null``, or one made with another ``iterations``). It never raises
    for a bad seal; it does raise PasswordError for an unusable password
    and IronError for a bad ``iterations`` (as on ``Sealer``).

    ``ttl`` is accepted for signature parity with iron-session and, as
    there, ignored: validity depends on the expiration inside the seal."""
    del ttl
    sealer = _default_sealer(password, iterations)
    value, _ = sealer.unseal_or_none(seal)
    return {} if value is None else value


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
