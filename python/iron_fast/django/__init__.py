# SPDX-License-Identifier: MIT
"""Django session engine: ``SESSION_ENGINE = "iron_fast.django"``, and
``iron_fast.django.middleware.SessionMiddleware`` in place of Django's so
that the cookie is iron-session's exactly (attributes, Max-Age, chunks).
Settings: see ``iron_fast.django.conf.session_config``.
"""

from __future__ import annotations

from itertools import takewhile
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from iron_fast.cookies import HeaderCookieJar
from iron_fast.django.conf import config_with_expiry, session_config
from iron_fast.session import IronSession, get_iron_session
from iron_fast.session_config import MAX_CHUNKS

__all__ = ["SessionStore"]


class RequestJar(HeaderCookieJar):
    """The request's cookies; what a save writes, by cookie name."""

    __slots__ = ("lines",)

    def __init__(self, header: str | None) -> None:
        super().__init__(header)
        self.lines: dict[str, tuple[str, str]] = {}

    def write(self, name: str, value: str, set_cookie: str) -> None:
        self.lines[name] = (value, set_cookie)

    def seal(self, name: str) -> str:
        """The request's seal: the cookie, or its chunks joined."""
        whole = self.read(name)
        if whole:
            return whole
        parts = (self.read(f"{name}.{i}") or "" for i in range(MAX_CHUNKS))
        return "".join(takewhile(bool, parts))


class SessionStore(SessionBase):
    """Django's ``signed_cookies`` store, in iron-session's format: the
    ``session_key`` is the seal itself, so ``Client.login()``,
    ``force_login()`` and ``Client.session`` work as they do there."""

    def __init__(
        self, session_key: str | None = None, jar: RequestJar | None = None
    ) -> None:
        name = session_config().cookie_name
        if jar is None:  # SessionStore(key): the key is the cookie
            jar = RequestJar(f"{name}={session_key}" if session_key else None)
        elif session_key is None:
            session_key = jar.seal(name)
        super().__init__(session_key)
        self._jar = jar
        self._iron: IronSession | None = None

    def _open(self) -> IronSession:
        if self._iron is None:  # unsealed once, when first needed
            self._iron = get_iron_session(self._jar, session_config())
        return self._iron

    def load(self) -> dict[str, Any]:
        # A bad cookie loads as {} and is left alone, as iron-session
        # does: rewriting it could sign the user out of another app.
        return dict(self._open())

    def get_session_cookie_age(self) -> int:
        return session_config().ttl

    def save(self, must_create: bool = False) -> None:
        """Seal the data into ``session_key`` and the jar's lines."""
        data = dict(self.items())  # loads the session if it was not yet
        iron = self._open()
        dict.clear(iron)
        dict.update(iron, data)
        config = session_config()
        expiry = data.get("_session_expiry")
        if expiry is not None:
            ttl = max(self.get_expiry_age(), 1) if expiry else None
            config = config_with_expiry(config, ttl)
        iron.update_config(config)
        self._jar.lines.clear()
        iron.save()
        self._session_key = "".join(v for v, _ in self._jar.lines.values())
        self.modified = True

    def _destroy(self) -> None:
        """Expire the request's cookie (and chunks), if it sent one."""
        self._jar.lines.clear()
        name = session_config().cookie_name
        if self._jar.read(name) or self._jar.read(f"{name}.0"):
            self._open().destroy()

    def delete(self, session_key: str | None = None) -> None:
        self._session_key = ""
        self._session_cache: dict[str, Any] = {}
        self.modified = True

    def create(self) -> None:
        self.modified = True

    def exists(self, session_key: str | None) -> bool:
        return False

    def cycle_key(self) -> None:
        self.save()  # a new seal is a new key

    @classmethod
    def clear_expired(cls) -> None:
        pass

    # Sealing is CPU-only microseconds: no thread hop (sync_to_async).
    async def aload(self) -> dict[str, Any]:
        return self.load()

    async def asave(self, must_create: bool = False) -> None:
        self.save(must_create)

    async def adelete(self, session_key: str | None = None) -> None:
        self.delete(session_key)

    async def acreate(self) -> None:
        self.create()

    async def aexists(self, session_key: str | None) -> bool:
        return False

    async def acycle_key(self) -> None:
        self.save()

    @classmethod
    async def aclear_expired(cls) -> None:
        pass
