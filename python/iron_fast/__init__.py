# SPDX-License-Identifier: MIT
"""iron_fast: encrypted cookie sessions, byte-compatible with iron-session."""

from __future__ import annotations

from iron_fast._api import seal, seal_data, sealer_for, unseal, unseal_data
from iron_fast._core import DEFAULT_TTL, Sealer, __version__, seal_fields
from iron_fast.codec import SessionCodec
from iron_fast.cookies import CookieJar, HeaderCookieJar
from iron_fast.errors import (
    BadSeal,
    ConfigError,
    CookieTooLarge,
    ExpiredSeal,
    IronError,
    IronFastWarning,
    PasswordConfigError,
    PasswordError,
    SerializationError,
    SessionDestroyed,
    UnknownPassword,
    UnsealError,
)
from iron_fast.session import IronSession, get_iron_session
from iron_fast.session_config import SessionConfig

__all__ = [
    "DEFAULT_TTL",
    "BadSeal",
    "ConfigError",
    "CookieJar",
    "CookieTooLarge",
    "ExpiredSeal",
    "HeaderCookieJar",
    "IronError",
    "IronFastWarning",
    "IronSession",
    "PasswordConfigError",
    "PasswordError",
    "Sealer",
    "SerializationError",
    "SessionCodec",
    "SessionConfig",
    "SessionDestroyed",
    "UnknownPassword",
    "UnsealError",
    "__version__",
    "get_iron_session",
    "seal",
    "seal_data",
    "seal_fields",
    "sealer_for",
    "unseal",
    "unseal_data",
]
