# SPDX-License-Identifier: MIT
"""MemoryRevocation: the revocation store kept in one process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from iron_fast._core import DEFAULT_TTL
from iron_fast.revocation._checks import (
    check_ms,
    check_session_id,
    check_subject,
    max_session_age_option,
    session_ms_left,
    subject_epoch,
)
from iron_fast.revocation._contract import (
    Verdict,
    epoch_keep_ms,
    verdict_of,
)


class MemoryRevocation:
    """The revocation contract in one process: thread-safe, for
    development, tests and single-process servers. Nothing is shared with
    other processes and nothing survives a restart.

    Entries expire on their own; expired ones are swept as the table
    grows, so memory stays bounded by the revocations still in force.
    It never fails, so ``on_error`` never applies.
    """

    __slots__ = (
        "_lock",
        "_max_session_age",
        "_monotonic",
        "_next_sweep",
        "_sessions",
        "_subjects",
    )

    _SWEEP_AT_LEAST = 1024

    def __init__(self, *, max_session_age: int = DEFAULT_TTL) -> None:
        self._max_session_age = max_session_age_option(max_session_age)
        self._lock = threading.Lock()
        # session id -> monotonic deadline; subject -> (epoch, deadline).
        self._sessions: dict[str, float] = {}
        self._subjects: dict[str, tuple[int, float]] = {}
        self._next_sweep = self._SWEEP_AT_LEAST
        # Replaceable, so that tests can move time without sleeping.
        self._monotonic: Callable[[], float] = time.monotonic

    def __repr__(self) -> str:
        return f"MemoryRevocation(max_session_age={self._max_session_age})"

    @property
    def on_error(self) -> Literal["deny", "allow"]:
        return "deny"

    @property
    def max_session_age(self) -> int:
        return self._max_session_age

    @property
    def supports_sync(self) -> bool:
        return True

    @property
    def supports_async(self) -> bool:
        return True

    def revoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None:
        left_ms = session_ms_left(session_id, until_ms, now_ms)
        if left_ms <= 0:
            return  # its seal is no longer accepted anyway
        with self._lock:
            deadline = self._monotonic() + left_ms / 1000
            old = self._sessions.get(session_id, 0.0)
            self._sessions[session_id] = max(old, deadline)
            self._sweep_if_due()

    async def arevoke_session(
        self, session_id: str, until_ms: int, *, now_ms: int | None = None
    ) -> None:
        self.revoke_session(session_id, until_ms, now_ms=now_ms)

    def revoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None:
        epoch = subject_epoch(subject, issued_before_ms)
        keep = epoch_keep_ms(self._max_session_age) / 1000
        with self._lock:
            self._subjects[subject] = (epoch, self._monotonic() + keep)
            self._sweep_if_due()

    async def arevoke_subject(
        self, subject: str, *, issued_before_ms: int | None = None
    ) -> None:
        self.revoke_subject(subject, issued_before_ms=issued_before_ms)

    def check(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        check_session_id(session_id)
        if subject is not None:
            check_subject(subject)
        check_ms("issued_at_ms", issued_at_ms)
        now = self._monotonic()
        deadline = self._sessions.get(session_id)
        session_entry = (
            True if deadline is not None and deadline > now else None
        )
        epoch_entry = None
        if subject is not None:
            held = self._subjects.get(subject)
            if held is not None and held[1] > now:
                epoch_entry = held[0]
        return verdict_of(session_entry, epoch_entry, issued_at_ms)

    async def acheck(
        self, session_id: str, subject: str | None, issued_at_ms: int
    ) -> Verdict:
        return self.check(session_id, subject, issued_at_ms)

    def _sweep_if_due(self) -> None:
        # Called with the lock held. Sweeping when the table has doubled
        # keeps the cost per write constant on average.
        size = len(self._sessions) + len(self._subjects)
        if size < self._next_sweep:
            return
        now = self._monotonic()
        self._sessions = {k: d for k, d in self._sessions.items() if d > now}
        self._subjects = {
            k: v for k, v in self._subjects.items() if v[1] > now
        }
        size = len(self._sessions) + len(self._subjects)
        self._next_sweep = max(self._SWEEP_AT_LEAST, 2 * size)
