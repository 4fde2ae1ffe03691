# SPDX-License-Identifier: MIT
"""Revocation across processes: two uvicorn servers (tests/revocation_app)
sharing one real Redis, and the same app under load while Redis hangs,
stops and comes back.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.redis_fixtures import RedisServer
from tests.served import ServerProcess, free_port

REPO = Path(__file__).resolve().parent.parent
CACHE_TTL = 1.0
TIMEOUT = 0.25
# Slack for a loaded 2-core machine, over the bounds the contract gives:
# the cache_ttl + 0.5 s for staleness, and timeout + this margin
# for the slowest request while Redis hangs.
STALE_MARGIN = 0.5
SLOW_MARGIN = 2.0


class Server:
    """``uvicorn tests.revocation_app:app`` on a loopback port, and an
    HTTP client of it."""

    def __init__(self, env: dict[str, str]) -> None:
        import httpx

        port = free_port()
        self.process = ServerProcess(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.revocation_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            port=port,
            ready_path="/health",
        )
        self.client = httpx.Client(base_url=self.process.url, timeout=10)

    def get(self, path: str, cookie: str | None = None) -> Any:
        headers = {"Cookie": f"sid={cookie}"} if cookie else {}
        self.client.cookies.clear()
        return self.client.get(path, headers=headers)

    def login(self, subject: str) -> str:
        response = self.get(f"/login?sub={subject}")
        line = response.headers["set-cookie"]
        return str(line.split(";", 1)[0].split("=", 1)[1])

    def stop(self) -> None:
        self.client.close()
        self.process.stop()


@pytest.fixture
def servers() -> Iterator[Callable[..., Server]]:
    pytest.importorskip("uvicorn")
    started: list[Server] = []

    def start(**env: str) -> Server:
        server = Server(env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def wait_until_refused(server: Server, cookie: str, deadline: float) -> float:
    """Poll until ``server`` refuses ``cookie``; the time it took."""
    while True:
        body = server.get("/me", cookie).json()
        if body["data"] == {}:
            assert body["reasons"] == ["revoked"], body
            return time.monotonic()
        assert time.monotonic() < deadline, "still accepted"
        time.sleep(0.02)


def test_two_servers_share_revocations(
    servers: Callable[..., Server], redis_url: str, redis_prefix: str
) -> None:
    env = {
        "IRON_FAST_REDIS_URL": redis_url,
        "REVOCATION_PREFIX": redis_prefix,
        "REVOCATION_CACHE_TTL": str(CACHE_TTL),
    }
    a, b = servers(**env), servers(**env)
    # Log in on A, read on B.
    cookie = a.login("42")
    assert b.get("/me", cookie).json() == {
        "data": {"user": "42"},
        "reasons": [],
    }
    # Every session of subject 42, ended on A: B refuses it within its
    # cache_ttl (its answer for this cookie is at most that old).
    assert a.get("/revoke-subject?sub=42").status_code == 200
    revoked_at = time.monotonic()
    assert a.get("/me", cookie).json()["data"] == {}  # A: at once
    refused_at = wait_until_refused(
        b, cookie, revoked_at + CACHE_TTL + STALE_MARGIN
    )
    assert refused_at - revoked_at <= CACHE_TTL + STALE_MARGIN
    # A logout on A: the copy of the cookie is refused on both.
    other = b.login("7")
    assert a.get("/me", other).json()["data"] == {"user": "7"}
    assert b.get("/me", other).json()["data"] == {"user": "7"}
    logout = a.get("/logout", other)
    assert "Max-Age=0" in logout.headers["set-cookie"]
    logged_out_at = time.monotonic()
    assert a.get("/me", other).json() == {"data": {}, "reasons": ["revoked"]}
    wait_until_refused(b, other, logged_out_at + CACHE_TTL + STALE_MARGIN)
    # A new login of the revoked subject is valid again, on both.
    fresh = b.login("42")
    assert a.get("/me", fresh).json()["data"] == {"user": "42"}


def test_redis_faults_under_load(
    servers: Callable[..., Server],
    redis_server: RedisServer,
    redis_prefix: str,
) -> None:
    env = {
        "IRON_FAST_REDIS_URL": redis_server.url,
        "REVOCATION_PREFIX": redis_prefix,
        "REVOCATION_CACHE_TTL": "0.2",
        "REVOCATION_TIMEOUT": str(TIMEOUT),
    }
    deny = servers(**env, REVOCATION_ON_ERROR="deny")
    allow = servers(**env, REVOCATION_ON_ERROR="allow")
    good = deny.login("1")
    revoked = deny.login("2")
    deny.get("/logout", revoked)
    cookies = {
        "good": good,
        "revoked": revoked,
        "garbage": "Fe26.2*x",
        "none": "",
    }

    def load(phase: str) -> list[tuple[str, str, str, int, float, Any]]:
        jobs = [
            (name, kind)
            for _ in range(10)
            for name in ("deny", "allow")
            for kind in cookies
        ]

        def one(job: tuple[str, str]) -> tuple[Any, ...]:
            name, kind = job
            server = deny if name == "deny" else allow
            start = time.monotonic()
            response = server.get("/me", cookies[kind] or None)
            elapsed = time.monotonic() - start
            data = (
                response.json()["data"]
                if response.status_code == 200
                else None
            )
            return phase, name, kind, response.status_code, elapsed, data

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(one, jobs))

    results = load("up")
    redis_server.pause()  # hung: every store call waits for its timeout
    time.sleep(0.3)  # past cache_ttl: the answers must be asked again
    results += load("hung")
    redis_server.resume()
    redis_server.stop()  # down: connections refused
    results += load("down")
    redis_server.start()  # same port, same data directory (AOF)
    time.sleep(0.3)
    results += load("back")

    assert all(r[3] == 200 for r in results), "a 5xx under a Redis fault"
    slowest = max(r[4] for r in results)
    assert slowest < TIMEOUT + SLOW_MARGIN, slowest

    def data(phase: str, name: str, kind: str) -> list[Any]:
        return [r[5] for r in results if r[:3] == (phase, name, kind)]

    session = {"user": "1"}
    for phase in ("up", "back"):
        for name in ("deny", "allow"):
            assert data(phase, name, "good") == [session] * 10
            # The revocation from before the restart still holds (AOF).
            assert data(phase, name, "revoked") == [{}] * 10
    for phase in ("hung", "down"):
        assert data(phase, "deny", "good") == [{}] * 10
        assert data(phase, "allow", "good") == [session] * 10
    for phase in ("up", "hung", "down", "back"):
        for name in ("deny", "allow"):
            assert data(phase, name, "garbage") == [{}] * 10
            assert data(phase, name, "none") == [{}] * 10
