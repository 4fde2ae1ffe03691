# SPDX-License-Identifier: MIT
"""A server process on a loopback port, for the tests that drive a real
server over HTTP (the demo, the shared cookie's two services, the
revocation app under uvicorn)."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

# Generous: a loaded 2-core machine starts a Python server slowly.
START_TIMEOUT = 30.0


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``argv`` started in ``cwd`` with ``env`` added to the environment,
    ready once ``ready_path`` on ``port`` answers over HTTP (any status);
    a server that exits or stays silent fails the test with its output,
    which is kept in a temporary file."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        port: int,
        ready_path: str = "/",
    ) -> None:
        import httpx

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                httpx.get(self.url + ready_path, timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        output = self.stop()
        pytest.fail(f"{list(argv)} did not start:\n{output[-4000:]}")

    def output(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> str:
        """Stop the server (terminated, killed after 10 s) and return its
        output; the log is then closed, so call it once."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        text = self.output()
        self.log.close()
        return text
