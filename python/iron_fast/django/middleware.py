# SPDX-License-Identifier: MIT
"""SessionMiddleware: Django's, except that an iron_fast session writes
its own Set-Cookie lines (Django's set_cookie() would reorder the
attributes, add Expires, use Django's Max-Age and could not chunk)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http.cookies import CookieError, Morsel
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
    """A cookie for ``response.cookies`` whose Set-Cookie text is the
    session's own (iron-session's attribute order and Max-Age), with its
    attributes readable like any morsel's. Django's handlers send
    ``morsel.output(header="")``: while the attributes are as written,
    that is the line itself; once code changes one, Django's rendering of
    the changed morsel."""

    def __init__(self, name: str, line: str) -> None:
        super().__init__()
        value, _, attributes = line[len(name) + 1 :].partition("; ")
        self.set(name, value, value)
        for attribute in attributes.split("; "):
            key, _, text = attribute.partition("=")
            try:
                self[key] = text or True
            except CookieError:
                pass  # one Morsel has no name for (Priority): in the line
        self.line = line
        self.written = dict(self)

    def OutputString(self, attrs: Any = None) -> str:  # noqa: N802
        if dict(self) == self.written:
            return self.line
        return super().OutputString(attrs)

    def __reduce__(self) -> tuple[Any, ...]:
        # Morsel pickles key and value only; a cached response (cache
        # middleware) would lose the attributes, Secure and HttpOnly too.
        return (type(self), (self.key, self.line))


class _RequestCookies(ResponseJar):
    """The one jar, reading ``request.COOKIES``: what Django documents
    its session middleware reading (a RequestFactory test or a middleware
    that rewrites cookies sets it). Made by ``of``."""

    __slots__ = ("cookies",)

    cookies: Mapping[str, str]

    @classmethod
    def of(
        cls, cookies: Mapping[str, str], session_header: str | None
    ) -> _RequestCookies:
        # The native jar takes its arguments when it is made, before any
        # __init__: a subclass adds its own after.
        jar = cls(None, session_header)
        jar.cookies = cookies
        return jar

    def read(self, name: str) -> str | None:
        return self.cookies.get(name)


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
        header = session_config().header
        request.session = store(
            jar=_RequestCookies.of(
                request.COOKIES,
                None if header is None else request.headers.get(header),
            )
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
        jar = session.jar
        for name, line in jar.lines.items():
            response.cookies[name] = _SetCookie(name, line)
            vary = True
        header = session_config().header
        if header is not None and jar.header_out is not None:
            response[header] = jar.header_out
            vary = True
        if vary:
            patch_vary_headers(
                response, ("Cookie",) if header is None else ("Cookie", header)
            )
        return response
