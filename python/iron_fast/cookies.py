# SPDX-License-Identifier: MIT
"""Cookie header parsing and Set-Cookie attributes, as iron-session 9's
``cookie@2.0.2`` does them (validation included), plus the cookie-jar
protocol sessions use.

Parsing follows ``parseCookie``: pairs split on ``;``, name and value
trimmed of spaces and tabs, the first occurrence of a name wins, a value
is percent-decoded like ``decodeURIComponent`` (kept raw if that would
throw), and surrounding double quotes are *kept* (cookie@2 stopped
stripping them; a quoted seal therefore reads as an empty session, as in
iron-session 9).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Protocol, runtime_checkable

from iron_fast._core import ResponseJar, decode_cookie_value, get_cookie
from iron_fast.errors import ConfigError
from iron_fast.limits import MAX_SAFE_INTEGER

__all__ = [
    "CookieJar",
    "HeaderCookieJar",
    "ResponseJar",
    "check_cookie_options",
    "cookie_attributes",
    "format_expires",
    "format_iso",
    "get_cookie",
    "parse_cookies",
]

# cookie@2 ``cookieNameRegExp``: printable ASCII except ``;`` and ``=``.
COOKIE_NAME_RE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")
# cookie@2 ``domainValueRegExp`` (a leading dot is tolerated), spelled
# with both cases instead of re.IGNORECASE: on a str pattern that flag
# lets [a-z] match non-ASCII letters (U+0130, U+0131, U+017F, U+212A),
# which would then be written raw into Set-Cookie.
DOMAIN_RE = re.compile(
    r"([.]?[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
    r"([.][a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*",
)
# cookie@2 ``pathValueRegExp``: printable ASCII and space, except ``;``.
PATH_RE = re.compile(r"[\x20-\x3a\x3d-\x7e]*")
_TRIM = " \t"

_COOKIE_OPTION_NAMES = (
    "httponly", "secure", "samesite", "path", "domain", "max_age",
    "expires", "partitioned", "priority",
)  # fmt: skip
# iron-session's spellings, so a ported options object gets a useful hint.
_JS_SPELLINGS = {
    "httpOnly": "httponly",
    "sameSite": "samesite",
    "maxAge": "max_age",
    "http_only": "httponly",
    "same_site": "samesite",
}
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
_PRIORITY = {"low": "Low", "medium": "Medium", "high": "High"}


def parse_cookies(header: str) -> dict[str, str]:
    """Every cookie of a ``Cookie`` header, first occurrence winning."""
    cookies: dict[str, str] = {}
    for pair in header.split(";"):
        key, eq, value = pair.partition("=")
        if not eq:
            continue
        key = key.strip(_TRIM)
        if key not in cookies:
            value = value.strip(_TRIM)
            cookies[key] = decode_cookie_value(value)
    return cookies


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def format_expires(when: datetime) -> str:
    """JavaScript's ``Date.prototype.toUTCString`` (the ``Expires`` text),
    whatever the locale. A naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    when = when.astimezone(timezone.utc)
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} "
        f"{when.year:04d} {when.hour:02d}:{when.minute:02d}:"
        f"{when.second:02d} GMT"
    )


def format_iso(when: datetime) -> str:
    """JavaScript's ``Date.prototype.toISOString``, as iron-session and
    ``iron-fast inspect`` show a time. A naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    when = when.astimezone(timezone.utc)
    return (
        when.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{when.microsecond // 1000:03d}Z"
    )


def check_cookie_options(options: object) -> dict[str, Any]:
    """The caller's ``cookie_options`` as a dict, its keys checked."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ConfigError(
            f"cookie_options must be a mapping, got {type(options).__name__}",
            option="cookie_options",
        )
    for key in options:
        if key not in _COOKIE_OPTION_NAMES:
            hint = _JS_SPELLINGS.get(key)
            raise ConfigError(
                f"unknown cookie option {key!r}"
                + (f" (did you mean {hint!r}?)" if hint else "")
                + f"; the options are: {', '.join(_COOKIE_OPTION_NAMES)}",
                option=f"cookie_options[{key!r}]",
            )
    return dict(options)


def _flag(options: Mapping[str, Any], key: str) -> bool:
    value = options.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigError(
            f"cookie_options[{key!r}] must be True, False or None, "
            f"got {value!r}",
            option=f"cookie_options[{key!r}]",
        )
    return value


