# SPDX-License-Identifier: MIT
"""What every revocation store promises the session layer: the protocol,
its verdicts and how two stored entries become one, and the error a
failed write raises."""

from __future__ import annotations

from typing import Final, Literal, Protocol, runtime_checkable

from iron_fast.errors import IronError
from iron_fast.limits import TIMESTAMP_SKEW_SEC

REVOKED: Final = "revoked"
STORE_UNAVAILABLE: Final = "store-unavailable"
Verdict = Literal["revoked", "store-unavailable"] | None


class StoreUnavailableError(IronError):
    """A revocation could not be written: the store refused, failed or did
    not answer within its ``timeout``. The revocation did not happen."""


@runtime_checkable
class RevocationStore(Protocol):
    """The contract both stores implement (see the ``iron_fast.revocation``
    module docstring)."""

    @property
    def on_error(self) -> Literal["deny", "allow"]:
        """What a ``"store-unavailable"`` verdict means to the caller."""

    @property
    def max_session_age(self) -> int:
        """Seconds a subject's epoch is kept: sessions must not be
        accepted for longer than this after they are issued."""

    @property
    def supports_sync(self) -> bool:
        """Whether ``check`` and the sync writes can be called."""

    @property
    def supports_async(self) -> bool:
        """Whether ``acheck`` and the async writes can be called."""

    def revoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None: ...

    async def arevoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None: ...

    def revoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None: ...

    async def arevoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None: ...

    def check(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict: ...

    async def acheck(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict: ...


def verdict_of(
    session_entry: object, epoch_entry: object, issued_at_ms: int
) -> Verdict:
    """The verdict from the two entries as the store returned them."""
    if session_entry is not None:
        return REVOKED
    if epoch_entry is not None:
        try:
            epoch = int(epoch_entry)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            # Not written by us: treat it as a store that cannot answer,
            # so the caller's on_error decides rather than a guess here.
            return STORE_UNAVAILABLE
        if issued_at_ms < epoch:
            return REVOKED
    return None


def epoch_keep_ms(max_session_age: int) -> int:
    """Milliseconds a subject's epoch is kept: the longest a session issued
    before it may still be accepted, iron's clock skew included."""
    return (max_session_age + TIMESTAMP_SKEW_SEC) * 1000
