# SPDX-License-Identifier: MIT
"""SessionMiddleware: Django's, except that an iron_fast session writes
its own Set-Cookie lines (Django's set_cookie() would reorder the
attributes, add Expires, use Django's Max-Age and could not chunk)."""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import Morsel
from typing import Any, cast

from django.conf import settings
from django.contrib.sessions import middleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from iron_fast.cookies import ResponseJar
from iron_fast.django import SessionStore
from iron_fast.django.conf import session_config

__all__ = ["SessionMiddleware"]


class _SetCookie(Morsel):  # type: ignore[type-arg]
    """A cookie for ``response.cookies`` whose Set-Cookie text is given:
    Django's handlers send ``morsel.output(header="")``."""

    def __init__(self, name: str, line: str) -> None:
        super().__init__()
        value = line[len(name) + 1 : line.find(";")]
        self.set(name, value, value)
        self.line = line

    def OutputString(self, attrs: Any = None) -> str:  # noqa: N802
        return self.line

    def __reduce__(self) -> tuple[Any, ...]:
        # Morsel pickles key and value only; a cached response (cache
        # middleware) would lose the attributes, Secure and HttpOnly too.
        return (type(self), (self.key, self.line))


class SessionMiddleware(middleware.SessionMiddleware):
    """Replaces ``django.contrib.sessions.middleware.SessionMiddleware``
    in MIDDLEWARE (a subclass, so checks that look for it still pass).
    With another SESSION_ENGINE it is Django's middleware unchanged."""

    def __init__(self, get_response: Callable[..., Any]) -> None:
        super().__init__(get_response)
        self._iron = issubclass(self.SessionStore, SessionStore)
        if self._iron:
            session_config()  # bad settings fail at start-up, not later

    def process_request(self, request: HttpRequest) -> None:
        if not self._iron:
            return super().process_request(request)
        store = cast("type[SessionStore]", self.SessionStore)
        request.session = store(
            jar=ResponseJar(request.META.get("HTTP_COOKIE"))
        )
        return None

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        session = getattr(request, "session", None)
        if not self._iron or not isinstance(session, SessionStore):
            return super().process_response(request, response)
        vary = session.accessed
        # Django's rules: an emptied session expires the cookie; a
        # modified one is saved, unless the response is a 5xx.
        if session.is_empty():
            if session.modified:
                session.clear_cookie()
        elif response.status_code < 500 and (
            session.modified or settings.SESSION_SAVE_EVERY_REQUEST
        ):
            session.save()
        for name, line in session.jar.lines.items():
            response.cookies[name] = _SetCookie(name, line)
            vary = True
        if vary:
            patch_vary_headers(response, ("Cookie",))
        return response
