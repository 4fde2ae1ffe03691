# SPDX-License-Identifier: MIT
"""Revocation stores: where "this session has ended" and "every session of
this subject issued before T has ended" are remembered, either shared by
every process (Redis) or kept in one (memory).

Both stores implement :class:`RevocationStore`, the small contract the
session layer calls:

``revoke_session(session_id, until_ms)`` / ``await arevoke_session(...)``
    Remember that one session has ended, until ``until_ms`` (milliseconds
    since 1970, the last instant its seal could still be accepted): the
    entry then expires on its own.
``revoke_subject(subject)`` / ``await arevoke_subject(subject)``
    Remember that every session of ``subject`` issued before now (or
    before ``issued_before_ms``) has ended: a per-subject epoch, kept for
    ``max_session_age`` seconds (plus iron's clock skew), the longest any
    session may be accepted. The latest call's epoch wins.
``check(session_id, subject, issued_at_ms)`` / ``await acheck(...)``
    ``None`` when the session may be used, ``"revoked"`` when either
    entry ends it (issued strictly before the epoch), or
    ``"store-unavailable"`` when the store could not answer. The caller
    applies ``on_error`` (``"deny"`` or ``"allow"``) to the last one.
    Never raises for a store failure.

Writes (the ``revoke_*`` methods) raise :class:`StoreUnavailableError` when the
store cannot take them: a logout that silently did not happen would leave
a copied cookie working.

The package's modules, one job each: ``_contract`` (the protocol, the
verdicts, the write error), ``_checks`` (what a store accepts),
``_memory`` and ``_redis`` (the two stores) and ``_redis_config`` (what
RedisRevocation is given). Import from ``iron_fast.revocation`` itself.
"""

# The limits and the default are importable from here as they always
# were, but stay out of __all__ (and so out of a star import), as before.
from iron_fast.revocation._checks import (
    MAX_SESSION_ID_LENGTH as MAX_SESSION_ID_LENGTH,
)
from iron_fast.revocation._checks import (
    MAX_SUBJECT_LENGTH as MAX_SUBJECT_LENGTH,
)
from iron_fast.revocation._checks import check_subject
from iron_fast.revocation._contract import (
    REVOKED,
    STORE_UNAVAILABLE,
    RevocationStore,
    StoreUnavailableError,
    Verdict,
)
from iron_fast.revocation._memory import MemoryRevocation
from iron_fast.revocation._redis import (
    DEFAULT_CACHE_SIZE as DEFAULT_CACHE_SIZE,
)
from iron_fast.revocation._redis import (
    MAX_PREFIX_LENGTH as MAX_PREFIX_LENGTH,
)
from iron_fast.revocation._redis import RedisRevocation

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
