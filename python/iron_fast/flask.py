# SPDX-License-Identifier: MIT
"""IronSessionInterface: ``flask.session`` kept in iron-session's cookie.

``app.session_interface = IronSessionInterface()`` with the password in
``app.config["IRON_SESSION_PASSWORD"]``, or any option passed directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from operator import is_
from typing import TYPE_CHECKING, Any, NoReturn, cast

from flask import Flask, Request, Response
from flask.sessions import NullSession, SessionInterface, SessionMixin

from iron_fast.cookies import ResponseJar
from iron_fast.errors import ConfigError
from iron_fast.session import IronSession
from iron_fast.session_config import (
    OPTION_NAMES,
    Password,
    SessionConfig,
    SessionOptions,
    config_for,
    with_lifetime,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["IronFlaskSession", "IronSessionInterface"]

# Each option but the cookie name (Flask's SESSION_COOKIE_NAME) is also
# read from app.config as IRON_SESSION_<NAME>: (option, setting) pairs,
# spelled once here rather than on every request.
_CONFIG = tuple(
    (name, f"IRON_SESSION_{name.upper()}")
    for name in sorted(OPTION_NAMES - {"cookie_name"})
)
# Flask settings that ask for something iron-session does not do by
# default. Flask's own defaults (no Secure, no SameSite) are not applied,
# so an app that sets none of them writes iron-session's exact cookie.
_ASKS = (
    ("SESSION_COOKIE_DOMAIN", "domain"),
    ("SESSION_COOKIE_SECURE", "secure"),
    ("SESSION_COOKIE_PARTITIONED", "partitioned"),
    ("SESSION_COOKIE_SAMESITE", "samesite"),
)
# Every setting the configuration is compiled from (_options_of).
_SETTINGS = (
    "SESSION_COOKIE_NAME",
    *(setting for _, setting in _CONFIG),
    "SESSION_COOKIE_PATH",
    "APPLICATION_ROOT",
    "SESSION_COOKIE_HTTPONLY",
    *(setting for setting, _ in _ASKS),
)
# Values that cannot change in place: a setting still holding the same
# one compiles to the same configuration.
_IMMUTABLE = frozenset({str, int, bool, float, timedelta, type(None)})


class IronFlaskSession(IronSession, SessionMixin):
    """``flask.session``: an IronSession with Flask's ``permanent``
    (``accessed`` is set by Flask's request context, from Flask 3.1.3),
    and Flask's ``modified`` rule: ``pop()`` counts even for a missing key,
    as in its SecureCookieSession."""

    def pop(self, key: str, *default: Any) -> Any:
        self.accessed = self.modified = True
        return super().pop(key, *default)


class _NoPasswordSession(NullSession):
    """Flask's session when no secret is set: readable and empty, and an
    error naming the setting on any write."""

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(
            "The session is unavailable because no password was set: set "
            "app.config['IRON_SESSION_PASSWORD'] (a secret of 32+ "
            "characters, or {id: secret}), or pass password="
        )

    __setitem__ = __delitem__ = clear = pop = popitem = _fail
    update = setdefault = _fail


class IronSessionInterface(SessionInterface):
    """Options as ``get_iron_session`` takes them; each one not passed is
    read from ``app.config`` as ``IRON_SESSION_<NAME>``
    (``IRON_SESSION_PASSWORD``, required there or here;
    ``IRON_SESSION_TTL``, ``IRON_SESSION_COOKIE_OPTIONS``, ...), and
    ``SESSION_COOKIE_NAME`` for ``cookie_name``; or ``config=`` a whole
    SessionConfig (e.g. ``iron_fast.h3.h3_config``), the settings then
    unread. Like Flask, it reads the
    settings on every request (the configuration they compile to is
    built once and cached), so a changed setting takes effect at the next
    request; a bad option fails there, naming itself.

    Differences from Flask's session, kept for Node interop: the data is
    plain JSON, so tuples come back as lists (``get_flashed_messages(
    with_categories=True)`` gives ``[category, message]`` pairs),
    ``Markup`` as ``str``, and bytes, datetimes or UUIDs are refused with
    a SerializationError naming them (store ``isoformat()`` or ``str()``)."""

    session_class = IronFlaskSession
    null_session_class = _NoPasswordSession

    def __init__(
        self,
        password: Password | None = None,
        /,
        *,
        config: SessionConfig | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        if config is not None and (password is not None or options):
            raise TypeError("pass a SessionConfig or options, not both")
        # A configuration built elsewhere (h3_config, a shared one): used
        # as it is, the app's settings unread.
        self._config = config
        unknown = options.keys() - OPTION_NAMES
        if unknown:
            raise TypeError(
                f"unknown session option(s): {', '.join(sorted(unknown))}"
            )
        given: dict[str, Any] = {"password": password, **options}
        # password= as a keyword lands in options: either spelling works.
        self._options = {k: v for k, v in given.items() if v is not None}
        # The settings the last configuration was compiled from, and it:
        # only when no value it came from can change in place.
        self._compiled: tuple[tuple[Any, ...], SessionConfig] | None = None
        self._may_remember = _immutable(self._options.values())

    def __reduce_ex__(self, protocol: object) -> Any:
        # It holds the password: a pickle would write it out in clear.
        raise TypeError("an IronSessionInterface holds the password")

    def config(self, app: Flask) -> SessionConfig:
        """The app's configuration as its settings stand now (its
        revocation store not checked: Quart's adapter shares this)."""
        if self._config is not None:
            return self._config
        # Flask reads its settings on every request; building the
        # options and config_for's key from them is most of that cost, so
        # a request whose settings are the very objects the last one
        # compiled skips it.
        settings = tuple(map(app.config.get, _SETTINGS))
        compiled = self._compiled
        if compiled is not None and all(map(is_, settings, compiled[0])):
            return compiled[1]
        config = config_for(self._options_of(app))
        if self._may_remember and _immutable(settings):
            self._compiled = (settings, config)
        return config

    def _checked_config(self, app: Flask) -> SessionConfig:
        config = self.config(app)
        config.codec.check_store_client(is_async=False, adapter="Flask")
        return config

    def configs(self, app: Flask) -> tuple[SessionConfig, SessionConfig]:
        """``config(app)``, and the one for permanent sessions (``ttl`` =
        ``PERMANENT_SESSION_LIFETIME``), which only a permanent session's
        save needs."""
        config = self._checked_config(app)
        lifetime = app.permanent_session_lifetime
        if self._config is not None:
            seconds = int(lifetime.total_seconds())
            if config.ttl == seconds:
                return config, config
            return config, with_lifetime(config, seconds)
        if timedelta(seconds=config.ttl) == lifetime:
            return config, config
        return config, config_for({**self._options_of(app), "ttl": lifetime})

    def _password_of(self, app: Flask) -> Any:
        if self._config is not None:
            return self._config.password
        password = self._options.get("password")
        if password is None:
            password = app.config.get("IRON_SESSION_PASSWORD")
        return password

    def _options_of(self, app: Flask) -> dict[str, Any]:
        conf = app.config
        options = {"cookie_name": conf["SESSION_COOKIE_NAME"]}
        for name, setting in _CONFIG:
            value = conf.get(setting)
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
        return options

    def open_session(
        self, app: Flask, request: Request
    ) -> IronFlaskSession | None:
        if self._password_of(app) is None:
            return None  # Flask then makes a null session
        codec = self._checked_config(app).codec
        header = codec.config.header
        jar = ResponseJar(
            request.environ.get("HTTP_COOKIE"),
            None if header is None else request.headers.get(header),
        )
        return IronFlaskSession(jar, codec, *codec.load(jar))

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        iron = cast(IronFlaskSession, session)
        jar = cast(ResponseJar, iron.jar)
        accessed = iron.accessed  # before should_set_cookie() reads it
        if not iron:
            if iron.modified:
                # Flask's rule: an emptied session deletes the cookie,
                # whether or not this request sent it.
                jar.lines.clear()
                iron.config.codec.destroy(jar)
        elif self.should_set_cookie(app, iron):
            if iron.permanent:
                iron.update_config(self.configs(app)[1])
            modified = iron.modified
            iron.save()
            iron.modified = modified  # Flask leaves it as the view left it
        header = iron.config.header
        sent = jar.response_headers(header)
        if accessed or sent:
            _vary_by_session(response, header)
        for name, value in sent:
            response.headers.add(name, value)


def _immutable(values: Iterable[Any]) -> bool:
    return all(type(value) in _IMMUTABLE for value in values)


def _vary_by_session(response: Response, header: str | None) -> None:
    """``Vary: Cookie`` (and the session ``header``) on ``response``.
    A response with no Vary yet gets the header written once, as
    ``response.vary`` would write it; only an existing one is merged
    through ``response.vary`` (which parses it into a set, and writes it
    back at each addition). ``getlist``, because Werkzeug answers a
    missing header to ``in`` or ``get`` by raising an HTTP error
    internally."""
    if not response.headers.getlist("Vary"):
        response.headers.add(
            "Vary", "Cookie" if header is None else f"Cookie, {header}"
        )
        return
    response.vary.add("Cookie")
    if header is not None:
        response.vary.add(header)
