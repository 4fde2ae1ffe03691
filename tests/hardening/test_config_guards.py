# SPDX-License-Identifier: MIT
"""Configuration guards: one password policy for every entry point (32+
characters; a password is not refused for being published), and an
insecure configuration warns (IronFastWarning) unless it says it is
deliberate."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from iron_fast import (
    PasswordConfigError,
    Sealer,
    SessionConfig,
    seal_data,
    unseal_data,
)
from iron_fast.errors import IronFastWarning
from tests.conftest import load_file

ROOT = Path(__file__).resolve().parents[2]
GOOD = "guards-test-password-0123456789-abcdefgh"


def test_one_password_policy_for_every_entry_point() -> None:
    # Published passwords are refused by none: the session layer accepts
    # what seal_data and Sealer accept (32+ characters), so a password
    # printed anywhere is the reader's risk, and the docs print none.
    weak = "x" * 32
    config = SessionConfig(password={1: GOOD, 2: weak}, cookie_name="s")
    assert config.cookie_name == "s"
    sealed = seal_data({"a": 1}, password=weak)
    assert unseal_data(sealed, password=weak) == {"a": 1}
    assert Sealer({1: weak, 2: GOOD}).unseal(sealed) == {"a": 1}


def test_a_short_password_is_refused() -> None:
    with pytest.raises(PasswordConfigError, match="at least 32"):
        SessionConfig(password="k" * 31, cookie_name="s")


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
    demo = load_file("hardening_demo", ROOT / "examples" / "demo" / "app.py")
    with warnings.catch_warnings():
        warnings.simplefilter("error", IronFastWarning)
        demo.create_app(tmp_path / "secret")


# Letters that re.IGNORECASE lets [a-z] match outside ASCII: U+0130,
# U+0131, U+017F, U+212A. Node's cookie package refuses all four.
_LOOKALIKES = ["\u0130", "\u0131", "\u017f", "\u212a"]


@pytest.mark.parametrize("letter", _LOOKALIKES)
def test_a_non_ascii_cookie_domain_is_refused_everywhere(letter: str) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from flask import Flask

    from iron_fast import ConfigError
    from iron_fast.aiohttp import IronStorage
    from iron_fast.flask import IronSessionInterface
    from tests.test_django import django_project

    domain = f"exampl{letter}.com"
    with pytest.raises(ConfigError) as caught:
        SessionConfig(
            password=GOOD, cookie_name="s", cookie_options={"domain": domain}
        )
    assert caught.value.option == "cookie_options['domain']"
    with pytest.raises(ConfigError):
        IronStorage(GOOD, domain=domain)
    app = Flask(__name__)
    app.config.update(IRON_SESSION_PASSWORD=GOOD, SESSION_COOKIE_DOMAIN=domain)
    with pytest.raises(ConfigError):
        IronSessionInterface().configs(app)
    from iron_fast.django.conf import session_config

    with django_project(SESSION_COOKIE_DOMAIN=domain):
        session_config.cache_clear()
        with pytest.raises(ImproperlyConfigured, match="domain"):
            session_config()
    # The ASCII letters themselves still pass, in either case.
    SessionConfig(
        password=GOOD,
        cookie_name="s",
        cookie_options={"domain": "ExAmple.COM"},
    )
