# SPDX-License-Identifier: MIT
"""pytest-benchmark: the two configuration caches of the session layer,
each beside the work it saves, so that their worth is measured here:

- ``get_iron_session(jar, **options)`` (iron-session's habit: options on
  every call) reuses the SessionConfig those options compiled to, against
  building one per call (``request-options`` group);
- ``with_lifetime(config, ttl)`` (a session with its own expiry: Django's
  ``set_expiry``, aiohttp-session's ``max_age``) reuses the derived config
  (``lifetime`` group).
"""

from __future__ import annotations

from typing import Any

import pytest

from iron_fast import HeaderCookieJar, SessionConfig, get_iron_session
from iron_fast.session_config import with_lifetime

OPTIONS = {
    "password": "bench-password-0123456789-abcdefghij",
    "cookie_name": "s",
}
CONFIG = SessionConfig(**OPTIONS)


def _cookie() -> str:
    jar = HeaderCookieJar()
    session = get_iron_session(jar, CONFIG)
    session.update({"user": {"id": 1, "name": "Ada"}, "n": 1})
    session.save()
    return jar.set_cookies[0].split(";", 1)[0]


COOKIE = _cookie()


@pytest.mark.parametrize("how", ["config", "options-cached", "options-built"])
def test_get_iron_session(benchmark: Any, how: str) -> None:
    def config() -> None:
        get_iron_session(HeaderCookieJar(COOKIE), CONFIG)

    def cached() -> None:
        get_iron_session(HeaderCookieJar(COOKIE), **OPTIONS)

    def built() -> None:
        get_iron_session(HeaderCookieJar(COOKIE), SessionConfig(**OPTIONS))

    benchmark.group = "request-options"
    benchmark({"config": config, "options-cached": cached}.get(how, built))


@pytest.mark.parametrize("how", ["cached", "built"])
def test_with_lifetime(benchmark: Any, how: str) -> None:
    derive = with_lifetime if how == "cached" else with_lifetime.__wrapped__
    benchmark.group = "lifetime"
    benchmark(derive, CONFIG, 3600)
