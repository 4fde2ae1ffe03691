# SPDX-License-Identifier: MIT
"""Redis for the revocation tests: the shared server .ci/run starts
(``IRON_FAST_REDIS_URL``), and private servers a test may stop, pause or
restart, both started by ``scripts/redis.sh``.

Loaded by ``tests/conftest.py`` (``pytest_plugins``). A missing Redis
skips, or fails under ``IRON_FAST_REQUIRE_ALL=1``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_or_skip

REPO = Path(__file__).resolve().parent.parent
REDIS_SH = REPO / "scripts" / "redis.sh"
URL_VARIABLE = "IRON_FAST_REDIS_URL"


def _redis_py() -> None:
    try:
        import redis  # noqa: F401
    except ImportError:
        require_or_skip("redis-py is not installed (the `test` extra has it)")


def ping(url: str) -> bool:
    """Whether a Redis answers at ``url`` within a second."""
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=1, socket_connect_timeout=1
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of the shared Redis (``IRON_FAST_REDIS_URL``, as
    ``scripts/redis.sh start`` exports it). Tests keep apart by their
    key prefix (``redis_prefix``), never by flushing."""
    _redis_py()
    url = os.environ.get(URL_VARIABLE)
    if not url:
        require_or_skip(
            f"{URL_VARIABLE} is not set: start one with "
            '`eval "$(bash scripts/redis.sh start DIR)"`'
        )
    assert url is not None
    if not ping(url):
        require_or_skip(f"no Redis answers at {URL_VARIABLE}")
    return url


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own."""
    return f"iron-test:{uuid.uuid4().hex[:12]}:"


class RedisServer:
    """A redis-server of one test's own (AOF on, loopback): it may be
    paused (SIGSTOP: a hung server), resumed, stopped and restarted on the
    same port, with the same data directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.url = ""
        self.port = ""

    def start(self) -> None:
        args = ["bash", str(REDIS_SH), "start", str(self.directory)]
        if self.port:
            args.append(self.port)
        out = subprocess.run(
            args, check=True, capture_output=True, text=True, timeout=30
        ).stdout
        self.url = out.strip().partition("=")[2]
        self.port = self.url.rsplit(":", 1)[1].split("/", 1)[0]

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(REDIS_SH), "stop", str(self.directory)],
            check=True,
            timeout=30,
        )

    @property
    def pid(self) -> int:
        return int((self.directory / "redis.pid").read_text())

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server, stopped at the end of the test."""
    _redis_py()
    if shutil.which("redis-server") is None:
        require_or_skip(
            "redis-server is not installed (apt-get install redis-server)"
        )
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()
