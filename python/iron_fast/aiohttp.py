# SPDX-License-Identifier: MIT
"""IronStorage: an aiohttp-session storage that keeps the session in
iron-session's cookie: ``aiohttp_session.setup(app, IronStorage(...))``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from aiohttp import hdrs, web
from aiohttp_session import AbstractStorage, Session, SessionData

from iron_fast.cookies import ResponseJar
from iron_fast.session import IronSession
from iron_fast.session_config import (
    OPTION_NAMES,
    Password,
    SessionConfig,
    with_lifetime,
)

__all__ = ["IronStorage"]


class _LoadedSession(Session):
    """A Session that remembers its cookie jar and unsealed IronSession,
    so that saving it does not read the cookie again."""

    def __init__(
        self, jar: ResponseJar, iron: IronSession, max_age: int | None
    ):
        # aiohttp-session drops data older than max_age after "created";
        # the seal's own expiry already did that check.
        data: SessionData = {"created": int(time.time()), "session": iron}
        super().__init__(None, data=data, new=not iron, max_age=max_age)
        self.iron = (jar, iron)
        if iron.modified:  # due for a fresh seal (idle_timeout)
            self.changed()

    @property
    def subject(self) -> str | None:
        """``IronSession.subject``: whose session this is."""
        return self.iron[1].subject

    @subject.setter
    def subject(self, subject: str | None) -> None:
        self.iron[1].subject = subject
        self.changed()

    def revoke(self) -> None:
        """``IronSession.revoke()``: end this session on every process;
        the store write is awaited before the response is sent."""
        self.iron[1].revoke()
        self.invalidate()


class IronStorage(AbstractStorage):
    """The options of ``get_iron_session`` (``cookie_name`` defaults to
    aiohttp-session's ``"AIOHTTP_SESSION"``); keyword arguments that are
    cookie options (``domain``, ``path``, ``secure``, ``httponly``,
    ``samesite``, ``max_age``, ...) are merged into ``cookie_options``,
    so aiohttp-session's spellings carry over.

    ``max_age`` means what aiohttp-session documents, the maximum age of
    the session data: the seal expires then (a replayed cookie no longer
    opens), and the cookie's Max-Age is that; None is a browser-session
    cookie. ``session.max_age`` is the ttl (None when ttl is 0); setting
    it on a session seals that session with it."""

    def __init__(
        self,
        password: Password,
        *,
        cookie_name: str = "AIOHTTP_SESSION",
        cookie_options: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> None:
        session = {k: v for k, v in options.items() if k in OPTION_NAMES}
        cookie_params = {
            k: v for k, v in options.items() if k not in OPTION_NAMES
        }
        max_age = cookie_params.get("max_age")
        if max_age is not None and "ttl" not in session:
            session["ttl"] = max(max_age, 1)
        self.config = SessionConfig(
            password=password,
            cookie_name=cookie_name,
            cookie_options={**(cookie_options or {}), **cookie_params},
            **session,
        )
        self.config.codec.check_store_client(is_async=True, adapter="aiohttp")
        super().__init__(
            cookie_name=cookie_name, max_age=self.config.ttl or None
        )

    async def load_session(self, request: web.Request) -> Session:
        return _LoadedSession(*await self._open(request), self.max_age)

    async def _open(
        self, request: web.Request
    ) -> tuple[ResponseJar, IronSession]:
        codec = self.config.codec
        jar = ResponseJar(request.headers.get(hdrs.COOKIE))
        opened = await codec.aload(jar)
        return jar, IronSession(jar, codec, *opened, deferred=True)

    async def save_session(
        self,
        request: web.Request,
        response: web.StreamResponse,
        session: Session,
    ) -> None:
        if isinstance(session, _LoadedSession):
            jar, iron = session.iron
        else:  # from new_session(): nothing was read yet
            jar, iron = await self._open(request)
        pending = iron.pending_revocation
        if pending is not None:  # session.revoke() in the handler
            await self.config.codec.arevoke(pending)
        if session.empty:
            self.config.codec.clear(jar)
        else:
            dict.clear(iron)
            dict.update(iron, session)
            if session.max_age != self.max_age:
                iron.update_config(with_lifetime(self.config, session.max_age))
            iron.save()
        for line in jar.lines.values():
            response.headers.add(hdrs.SET_COOKIE, line)
