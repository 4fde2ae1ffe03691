# SPDX-License-Identifier: MIT
"""RequestSession: the session of one request, for adapters that hand it
to the handler as a plain attribute (Falcon's ``req.context.session``,
Sanic's ``request.ctx.session``): a read counts as access, and
``finish()`` saves it when modified and gives the response's headers.
Also ``adapter_config()``, those adapters' reading of their options.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from iron_fast.codec import SessionCodec
from iron_fast.cookies import ResponseJar
from iron_fast.errors import ConfigError
from iron_fast.session import ReadTrackingSession
from iron_fast.session_config import OPTION_NAMES, SessionConfig

__all__ = ["Finish", "RequestSession", "adapter_config"]


def adapter_config(
    config: SessionConfig | None, options: dict[str, Any]
) -> SessionConfig:
    """An adapter's ``config=SessionConfig(...)``, or its options (those
    of get_iron_session, ``cookie_name="session"`` by default), checked
    at start-up: an unknown option is a ConfigError naming it."""
    if config is not None:
        if options or not isinstance(config, SessionConfig):
            raise TypeError("pass a SessionConfig or options, not both")
        return config
    for name in options:
        if name not in OPTION_NAMES:
            raise ConfigError(
                f"unknown session option {name!r}; the options are: "
                f"{', '.join(sorted(OPTION_NAMES))}",
                option=name,
            )
    return SessionConfig(**{"cookie_name": "session", **options})


def _jar(
    cookie_header: str | bytes | None,
    session_header: str | bytes | None,
    writable: bool,
) -> ResponseJar:
    """The one jar, closed to writes at once for a WebSocket."""
    jar = ResponseJar(cookie_header, session_header)
    jar.writable = writable
    return jar


class Finish(NamedTuple):
    """What a response carries for its session: the ``Vary`` value to add
    (None: it does not depend on the session), and its headers, in order
    (the session header for an API client, then the ``Set-Cookie`` lines,
    the codec's exact text)."""

    vary: str | None
    headers: list[tuple[str, str]]


class RequestSession(ReadTrackingSession):
    """The session of one request: a dict with ``save()`` and
    ``destroy()``, saved when the response goes out if it was modified,
    and only then (not on a 5xx: a handler that failed half way commits
    nothing); emptied, it expires the cookie the request sent. A response
    that read it gets ``Vary: Cookie``: reads count as ``accessed`` as
    changes do, since the framework has no property that would notice
    the handler looking at it."""

    __slots__ = ()

    @classmethod
    def open(
        cls,
        codec: SessionCodec,
        cookie_header: str | bytes | None,
        *,
        session_header: str | bytes | None = None,
        writable: bool = True,
    ) -> RequestSession:
        """The session of a request with this ``Cookie`` header (and, with
        ``SessionConfig.header``, the value of that header, None when the
        request has none): the lifetime rules applied, a revocation store
        asked through its sync client. Not ``writable`` for a WebSocket,
        which has no response to carry a cookie (``save()`` and
        ``destroy()`` then raise)."""
        jar = _jar(cookie_header, session_header, writable)
        return cls(jar, codec, *codec.load(jar))

    @classmethod
    async def aopen(
        cls,
        codec: SessionCodec,
        cookie_header: str | bytes | None,
        *,
        session_header: str | bytes | None = None,
        writable: bool = True,
    ) -> RequestSession:
        """``open`` for async adapters: the store is awaited, and so is a
        ``revoke()``, by ``afinish``."""
        jar = _jar(cookie_header, session_header, writable)
        return cls(jar, codec, *await codec.aload(jar), deferred=True)

    def finish(self, status: int) -> Finish:
        """Save a modified session (an emptied one expires the cookies the
        request sent), then close it to writes. A server error (``status``
        5xx) saves nothing automatically, so a handler that failed half
        way does not commit half its changes; its own ``save()`` or
        ``destroy()`` still goes out. Raises what ``save()`` raises."""
        jar = self.jar
        assert isinstance(jar, ResponseJar)
        if self.modified and status < 500:
            if dict.__len__(self):
                self.save()
            else:
                self.config.codec.clear(jar)
        jar.writable = False  # the response's headers go out now
        header = self.config.header
        headers = jar.response_headers(header)
        if not (self.accessed or headers):
            return Finish(None, headers)
        return Finish(
            "Cookie" if header is None else f"Cookie, {header}", headers
        )

    async def afinish(self, status: int) -> Finish:
        """``finish``, after writing a ``revoke()`` to the store."""
        pending = self.pending_revocation
        if pending is not None:
            await self.config.codec.arevoke(pending)
        return self.finish(status)
