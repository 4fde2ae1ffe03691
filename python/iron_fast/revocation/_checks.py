# SPDX-License-Identifier: MIT
"""The checks of what a revocation store is given, one home for the rules
both stores apply: session ids, subjects and times in milliseconds at each
call, and the options at construction."""

from __future__ import annotations

import math
import time
from typing import Final, Literal

from iron_fast.errors import ConfigError

MAX_SUBJECT_LENGTH: Final = 256
# Session ids are made by the session layer (a few dozen characters); the
# cap only keeps a foreign cookie from naming a megabyte-long Redis key.
MAX_SESSION_ID_LENGTH: Final = 128


# -- at each call ---------------------------------------------------------


def check_subject(subject: object) -> str:
    """``subject`` if it is a usable subject: a non-empty ``str`` of at
    most 256 characters. TypeError or ValueError otherwise."""
    if type(subject) is not str:
        raise TypeError(
            f"a session subject must be a str, not {type(subject).__name__}"
        )
    if not subject:
        raise ValueError("a session subject must not be empty")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise ValueError(
            f"a session subject must be at most {MAX_SUBJECT_LENGTH} "
            f"characters, got {len(subject)}"
        )
    return subject


def check_session_id(session_id: object) -> str:
    if type(session_id) is not str:
        raise TypeError(
            f"a session id must be a str, not {type(session_id).__name__}"
        )
    if not 0 < len(session_id) <= MAX_SESSION_ID_LENGTH:
        raise ValueError(
            f"a session id must be 1 to {MAX_SESSION_ID_LENGTH} characters"
        )
    return session_id


def check_ms(name: str, value: object) -> int:
    if type(value) is not int:
        raise TypeError(
            f"{name} must be an int (milliseconds since 1970), not "
            f"{type(value).__name__}"
        )
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def now_or(now_ms: int | None) -> int:
    """``now_ms`` checked, or the wall clock's time when it is None."""
    if now_ms is None:
        return time.time_ns() // 1_000_000
    return check_ms("now_ms", now_ms)


def session_ms_left(
    session_id: object, until_ms: object, now_ms: int | None
) -> int:
    """Milliseconds a revocation of ``session_id`` must be kept: until
    ``until_ms``, the last instant its seal could still be accepted. 0 or
    less once that has passed: there is nothing left to keep."""
    check_session_id(session_id)
    return check_ms("until_ms", until_ms) - now_or(now_ms)


def subject_epoch(subject: object, issued_before_ms: int | None) -> int:
    """The epoch a revocation of ``subject`` sets: sessions issued before
    it have ended."""
    check_subject(subject)
    return now_or(issued_before_ms)


# -- at construction ------------------------------------------------------


def seconds_option(option: str, value: object, *, zero_ok: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{option} must be a number of seconds, not "
            f"{type(value).__name__}",
            option=option,
        )
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        bound = "0 or more" if zero_ok else "more than 0"
        raise ConfigError(
            f"{option} must be a finite number of seconds, {bound}, "
            f"got {value!r}",
            option=option,
        )
    return float(value)


def max_session_age_option(value: object) -> int:
    if type(value) is not int or value <= 0:
        raise ConfigError(
            "max_session_age must be a positive int (seconds): the "
            "longest any session may be accepted after it is issued",
            option="max_session_age",
        )
    return value


def on_error_option(value: object) -> Literal["deny", "allow"]:
    if value == "deny" and type(value) is str:
        return "deny"
    if value == "allow" and type(value) is str:
        return "allow"
    raise ConfigError(
        f'on_error must be "deny" or "allow", got {value!r}',
        option="on_error",
    )
