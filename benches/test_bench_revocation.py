# SPDX-License-Identifier: MIT
"""pytest-benchmark: what revocation adds to reading a session (issue 15),
``codec.load(jar)`` of a genuine cookie, group ``revocation``:

- ``none``: no lifetime options (iron-session's cookie, no store);
- ``memory``: ``MemoryRevocation`` (one process);
- ``redis-hit``: ``RedisRevocation`` answering from its local cache
  (``cache_ttl`` longer than the run), the request path users run;
- ``redis-round-trip``: ``cache_ttl=0``, so every read asks Redis (one
  pipelined call of two GETs) on loopback.

The Redis cases need a server: ``IRON_FAST_REDIS_URL`` (see
scripts/redis.sh); without it they are skipped.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from iron_fast import HeaderCookieJar, SessionConfig
from iron_fast.revocation import MemoryRevocation, RedisRevocation

PASSWORD = "bench-password-0123456789-abcdefghij"
DATA = {"user": {"id": 1, "name": "Ada"}, "n": 1}


def _store(case: str) -> Any:
    if case == "none":
        return None
    if case == "memory":
        return MemoryRevocation()
    url = os.environ.get("IRON_FAST_REDIS_URL")
    if not url:
        pytest.skip("IRON_FAST_REDIS_URL is not set (scripts/redis.sh)")
    return RedisRevocation(url, cache_ttl=0 if case.endswith("trip") else 3600)


@pytest.mark.parametrize(
    "case", ["none", "memory", "redis-hit", "redis-round-trip"]
)
def test_revocation_check(benchmark: Any, case: str) -> None:
    store = _store(case)
    options: dict[str, Any] = {"password": PASSWORD, "cookie_name": "s"}
    if store is not None:
        options["revocation"] = store
    codec = SessionConfig(**options).codec
    jar = HeaderCookieJar()
    codec.save(jar, DATA, codec.stamp(None))
    cookie = jar.set_cookies[0].split(";", 1)[0]
    request = HeaderCookieJar(cookie)
    assert codec.load(request).data == DATA  # the session is read
    benchmark.group = "revocation"
    benchmark(codec.load, request)
