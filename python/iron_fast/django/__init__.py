# SPDX-License-Identifier: MIT
"""Django session engine: ``SESSION_ENGINE = "iron_fast.django"``, and
``iron_fast.django.middleware.SessionMiddleware`` in place of Django's so
that the cookie is iron-session's exactly (attributes, Max-Age, chunks).
Settings: see ``iron_fast.django.conf.session_config``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from iron_fast.cookies import ResponseJar
from iron_fast.django.conf import session_config
from iron_fast.lifetime import SessionMeta
from iron_fast.limits import MAX_TTL
from iron_fast.session_config import with_lifetime

__all__ = ["SessionStore"]


class SessionStore(SessionBase):
    """Django's ``signed_cookies`` store, in iron-session's format: the
    ``session_key`` is the seal itself, so ``Client.login()``,
    ``force_login()`` and ``Client.session`` work as they do there.
    ``jar`` holds the request's cookies and the Set-Cookie lines a save
    or a flush writes (the middleware sends them)."""

    def __init__(
        self,
        session_key: str | None = None,
        jar: ResponseJar | None = None,
    ) -> None:
        if jar is None:
            jar = ResponseJar()
        elif session_key is None:
            session_key = session_config().codec.request_seal(jar)
        super().__init__(session_key)
        self.jar = jar
        self._iron_meta: SessionMeta | None = None

    def load(self) -> dict[str, Any]:
        # A bad cookie loads as {} and is left alone, as iron-session
        # does: rewriting it could sign the user out of another app.
        opened = session_config().codec.load_seal(self.session_key)
        self._iron_meta = opened.meta
        if opened.refresh:  # due for a fresh seal (idle_timeout)
            self.modified = True
        return opened.data or {}

    @property
    def subject(self) -> str | None:
        """Whose session this is (see ``IronSession.subject``)."""
        self.keys()  # loads the session (and its metadata) if not yet
        meta = self._iron_meta
        return None if meta is None else meta.subject

    @subject.setter
    def subject(self, subject: str | None) -> None:
        self.keys()
        codec = session_config().codec
        meta = codec.with_subject(self._iron_meta, subject)
        if meta is not self._iron_meta:
            self._iron_meta = meta
            self.modified = True

    def revoke(self) -> None:
        """End this session on every process (see
        ``IronSession.revoke()``): emptied, its cookie expired by the
        middleware, and its id written to the revocation store now."""
        codec = session_config().codec
        codec.check_revocation()
        self.keys()
        meta, self._iron_meta = self._iron_meta, None
        self.flush()  # emptied: the middleware expires the cookie
        if meta is not None:
            codec.revoke(meta)

    def get_session_cookie_age(self) -> int:
        return session_config().ttl

    def save(self, must_create: bool = False) -> None:
        """Seal the data into ``session_key`` and the jar's lines."""
        data = dict(self.items())  # loads the session if it was not yet
        config = session_config()
        expiry = data.get("_session_expiry")
        if expiry is not None:
            config = with_lifetime(
                config, self._lifetime() if expiry else None
            )
        self.jar.lines.clear()
        meta = config.codec.stamp(self._iron_meta)
        self._session_key = config.codec.save(self.jar, data, meta)
        self._iron_meta = meta
        self.modified = True

    def _lifetime(self) -> int:
        # What Django's signed-cookie store accepts: a float is cut to
        # whole seconds as its set_cookie(max_age=) does; an expiry past
        # what a seal's timestamp can hold is capped there (MAX_TTL, about
        # 142,000 years); at least one second, as a cookie needs.
        return min(max(int(self.get_expiry_age()), 1), MAX_TTL)

    def clear_cookie(self) -> None:
        """Expire the request's cookie (and chunks), if it sent one."""
        session_config().codec.clear(self.jar)

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
