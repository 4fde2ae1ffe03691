# SPDX-License-Identifier: MIT
"""iron_fast: encrypted cookie sessions, byte-compatible with iron-session."""

from __future__ import annotations

from iron_fast._api import seal, seal_data, sealer_for, unseal, unseal_data
from iron_fast._core import DEFAULT_TTL, Sealer, __version__
from iron_fast.errors import (
    BadSeal,
    ExpiredSeal,
    IronError,
    PasswordError,
    SerializationError,
    UnknownPassword,
    UnsealError,
)

__all__ = [
    "DEFAULT_TTL",
    "BadSeal",
    "ExpiredSeal",
    "IronError",
    "PasswordError",
    "Sealer",
    "SerializationError",
    "UnknownPassword",
    "UnsealError",
    "__version__",
    "seal",
    "seal_data",
    "sealer_for",
    "unseal",
    "unseal_data",
]
