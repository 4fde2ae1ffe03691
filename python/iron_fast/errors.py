# SPDX-License-Identifier: MIT
"""The exception tree: every error iron_fast raises on purpose is an IronError.

Callers branch on the type (or on ``UnsealError.reason``), never on message
text: iron-session decides which errors to swallow with a regex over the
message, and that is the habit this tree exists to avoid.
"""

from __future__ import annotations

__all__ = [
    "BadSeal",
    "ExpiredSeal",
    "IronError",
    "PasswordError",
    "SerializationError",
    "UnknownPassword",
    "UnsealError",
]


class IronError(ValueError):
    """Root of every error iron_fast raises on purpose."""


class PasswordError(IronError):
    """The password configuration is unusable (too short, empty map, ...).

    Raised when a sealer or session configuration is built, so a bad
    secret fails at start-up. The message never contains the secret.
    """


class SerializationError(IronError, TypeError):
    """The data holds a value that is not plain JSON (a datetime, a set,
    NaN, a non-str key that is not an int, ...). The message names the
    path of the offending value, e.g. ``data["at"] is a datetime``."""


class UnsealError(IronError):
    """A seal could not be opened. ``reason`` is the word iron-session 9
    passes to ``onUnsealError``: ``"invalid"``, ``"expired"`` or
    ``"unknown-password"``."""

    reason: str = "invalid"


class BadSeal(UnsealError):
    """Malformed, tampered with, or sealed with another password: the MAC
    does not verify, or the authenticated content cannot be decoded."""

    reason = "invalid"


class ExpiredSeal(UnsealError):
    """The seal's expiration (plus the allowed clock skew) has passed."""

    reason = "expired"


class UnknownPassword(UnsealError):
    """The seal names a password id that the configured map does not
    have (an empty id looks up ``"default"``)."""

    reason = "unknown-password"


# Session-layer errors (get_iron_session, SessionConfig, IronSession).


class ConfigError(IronError):
    """A session option is missing or invalid. ``option`` names it, as the
    caller spells it (``"cookie_name"``, ``"cookie_options['domain']"``).

    Raised when the configuration is built, so a bad option fails at
    start-up rather than on the first request that saves a session.
    """

    option: str = ""

    def __init__(self, message: str, *, option: str = "") -> None:
        super().__init__(message)
        self.option = option


class PasswordConfigError(ConfigError, PasswordError):
    """The ``password`` option breaks iron-session 9's rules for sessions
    (missing, short, empty map, non-integer id, non-str secret). Both a
    ConfigError and a PasswordError."""


class CookieTooLarge(IronError):
    """The session does not fit in the cookies a browser accepts: one
    ``Set-Cookie`` line over 4096 UTF-8 bytes without ``chunk=True``, or
    more than 4 chunks with it. ``size`` is the whole line in bytes."""

    size: int = 0

    def __init__(self, message: str, *, size: int = 0) -> None:
        super().__init__(message)
        self.size = size


class SessionDestroyed(IronError):
    """``save()`` on a destroyed session that has data written back into
    it: saving would restore the cookie ``destroy()`` just cleared."""


__all__ += [
    "ConfigError",
    "CookieTooLarge",
    "PasswordConfigError",
    "SessionDestroyed",
]


# Warnings: a configuration that works but should not reach production.


class IronFastWarning(UserWarning):
    """A session configuration that works but is unsafe in production:
    cookies without ``Secure`` (readable on plain HTTP), or seals that
    never expire (a stolen cookie stays valid for ever). Raised with
    ``warnings.warn`` when the SessionConfig is built; pass
    ``allow_insecure=True`` to say it is deliberate (a development server
    on plain HTTP), or filter the category."""


__all__ += ["IronFastWarning"]


# Lifetime controls (SessionConfig's idle_timeout, absolute_timeout and
# revocation): a genuine seal whose session has ended.


class SessionEnded(UnsealError):
    """What ``on_unseal_error`` receives for a session that has ended,
    with ``reason`` ``"idle"``, ``"absolute"``, ``"revoked"`` or
    ``"store-unavailable"`` (see ``iron_fast.lifetime``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the session has ended ({reason})")
        self.reason = reason


__all__ += ["SessionEnded"]
