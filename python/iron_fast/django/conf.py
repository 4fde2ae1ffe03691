# SPDX-License-Identifier: MIT
"""The SessionConfig that Django settings describe: built once, and again
only when a test changes a session setting (``override_settings``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from iron_fast.errors import ConfigError
from iron_fast.session_config import SessionConfig

__all__ = ["session_config"]

_MIDDLEWARE = "iron_fast.django.middleware.SessionMiddleware"
# Applied only where the project sets them: Django's default of no Secure
# would otherwise change iron-session's cookie for every project.
_COOKIE_SETTINGS = {
    "SESSION_COOKIE_PATH": "path",
    "SESSION_COOKIE_DOMAIN": "domain",
    "SESSION_COOKIE_SECURE": "secure",
    "SESSION_COOKIE_HTTPONLY": "httponly",
    "SESSION_COOKIE_SAMESITE": "samesite",
}


@lru_cache(maxsize=1)
def session_config() -> SessionConfig:
    """``IRON_SESSION_PASSWORD`` (a secret, or ``{id: secret}``) and
    ``SESSION_COOKIE_NAME``; then ``SESSION_COOKIE_AGE`` as the ttl and
    the other ``SESSION_COOKIE_*`` settings the project sets, and
    ``SESSION_EXPIRE_AT_BROWSER_CLOSE``; then the ``IRON_SESSION`` dict
    (``ttl``, ``cookie_options``, ``chunk``, ``on_unseal_error``: a
    callable or its dotted path), which wins."""
    options = dict(getattr(settings, "IRON_SESSION", None) or {})
    cookie = {
        option: getattr(settings, name)
        for name, option in _COOKIE_SETTINGS.items()
        if settings.is_overridden(name)
    }
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        cookie["max_age"] = None
    cookie.update(options.pop("cookie_options", None) or {})
    if settings.is_overridden("SESSION_COOKIE_AGE"):
        options.setdefault("ttl", settings.SESSION_COOKIE_AGE)
    hook = options.get("on_unseal_error")
    if isinstance(hook, str):
        options["on_unseal_error"] = import_string(hook)
    if options.get("chunk") and _MIDDLEWARE not in settings.MIDDLEWARE:
        # Django's own middleware would send the whole seal as one
        # cookie, which browsers drop: a silent logout, every time.
        raise ImproperlyConfigured(
            f"IRON_SESSION['chunk'] needs {_MIDDLEWARE} in MIDDLEWARE "
            "(in place of Django's SessionMiddleware)"
        )
    misplaced = {"password", "cookie_name"} & options.keys()
    if misplaced:
        raise ImproperlyConfigured(
            f"IRON_SESSION cannot set {', '.join(sorted(misplaced))}: use "
            "the IRON_SESSION_PASSWORD and SESSION_COOKIE_NAME settings"
        )
    try:
        config = SessionConfig(
            password=getattr(settings, "IRON_SESSION_PASSWORD", None),
            cookie_name=settings.SESSION_COOKIE_NAME,
            cookie_options=cookie,
            **options,
        )
        config.codec.check_store_client(is_async=False, adapter="Django")
        return config
    except (ConfigError, TypeError) as error:
        raise ImproperlyConfigured(
            f"iron_fast.django session settings: {error}"
        ) from error


def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(("SESSION_", "IRON_SESSION")):
        session_config.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid=__name__)
