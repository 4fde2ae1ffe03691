# SPDX-License-Identifier: MIT
"""IronSessionMiddleware: ``req.context.session`` for Falcon, in
iron-session's cookie; one class for ``falcon.App`` (WSGI) and
``falcon.asgi.App`` (ASGI)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import falcon
import falcon.asgi

from iron_fast.request_session import RequestSession, adapter_config
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

    # -- WSGI ------------------------------------------------------------

    def process_request(
        self, req: falcon.Request, resp: falcon.Response
    ) -> None:
        req.context.session = RequestSession.open(
            self.config.codec, req.get_header("Cookie")
        )

    def process_response(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        resource: object,
        req_succeeded: bool,
    ) -> None:
        session = getattr(req.context, "session", None)
        if not isinstance(session, RequestSession):
            return  # an earlier middleware answered before ours ran
        vary, set_cookies = session.finish(resp.status_code)
        if vary:
            resp.append_header("Vary", "Cookie")
        for line in set_cookies:
            # Raw lines: the bytes are the codec's, not a re-encoding.
            resp.append_header("Set-Cookie", line)

    # -- ASGI: Falcon picks these by their suffix -----------------------

    async def process_request_async(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response
    ) -> None:
        req.context.session = RequestSession.open(
            self.config.codec, _asgi_cookie(req)
        )

    async def process_request_ws(
        self, req: falcon.asgi.Request, ws: falcon.asgi.WebSocket
    ) -> None:
        # Read only: a WebSocket has no response to carry a cookie.
        req.context.session = RequestSession.open(
            self.config.codec, _asgi_cookie(req), writable=False
        )

    async def process_response_async(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        resource: object,
        req_succeeded: bool,
    ) -> None:
        self.process_response(req, resp, resource, req_succeeded)


def _asgi_cookie(req: falcon.asgi.Request) -> str | bytes | None:
    headers = req.scope["headers"]
    if isinstance(headers, list):  # as servers give it: re-readable
        # HTTP/2 browsers split Cookie over several headers, and
        # falcon.asgi keeps only the last (RFC 9113: join with "; ").
        return b"; ".join(v for k, v in headers if k == b"cookie")
    return req.get_header("Cookie")
