# SPDX-License-Identifier: MIT
"""IronSessionMiddleware: ``req.context.session`` for Falcon, in
iron-session's cookie; one class for ``falcon.App`` (WSGI) and
``falcon.asgi.App`` (ASGI)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import falcon
import falcon.asgi

from iron_fast.request_session import Finish, RequestSession, adapter_config
from iron_fast.session_config import SessionConfig, SessionOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["IronSessionMiddleware"]


class IronSessionMiddleware:
    """``falcon.App(middleware=[IronSessionMiddleware(password=...)])``,
    or the same in ``falcon.asgi.App``: the options of get_iron_session
    (``cookie_name="session"`` by default) or ``config=SessionConfig(...)``.

    ``req.context.session`` is then the request's RequestSession, saved
    by ``process_response`` when modified; an ``on_websocket`` responder
    can read it."""

    def __init__(
        self,
        config: SessionConfig | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        self.config = adapter_config(config, dict(options))
        # WSGI or ASGI is known at the first request, where the revocation
        # store's client for that mode is checked, once.
        self._checked: set[bool] = set()

    def _check_store(self, is_async: bool) -> None:
        if is_async not in self._checked:
            mode = "ASGI" if is_async else "WSGI"
            self.config.codec.check_store_client(
                is_async=is_async, adapter=f"Falcon {mode}"
            )
            self._checked.add(is_async)

    def _session_header(self, req: falcon.Request) -> str | None:
        # SessionConfig.header: the API clients' transport (None: cookies).
        header = self.config.header
        return None if header is None else req.get_header(header)

    # -- WSGI ------------------------------------------------------------

    def process_request(
        self, req: falcon.Request, resp: falcon.Response
    ) -> None:
        self._check_store(False)
        req.context.session = RequestSession.open(
            self.config.codec,
            req.get_header("Cookie"),
            session_header=self._session_header(req),
        )

    def process_response(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        resource: object,
        req_succeeded: bool,
    ) -> None:
        session = getattr(req.context, "session", None)
        if isinstance(session, RequestSession):
            _send(resp, session.finish(resp.status_code))
        # else: an earlier middleware answered before ours ran

    # -- ASGI: Falcon picks these by their suffix -----------------------

    async def process_request_async(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response
    ) -> None:
        self._check_store(True)
        req.context.session = await RequestSession.aopen(
            self.config.codec,
            _asgi_cookie(req),
            session_header=self._session_header(req),
        )

    async def process_request_ws(
        self, req: falcon.asgi.Request, ws: falcon.asgi.WebSocket
    ) -> None:
        # Read only: a WebSocket has no response to carry a cookie.
        self._check_store(True)
        req.context.session = await RequestSession.aopen(
            self.config.codec, _asgi_cookie(req), writable=False
        )

    async def process_response_async(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        resource: object,
        req_succeeded: bool,
    ) -> None:
        session = getattr(req.context, "session", None)
        if isinstance(session, RequestSession):
            _send(resp, await session.afinish(resp.status_code))


def _send(resp: falcon.Response, finish: Finish) -> None:
    vary, headers = finish
    if vary is not None:
        resp.append_header("Vary", vary)
    for name, value in headers:
        # Raw lines: the bytes are the codec's, not a re-encoding.
        resp.append_header(name, value)


def _asgi_cookie(req: falcon.asgi.Request) -> str | bytes | None:
    headers = req.scope["headers"]
    if isinstance(headers, list):  # as servers give it: re-readable
        # HTTP/2 browsers split Cookie over several headers, and
        # falcon.asgi keeps only the last (RFC 9113: join with "; ").
        return b"; ".join(v for k, v in headers if k == b"cookie")
    return req.get_header("Cookie")