def cookie_attributes(
    options: Mapping[str, Any],
) -> tuple[str, datetime | None]:
    """The Set-Cookie attributes after ``Max-Age``, in cookie@2's order
    (Domain, Path, Expires, HttpOnly, Secure, Partitioned, Priority,
    SameSite), validated as cookie@2 validates them."""
    parts: list[str] = []

    max_age = options["max_age"]
    if max_age is not None and (
        not isinstance(max_age, int)
        or isinstance(max_age, bool)
        or abs(max_age) > MAX_SAFE_INTEGER
    ):
        raise ConfigError(
            "cookie_options['max_age'] must be a whole number of seconds "
            f"or None, got {max_age!r}",
            option="cookie_options['max_age']",
        )

    domain = options.get("domain")
    if domain:
        if not isinstance(domain, str) or DOMAIN_RE.fullmatch(domain) is None:
            raise ConfigError(
                f"cookie_options['domain'] is not a valid domain: {domain!r}",
                option="cookie_options['domain']",
            )
        parts.append(f"; Domain={domain}")

    path = options.get("path")
    if path:
        if not isinstance(path, str) or PATH_RE.fullmatch(path) is None:
            raise ConfigError(
                f"cookie_options['path'] is not a valid path: {path!r}",
                option="cookie_options['path']",
            )
        parts.append(f"; Path={path}")

    expires = options.get("expires")
    if expires is not None:
        if not isinstance(expires, datetime):
            raise ConfigError(
                "cookie_options['expires'] must be a datetime or None, got "
                f"{type(expires).__name__}",
                option="cookie_options['expires']",
            )
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        if expires.astimezone(timezone.utc).year < 1601:
            raise ConfigError(
                f"cookie_options['expires'] is invalid: {expires}",
                option="cookie_options['expires']",
            )
        parts.append(f"; Expires={format_expires(expires)}")

    secure = _flag(options, "secure")
    if _flag(options, "httponly"):
        parts.append("; HttpOnly")
    if secure:
        parts.append("; Secure")
    if _flag(options, "partitioned"):
        if not secure:
            raise ConfigError(
                "cookie_options['partitioned'] needs secure=True: browsers "
                "drop a Partitioned cookie that is not Secure",
                option="cookie_options['partitioned']",
            )
        parts.append("; Partitioned")

    priority = options.get("priority")
    if priority not in (None, ""):
        word = (
            _PRIORITY.get(priority.lower())
            if isinstance(priority, str)
            else None
        )
        if word is None:
            raise ConfigError(
                "cookie_options['priority'] must be 'low', 'medium', "
                f"'high' or None, got {priority!r}",
                option="cookie_options['priority']",
            )
        parts.append(f"; Priority={word}")

    samesite = options.get("samesite")
    if samesite not in (None, False, ""):  # cookie@2 skips falsy values
        if samesite is True:
            word = "Strict"
        elif isinstance(samesite, str):
            word = _SAMESITE.get(samesite.lower())
        else:
            word = None
        if word is None:
            raise ConfigError(
                "cookie_options['samesite'] must be 'strict', 'lax', "
                f"'none', True (strict) or None, got {samesite!r}",
                option="cookie_options['samesite']",
            )
        if word == "None" and not secure:
            raise ConfigError(
                "cookie_options['samesite'] 'none' needs secure=True: "
                "browsers drop a SameSite=None cookie that is not Secure",
                option="cookie_options['samesite']",
            )
        parts.append(f"; SameSite={word}")

    return "".join(parts), expires


@runtime_checkable
class CookieJar(Protocol):
    """What a session needs from a request/response pair (iron-session 9's
    ``CookieJar``). Adapters implement it in a few lines.

    ``read(name)`` returns the value of cookie ``name`` as the *request*
    sent it (already parsed and decoded), or None. ``write(name, value,
    set_cookie)`` emits one ``Set-Cookie`` header whose full text is
    ``set_cookie``; ``name`` and ``value`` are there for jars that key
    cookies by name. A jar may also define ``assert_writable()``, which
    raises when a cookie can no longer be sent (headers already out), so
    that a lost cookie is an error rather than silence.
    """

    def read(self, name: str) -> str | None: ...

    def write(self, name: str, value: str, set_cookie: str) -> None: ...


class HeaderCookieJar:
    """A CookieJar over a raw ``Cookie`` header (``str``, or ``bytes`` as
    ASGI servers give it) that collects ``Set-Cookie`` lines in order in
    ``set_cookies`` (pass your own list to append to it), as iron-session
    appends them to a ``Response``."""

    __slots__ = ("_request", "set_cookies")

    def __init__(
        self,
        cookie_header: str | bytes | None = None,
        set_cookies: list[str] | None = None,
    ) -> None:
        # The request side is the adapters' jar: one reading of a Cookie
        # header (Latin-1 bytes, %-decoding) for both.
        self._request = ResponseJar(cookie_header)
        self.set_cookies: list[str] = (
            [] if set_cookies is None else set_cookies
        )

    @property
    def cookie_header(self) -> str:
        """The request's ``Cookie`` header, as text ("" for none)."""
        return self._request.cookie_header

    @cookie_header.setter
    def cookie_header(self, value: str | bytes | None) -> None:
        self._request.cookie_header = value

    def read(self, name: str) -> str | None:
        return self._request.read(name)

    def write(self, name: str, value: str, set_cookie: str) -> None:
        self.set_cookies.append(set_cookie)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(cookie_header=<{len(self.cookie_header)} "
            f"chars>, set_cookies=<{len(self.set_cookies)} lines>)"
        )
