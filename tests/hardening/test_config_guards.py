# SPDX-License-Identifier: MIT
"""Configuration guards: a password printed in the documentation or the
examples is refused at start-up (through every adapter), the list of such
passwords cannot drift from the files, and an insecure configuration
warns (IronFastWarning) unless it says it is deliberate."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from iron_fast import PasswordConfigError, SessionConfig
from iron_fast._known_passwords import KNOWN_PASSWORDS
from iron_fast.errors import IronFastWarning

ROOT = Path(__file__).resolve().parents[2]
GOOD = "guards-test-password-0123456789-abcdefgh"


def _generator() -> ModuleType:
    path = ROOT / "scripts" / "hardening" / "known_passwords.py"
    if not path.is_file() or not (ROOT / "README.md").is_file():
        pytest.skip("not a source checkout (no README.md or scripts/)")
    spec = importlib.util.spec_from_file_location("known_passwords", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_list_is_what_the_documentation_holds() -> None:
    found = _generator().scan(ROOT)
    assert set(found) == KNOWN_PASSWORDS, (
        "python/iron_fast/_known_passwords.py is out of date: run "
        "python3 scripts/hardening/known_passwords.py"
    )
    # The README's own examples are in it.
    assert "complex_password_at_least_32_characters_long" in found
    assert "x" * 32 in found  # README: SessionConfig(password="x" * 32)


def test_the_scanner_finds_what_a_reader_would_copy() -> None:
    scan = _generator().literals
    text = (
        'PASSWORD = "a-new-example-secret-for-the-docs-000"\n'
        "password='another-example-secret-for-the-docs-01'\n"
        "`a-third-example-secret-for-the-docs-0002`\n"
        'SessionConfig(password="z" * 40)\n'
        '"iron_fast.django.middleware.SessionMiddleware"\n'
        '"too-short-to-be-a-password"\n'
    )
    assert scan(text) == {
        "a-new-example-secret-for-the-docs-000",
        "another-example-secret-for-the-docs-01",
        "a-third-example-secret-for-the-docs-0002",
        "z" * 40,
    }


@pytest.mark.parametrize("published", sorted(KNOWN_PASSWORDS))
def test_a_published_password_is_refused(published: str) -> None:
    for password in (published, {1: GOOD, 2: published}):
        with pytest.raises(PasswordConfigError) as caught:
            SessionConfig(password=password, cookie_name="s")
        assert published not in str(caught.value)
        assert "documentation" in str(caught.value)
        assert caught.value.option == "password"


def test_a_short_password_is_refused() -> None:
    with pytest.raises(PasswordConfigError, match="at least 32"):
        SessionConfig(password="k" * 31, cookie_name="s")


def _published() -> str:
    return "complex_password_at_least_32_characters_long"


def test_every_adapter_refuses_it_at_start_up() -> None:
    from aiohttp_session import AbstractStorage  # noqa: F401
    from django.core.exceptions import ImproperlyConfigured
    from flask import Flask
    from starlette.applications import Starlette

    from iron_fast.aiohttp import IronStorage
    from iron_fast.flask import IronSessionInterface
    from iron_fast.starlette import IronSessionMiddleware
    from tests.test_django import django_project

    with pytest.raises(PasswordConfigError):
        IronSessionMiddleware(Starlette(), password=_published())
    with pytest.raises(PasswordConfigError):
        IronStorage(_published())
    with pytest.raises(PasswordConfigError):
        # What the first request does (the app's config is read then).
        IronSessionInterface(_published()).configs(Flask(__name__))
    from iron_fast.django.conf import session_config

    with django_project(IRON_SESSION_PASSWORD=_published()):
        with pytest.raises(ImproperlyConfigured, match="documentation"):
            session_config()


def _warnings(**options: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SessionConfig(password=GOOD, cookie_name="s", **options)
    assert all(w.category is IronFastWarning for w in caught)
    return [str(w.message) for w in caught]


def test_secure_off_warns() -> None:
    (message,) = _warnings(cookie_options={"secure": False})
    assert "plain HTTP" in message and "allow_insecure=True" in message
    assert _warnings(cookie_options={"secure": None})
    assert issubclass(IronFastWarning, UserWarning)


def test_sessions_without_expiry_warn() -> None:
    (message,) = _warnings(ttl=0)
    assert "never expire" in message
    (message,) = _warnings(cookie_options={"max_age": None})
    assert "never expire" in message


def test_no_warning_when_safe_or_deliberate() -> None:
    assert _warnings() == []
    assert _warnings(cookie_options={"secure": True, "max_age": 60}) == []
    for domain in ("localhost", "app.localhost", "127.0.0.1"):
        loopback = {"secure": False, "domain": domain}
        assert _warnings(cookie_options=loopback) == []
        (message,) = _warnings(cookie_options=loopback, ttl=0)
        assert "never expire" in message
    assert (
        _warnings(cookie_options={"secure": False}, ttl=0, allow_insecure=True)
        == []
    )
    with pytest.raises(Exception, match="allow_insecure"):
        SessionConfig(password=GOOD, cookie_name="s", allow_insecure="yes")


def test_a_derived_config_warns_only_about_what_is_new() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        insecure = SessionConfig(
            password=GOOD, cookie_name="s", cookie_options={"secure": False}
        )
        insecure.replace(ttl=60)
        assert len(caught) == 1
        insecure.replace(ttl=0)
        assert len(caught) == 2 and "never expire" in str(caught[1].message)
        quiet = insecure.replace(allow_insecure=True)
        assert quiet.allow_insecure and len(caught) == 2


def test_the_demo_does_not_warn(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "hardening_demo", ROOT / "examples" / "demo" / "app.py"
    )
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IronFastWarning)
        demo.create_app(tmp_path / "secret")
