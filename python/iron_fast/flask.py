# SPDX-License-Identifier: MIT
"""IronSessionInterface: ``flask.session`` kept in iron-session's cookie.

``app.session_interface = IronSessionInterface()`` with the password in
``app.config["IRON_SESSION_PASSWORD"]``, or any option passed directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin

from iron_fast.cookies import HeaderCookieJar
from iron_fast.errors import ConfigError
from iron_fast.session import IronSession, get_iron_session
from iron_fast.session_config import SessionConfig, UnsealErrorHook

__all__ = ["IronFlaskSession", "IronSessionInterface"]

# Each also read from app.config as IRON_SESSION_<NAME>.
_CONFIG = ("password", "ttl", "cookie_options", "chunk", "on_unseal_error")
# Flask settings that ask for something iron-session does not do by
# default. Flask's own defaults (no Secure, no SameSite) are not applied,
# so an app that sets none of them writes iron-session's exact cookie.
_ASKS = (
    ("SESSION_COOKIE_DOMAIN", "domain"),
    ("SESSION_COOKIE_SECURE", "secure"),
    ("SESSION_COOKIE_PARTITIONED", "partitioned"),
    ("SESSION_COOKIE_SAMESITE", "samesite"),
)


class _Jar(HeaderCookieJar):
    __slots__ = ("lines",)

    def __init__(self, header: str | None) -> None:
        super().__init__(header)
        self.lines: dict[str, str] = {}

    def write(self, name: str, value: str, set_cookie: str) -> None:
        # By name: a save() in the view and another at the end of the
        # request send one line per cookie, the last one.
        self.lines[name] = set_cookie


class IronFlaskSession(IronSession, SessionMixin):
    """``flask.session``: an IronSession with Flask's ``permanent``."""

    cookie_jar: _Jar


class IronSessionInterface(SessionInterface):
    """Options as ``get_iron_session`` takes them; each one not passed is
    read from ``app.config``: ``IRON_SESSION_PASSWORD`` (required there
    or here), ``IRON_SESSION_TTL``, ``IRON_SESSION_COOKIE_OPTIONS``,
    ``IRON_SESSION_CHUNK``, ``IRON_SESSION_ON_UNSEAL_ERROR``, and
    ``SESSION_COOKIE_NAME`` for ``cookie_name``. Built once per app, at
    its first request; a bad option fails there, naming itself."""

    session_class = IronFlaskSession

    def __init__(
        self,
        password: str | Mapping[int | str, str] | None = None,
        *,
        cookie_name: str | None = None,
        ttl: int | timedelta | None = None,
        cookie_options: Mapping[str, Any] | None = None,
        chunk: bool | None = None,
        on_unseal_error: UnsealErrorHook | None = None,
    ) -> None:
        given = dict(
            password=password,
            cookie_name=cookie_name,
            ttl=ttl,
            cookie_options=cookie_options,
            chunk=chunk,
            on_unseal_error=on_unseal_error,
        )
        self._options = {k: v for k, v in given.items() if v is not None}
        self._key = f"iron_fast.flask.{id(self)}"

    def __reduce_ex__(self, protocol: object) -> Any:
        # It holds the password: a pickle would write it out in clear.
        raise TypeError("an IronSessionInterface holds the password")

    def configs(self, app: Flask) -> tuple[SessionConfig, SessionConfig]:
        """The app's configuration, and the one for permanent sessions
        (``ttl`` = ``PERMANENT_SESSION_LIFETIME``)."""
        configs: tuple[SessionConfig, SessionConfig] | None
        configs = app.extensions.get(self._key)
        if configs is None:
            configs = app.extensions[self._key] = self._build(app)
        return configs

    def _build(self, app: Flask) -> tuple[SessionConfig, SessionConfig]:
        conf = app.config
        options = {"cookie_name": conf["SESSION_COOKIE_NAME"]}
        for name in _CONFIG:
            value = conf.get(f"IRON_SESSION_{name.upper()}")
            if value is not None:
                options[name] = value
        options.update(self._options)
        if options.get("password") is None:
            raise ConfigError(
                "set app.config['IRON_SESSION_PASSWORD'] (a secret of 32+ "
                "characters, or {id: secret}), or pass password=",
                option="password",
            )
        cookie = {
            "path": conf["SESSION_COOKIE_PATH"] or conf["APPLICATION_ROOT"],
            "httponly": conf["SESSION_COOKIE_HTTPONLY"],
        }
        cookie.update((opt, conf[key]) for key, opt in _ASKS if conf.get(key))
        cookie.update(options.get("cookie_options") or {})
        options["cookie_options"] = cookie
        config = SessionConfig(**options)
        lifetime = app.permanent_session_lifetime
        if timedelta(seconds=config.ttl) == lifetime:
            return config, config
        return config, config.replace(ttl=lifetime)

    def open_session(self, app: Flask, request: Request) -> IronFlaskSession:
        config = self.configs(app)[0]
        jar = _Jar(request.environ.get("HTTP_COOKIE"))
        session = IronFlaskSession(jar, config, get_iron_session(jar, config))
        session.cookie_jar = jar
        return session

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        iron = cast(IronFlaskSession, session)
        jar = iron.cookie_jar
        if not iron:
            if iron.modified:
                # Logout by clear(): drop what an earlier save() wrote and
                # expire the cookie, if the request sent one.
                jar.lines.clear()
                name = iron.config.cookie_name
                if jar.read(name) or jar.read(f"{name}.0"):
                    iron.destroy()
        elif self.should_set_cookie(app, iron):
            if iron.permanent:
                iron.update_config(self.configs(app)[1])
            iron.save()
        if iron.accessed or jar.lines:
            response.vary.add("Cookie")
        for line in jar.lines.values():
            response.headers.add("Set-Cookie", line)
