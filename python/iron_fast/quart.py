# SPDX-License-Identifier: MIT
"""IronSessionInterface: Quart's ``session`` kept in iron-session's cookie.

``app.session_interface = IronSessionInterface()`` with the password in
``app.config["IRON_SESSION_PASSWORD"]``, or any option passed directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from quart import Quart
from quart.sessions import SessionInterface, SessionMixin
from quart.wrappers import BaseRequestWebsocket, Response
from werkzeug.wrappers import Response as WerkzeugResponse

from iron_fast import flask as flask_adapter
from iron_fast.asgi import ReadTrackingSession, ResponseJar
from iron_fast.flask import IronFlaskSession
from iron_fast.session_config import Password, SessionConfig, SessionOptions

if TYPE_CHECKING:
    import flask
    from typing_extensions import Unpack

__all__ = ["IronQuartSession", "IronSessionInterface"]


class IronQuartSession(ReadTrackingSession, IronFlaskSession):
    """``quart.session``: the Flask adapter's session, whose reads count
    as access (Quart's request context does not mark them, Flask's
    does)."""


class IronSessionInterface(SessionInterface):
    """Options as ``get_iron_session`` takes them, each one not passed
    read from ``app.config`` as the Flask adapter reads it
    (``IRON_SESSION_PASSWORD``, ``IRON_SESSION_TTL``, ...,
    ``SESSION_COOKIE_NAME``, ``PERMANENT_SESSION_LIFETIME`` for permanent
    sessions). Built at the app's first request; a bad option fails
    there, naming itself. The session is Flask's kind (``permanent``,
    ``modified``, ``accessed``), and an IronSession."""

    session_class = IronQuartSession

    def __init__(
        self,
        password: Password | None = None,
        /,
        *,
        config: SessionConfig | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        # ``config``: a whole SessionConfig (h3_config's), as in Flask.
        # Quart is Flask's sansio App and Werkzeug's sansio Response,
        # which is all the Flask adapter reads and writes: one home for
        # how app.config becomes a SessionConfig and a session a cookie.
        self._flask = flask_adapter.IronSessionInterface(
            password, config=config, **options
        )

    def __reduce_ex__(self, protocol: object) -> Any:
        # It holds the password: a pickle would write it out in clear.
        raise TypeError("an IronSessionInterface holds the password")

    async def open_session(
        self, app: Quart, request: BaseRequestWebsocket
    ) -> IronQuartSession:
        # A coroutine: Quart would run a plain method in a thread.
        codec = self._flask.config(cast("flask.Flask", app)).codec
        codec.check_store_client(is_async=True, adapter="Quart")
        # Refuses writes on a WebSocket.
        jar = ResponseJar.from_scope(request.scope, codec.config.header)
        opened = await codec.aload(jar)  # the revocation store awaited
        return IronQuartSession(jar, codec, *opened, deferred=True)

    async def save_session(
        self,
        app: Quart,
        session: SessionMixin,
        response: Response | WerkzeugResponse | None,
    ) -> None:
        iron = cast(IronQuartSession, session)
        pending = iron.pending_revocation
        if pending is not None:  # session.revoke() in the view
            await iron.config.codec.arevoke(pending)
        if response is None or not cast(ResponseJar, iron.jar).writable:
            # A WebSocket (Quart passes no response, or the one that
            # refused it): no cookie is written there.
            if session.modified:
                app.logger.warning(
                    "the session was changed during a WebSocket, where no "
                    "cookie can be sent: the change is lost"
                )
            return
        self._flask.save_session(
            cast("flask.Flask", app), session, cast("flask.Response", response)
        )
