# SPDX-License-Identifier: MIT
"""Revocation stores (see ``_redis``, which holds them all until the next
commit splits it by job)."""

from iron_fast.revocation._redis import (
    DEFAULT_CACHE_SIZE as DEFAULT_CACHE_SIZE,
)
from iron_fast.revocation._redis import (
    MAX_PREFIX_LENGTH as MAX_PREFIX_LENGTH,
)
from iron_fast.revocation._redis import (
    MAX_SESSION_ID_LENGTH as MAX_SESSION_ID_LENGTH,
)
from iron_fast.revocation._redis import (
    MAX_SUBJECT_LENGTH as MAX_SUBJECT_LENGTH,
)
from iron_fast.revocation._redis import (
    REVOKED,
    STORE_UNAVAILABLE,
    MemoryRevocation,
    RedisRevocation,
    RevocationStore,
    StoreUnavailableError,
    Verdict,
    check_subject,
)

__all__ = [
    "REVOKED",
    "STORE_UNAVAILABLE",
    "MemoryRevocation",
    "RedisRevocation",
    "RevocationStore",
    "StoreUnavailableError",
    "Verdict",
    "check_subject",
]
