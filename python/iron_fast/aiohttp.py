# SPDX-License-Identifier: MIT
"""IronStorage: an aiohttp-session storage that keeps the session in
iron-session's cookie: ``aiohttp_session.setup(app, IronStorage(...))``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any

from aiohttp import hdrs, web
from aiohttp_session import AbstractStorage, Session, SessionData

from iron_fast._core import DEFAULT_TTL
from iron_fast.cookies import HeaderCookieJar
from iron_fast.session import IronSession, get_iron_session
from iron_fast.session_config import SessionConfig, UnsealErrorHook

__all__ = ["IronStorage"]


class _Jar(HeaderCookieJar):
    __slots__ = ("lines",)

    def __init__(self, header: str | None) -> None:
        super().__init__(header)
        self.lines: dict[str, str] = {}

    def write(self, name: str, value: str, set_cookie: str) -> None:
        self.lines[name] = set_cookie


class _LoadedSession(Session):
    """A Session that remembers its cookie jar and unsealed IronSession,
    so that saving it does not read the cookie again."""

    def __init__(self, jar: _Jar, iron: IronSession, max_age: int | None):
        # aiohttp-session drops data older than max_age after "created";
        # the seal's own expiry already did that check.
        data: SessionData = {"created": int(time.time()), "session": iron}
        super().__init__(None, data=data, new=not iron, max_age=max_age)
        self.iron = (jar, iron)


class IronStorage(AbstractStorage):
    """The options of ``get_iron_session`` (``cookie_name`` defaults to
    aiohttp-session's ``"AIOHTTP_SESSION"``); keyword arguments that are
    cookie options (``domain``, ``path``, ``secure``, ``httponly``,
    ``samesite``, ``max_age``, ...) are merged into ``cookie_options``,
    so aiohttp-session's spellings carry over.

    ``session.max_age`` is the ttl (None when ttl is 0); setting it on a
    session seals that session with it (None: a browser-session cookie)."""

    def __init__(
        self,
        password: str | Mapping[int | str, str],
        *,
        cookie_name: str = "AIOHTTP_SESSION",
        ttl: int | timedelta = DEFAULT_TTL,
        cookie_options: Mapping[str, Any] | None = None,
        chunk: bool = False,
        on_unseal_error: UnsealErrorHook | None = None,
        **cookie_params: Any,
    ) -> None:
        self.config = SessionConfig(
            password=password,
            cookie_name=cookie_name,
            ttl=ttl,
            cookie_options={**(cookie_options or {}), **cookie_params},
            chunk=chunk,
            on_unseal_error=on_unseal_error,
        )
        super().__init__(
            cookie_name=cookie_name, max_age=self.config.ttl or None
        )

    async def load_session(self, request: web.Request) -> Session:
        jar = _Jar(request.headers.get(hdrs.COOKIE))
        iron = get_iron_session(jar, self.config)
        return _LoadedSession(jar, iron, self.max_age)

    async def save_session(
        self,
        request: web.Request,
        response: web.StreamResponse,
        session: Session,
    ) -> None:
        if isinstance(session, _LoadedSession):
            jar, iron = session.iron
        else:  # from new_session(): nothing was read yet
            jar = _Jar(request.headers.get(hdrs.COOKIE))
            iron = get_iron_session(jar, self.config)
        if session.empty:
            name = self.config.cookie_name
            if jar.read(name) or jar.read(f"{name}.0"):
                iron.destroy()
        else:
            dict.clear(iron)
            dict.update(iron, session)
            if session.max_age != self.max_age:
                iron.update_config(_with_max_age(self.config, session.max_age))
            iron.save()
        for line in jar.lines.values():
            response.headers.add(hdrs.SET_COOKIE, line)


@lru_cache(maxsize=64)
def _with_max_age(config: SessionConfig, max_age: int | None) -> SessionConfig:
    cookie = dict(config.cookie_options)
    del cookie["max_age"]
    if max_age is None:  # aiohttp-session's browser-session cookie
        return config.replace(cookie_options={**cookie, "max_age": None})
    return config.replace(ttl=max_age, cookie_options=cookie)
