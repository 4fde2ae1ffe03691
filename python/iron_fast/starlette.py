# SPDX-License-Identifier: MIT
"""IronSessionMiddleware: a pure-ASGI drop-in for Starlette's
SessionMiddleware (``request.session``), writing iron-session's cookie."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iron_fast.asgi import ResponseJar, add_cookie_headers
from iron_fast.session import IronSession
from iron_fast.session_config import SessionConfig, SessionOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

    class StarletteOptions(SessionOptions, total=False):
        """Starlette SessionMiddleware's spelling, also accepted."""

        session_cookie: str
        max_age: int | None
        path: str
        same_site: str
        https_only: bool
        domain: str | None
        partitioned: bool


__all__ = ["IronSessionMiddleware"]

_log = logging.getLogger("iron_fast")
# Starlette SessionMiddleware's cookie arguments, as cookie options.
_STARLETTE_COOKIE = {
    "path": "path",
    "same_site": "samesite",
    "https_only": "secure",
    "domain": "domain",
    "partitioned": "partitioned",
}


class IronSessionMiddleware:
    """``add_middleware(IronSessionMiddleware, password=..., ...)``: the
    options of get_iron_session (``cookie_name="session"`` by default) or
    ``config=SessionConfig(...)``. Saves a modified session when the
    response starts; an emptied one expires its cookie.

    Starlette's own arguments are taken too, with Starlette's meaning:
    ``session_cookie``, ``max_age`` (the cookie's Max-Age and the seal's
    lifetime, both exactly that; None: a browser-session cookie whose
    seal never expires), ``path``, ``same_site``, ``https_only``,
    ``domain``, ``partitioned``. One difference is kept on purpose:
    cookies are Secure unless ``https_only=False`` (Starlette's default
    is False), as iron-session's are; a Secure cookie saved over plain
    HTTP is logged once, since the browser will not send it back."""

    def __init__(
        self,
        app: ASGIApp,
        config: SessionConfig | None = None,
        **options: Unpack[StarletteOptions],
    ) -> None:
        if config is None:
            config = SessionConfig(**_iron_options(dict(options)))
        elif options or not isinstance(config, SessionConfig):
            raise TypeError("pass a SessionConfig or options, not both")
        config.codec.check_store_client(is_async=True, adapter="Starlette")
        self.app = app
        self.config = config
        self._told_about_http = False

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        config = self.config
        codec = config.codec
        jar = ResponseJar.from_scope(scope, config.header)
        opened = await codec.aload(jar)
        session = IronSession(jar, codec, *opened, deferred=True)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                pending = session.pending_revocation
                if pending is not None:  # session.revoke() in the view
                    await codec.arevoke(pending)
                _finish(session, jar, message)
                jar.writable = False  # the headers are out
                if jar.lines and scope.get("scheme") == "http":
                    self._tell_about_http()
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _tell_about_http(self) -> None:
        if self._told_about_http or not self.config.cookie_options.get(
            "secure"
        ):
            return
        self._told_about_http = True
        _log.warning(
            "iron_fast: the session cookie is Secure (iron-session's "
            "default) but was sent over plain HTTP, so browsers will not "
            "send it back. Serve over HTTPS, or pass https_only=False "
            "(Starlette's default; with allow_insecure=True on a "
            "development server)."
        )


def _iron_options(options: dict[str, Any]) -> dict[str, Any]:
    """Starlette's spelling of the options, as SessionConfig's."""
    cookie = dict(options.pop("cookie_options", None) or {})
    for theirs, ours in _STARLETTE_COOKIE.items():
        if theirs in options:
            cookie[ours] = options.pop(theirs)
    if "max_age" in options:
        max_age = options.pop("max_age")
        cookie["max_age"] = max_age
        if max_age is not None:
            # A cookie that is gone at once (0, -1) needs no lasting seal.
            options.setdefault("ttl", max(max_age, 1))
    if cookie:
        options["cookie_options"] = cookie
    options["cookie_name"] = options.pop(
        "session_cookie", options.get("cookie_name", "session")
    )
    return options


def _finish(session: IronSession, jar: ResponseJar, message: Message) -> None:
    config = session.config
    if session.modified:
        max_age = config.max_age
        if not session:
            # SessionMiddleware's logout is clear().
            config.codec.clear(jar)
        elif max_age is not None and max_age <= 0:
            # Starlette's max_age of 0 or less: the browser drops the cookie
            # on arrival and the data is already too old to read. Send the
            # deletion, not a seal that a replay could still open.
            config.codec.destroy(jar)
        else:
            session.save()
    add_cookie_headers(
        message, jar, vary=session.accessed, header=config.header
    )
