# SPDX-License-Identifier: MIT
"""Shared pytest fixtures and helpers.

Keep this file small and additive: other test modules share it.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TESTS_DIR = Path(__file__).resolve().parent
INTEROP_DIR = TESTS_DIR / "interop"
# The Redis fixtures (redis_url, redis_server) of the revocation tests.
pytest_plugins = ("tests.redis_fixtures",)


def load_file(name: str, path: Path) -> ModuleType:
    """The Python file at ``path`` run as a fresh module ``name``: the
    examples and benches/ are not packages. It is registered in
    sys.modules, where dataclasses look up their module's names."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def require_or_skip(reason: str) -> None:
    """Skip the current test with ``reason``, unless the environment asks
    for every test to run (``IRON_FAST_REQUIRE_ALL=1``, as CI does): then
    a missing prerequisite is a failure, not a skip."""
    if os.environ.get("IRON_FAST_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (and IRON_FAST_REQUIRE_ALL=1)", pytrace=False)
    pytest.skip(reason)


class PeerError(RuntimeError):
    """The Node peer died, timed out or answered garbage."""


class NodePeer:
    """Client of ``tests/interop/peer.mjs`` (JSON lines over stdin/stdout).

    Thread-safe; a reader thread collects answers by id, so requests may
    be pipelined with :meth:`batch`.
    """

    TIMEOUT = 60.0

    def __init__(self, node: str) -> None:
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [node, str(INTEROP_DIR / "peer.mjs")],
            cwd=INTEROP_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            encoding="utf-8",
            bufsize=1,
        )
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        self._cond = threading.Condition()
        self._answers: dict[int, dict[str, Any]] = {}
        self._eof = False
        self.versions: dict[str, str] = {}
        self._reader = threading.Thread(
            target=self._read, name="node-peer-reader", daemon=True
        )
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                answer = json.loads(line)
            except ValueError:
                continue  # not ours; requests time out rather than hang
            with self._cond:
                self._answers[answer.get("id")] = answer
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def _send(self, request: dict[str, Any]) -> int:
        rid = next(self._ids)
        line = json.dumps({**request, "id": rid}, ensure_ascii=True)
        assert self._proc.stdin is not None
        try:
            with self._write_lock:
                self._proc.stdin.write(line + "\n")
                self._proc.stdin.flush()
        except OSError as exc:
            msg = f"node peer is gone: {exc}\n{self._stderr_text()}"
            raise PeerError(msg) from exc
        return rid

    def _wait(self, rid: int) -> dict[str, Any]:
        with self._cond:
            done = self._cond.wait_for(
                lambda: rid in self._answers or self._eof, self.TIMEOUT
            )
            if rid in self._answers:
                return self._answers.pop(rid)
        what = "exited" if done else f"did not answer in {self.TIMEOUT}s"
        raise PeerError(f"node peer {what}\n{self._stderr_text()}")

    def request(self, **request: Any) -> dict[str, Any]:
        """Send one raw request (see peer.mjs) and return the raw answer."""
        return self._wait(self._send(request))

    def batch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Pipeline raw requests; answers in request order."""
        return [self._wait(rid) for rid in [self._send(r) for r in requests]]

    @staticmethod
    def _seal_request(
        lib: str, data: Any, password: Any, ttl: int | None, extra: dict
    ) -> dict[str, Any]:
        req = {
            "op": "seal",
            "lib": lib,
            "password": password,
            "data_json": json.dumps(data, ensure_ascii=True, allow_nan=False),
            **extra,
        }
        if ttl is not None:
            req["ttl"] = ttl
        return req

    def seal(
        self,
        lib: str,
        data: Any,
        password: Any,
        ttl: int | None = None,
        **extra: Any,
    ) -> str:
        """``sealData`` in Node (lib: "v8", "v9" or "hapi"); raises
        PeerError if Node refuses."""
        request = self._seal_request(lib, data, password, ttl, extra)
        answer = self.request(**request)
        if not answer["ok"]:
            raise PeerError(f"{lib} seal failed: {answer['error']}")
        return answer["seal"]

    def unseal(
        self, lib: str, seal: str, password: Any, **extra: Any
    ) -> tuple[bool, Any]:
        """``unsealData`` in Node: ``(True, data)`` with data parsed by
        Python's json module, or ``(False, error message)`` if it threw."""
        answer = self.request(
            op="unseal", lib=lib, seal=seal, password=password, **extra
        )
        if answer["ok"]:
            return True, json.loads(answer["data_json"])
        return False, answer["error"]

    def stringify(self, data: Any) -> str:
        """``JSON.stringify(JSON.parse(json.dumps(data)))`` in Node."""
        text = json.dumps(data, ensure_ascii=True, allow_nan=False)
        answer = self.request(op="stringify", data_json=text)
        if not answer["ok"]:
            raise PeerError(f"stringify failed: {answer['error']}")
        return answer["data_json"]

    def close(self) -> None:
        if self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=5)
        self._stderr.close()


@pytest.fixture(scope="session")
def node_peer():
    """A running ``node tests/interop/peer.mjs`` (see tests/interop/README.md).

    Skips when Node or ``tests/interop/node_modules`` is missing, unless
    IRON_FAST_REQUIRE_ALL=1, where that is a failure."""
    node = shutil.which("node")
    if node is None:
        require_or_skip("node is not on PATH (needed for the interop tests)")
    modules = INTEROP_DIR / "node_modules"
    for pkg in ("iron-session-8", "iron-session-9", "@hapi/iron"):
        if not (modules / pkg / "package.json").is_file():
            require_or_skip(
                f"{modules / pkg} is missing: run `npm ci` in {INTEROP_DIR}"
            )
    peer = NodePeer(node)
    try:
        answer = peer.request(op="versions")
        assert answer["ok"], answer
        peer.versions = answer["versions"]
        yield peer
    finally:
        peer.close()


class SessionPeer:
    """Client of ``tests/interop/session_peer.mjs``: iron-session 9's
    ``getIronSession`` over a Cookie header (``run``), or h3's
    ``useSession`` in an h3 app (``run_h3``, ``h3_unseal``), one JSON
    request per line."""

    def __init__(self, node: str) -> None:
        self._proc = subprocess.Popen(
            [node, str(INTEROP_DIR / "session_peer.mjs")],
            cwd=INTEROP_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            encoding="utf-8",
            bufsize=1,
        )
        self._lock = threading.Lock()

    def run(
        self,
        options: dict[str, Any],
        cookie: str | None = None,
        actions: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Open a session with these options (iron-session's spelling)
        from ``cookie`` (a Cookie header), apply ``actions`` (``{"set":
        data}``, ``{"save": True}``, ``{"destroy": True}``, ...), and
        answer ``session_before`` and ``set_cookie``."""
        request = {"options": options, "cookie": cookie, "actions": actions}
        answer = self._ask(request)
        assert answer["ok"], answer.get("error")
        return answer

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        with self._lock:
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise PeerError("session_peer.mjs exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run_h3(
        self,
        version: int,
        options: dict[str, Any],
        cookie: str | None = None,
        actions: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """h3 ``version``'s ``useSession(event, options)`` in a real h3
        app, from ``cookie``, then ``actions`` (``{"update": data}``,
        ``{"clear": True}``): answers ``session_before`` and
        ``session_after`` (``{id, createdAt, data}``) and
        ``set_cookie``."""
        answer = self._ask(
            {
                "h3": version,
                "options": options,
                "cookie": cookie,
                "actions": actions,
                "headers": headers,
            }
        )
        assert answer["ok"], answer.get("error")
        return answer

    def h3_unseal(
        self, version: int, options: dict[str, Any], seal: str
    ) -> tuple[bool, Any]:
        """h3's ``unsealSession``: ``(True, value)`` or ``(False, error)``."""
        answer = self._ask({"h3": version, "options": options, "unseal": seal})
        if answer["ok"]:
            return True, answer["unsealed"]
        return False, answer["error"]

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


@pytest.fixture(scope="session")
def session_peer():
    """A running ``node tests/interop/session_peer.mjs`` (iron-session 9);
    skips without Node or its packages, unless IRON_FAST_REQUIRE_ALL=1."""
    executable = shutil.which("node")
    if executable is None:
        require_or_skip("node is not on PATH (needed for the interop tests)")
    for name in ("iron-session-9", "h3-1", "h3-2"):
        package = INTEROP_DIR / "node_modules" / name / "package.json"
        if not package.is_file():
            require_or_skip(f"{package.parent} is missing: run `npm ci` there")
    assert executable is not None
    peer = SessionPeer(executable)
    try:
        yield peer
    finally:
        peer.close()


def browser_header(
    set_cookies: list[str], jar: dict[str, str] | None = None
) -> str:
    """The Cookie header a browser sends after these Set-Cookie lines
    (Max-Age=0 deletes), starting from no cookies or from the browser's
    cookie store ``jar``, which is updated in place."""
    cookies = {} if jar is None else jar
    for line in set_cookies:
        name, value = line.split(";", 1)[0].split("=", 1)
        if "; Max-Age=0" in line:
            cookies.pop(name, None)
        else:
            cookies[name] = value
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def hazardous_config(**options: Any) -> Any:
    """``SessionConfig(**options)`` for a test that may build an unsafe one
    on purpose: the IronFastWarnings are asserted (one per hazard the
    config has, none otherwise), not left to print."""
    import warnings

    from iron_fast import IronFastWarning, SessionConfig

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IronFastWarning)
        config = SessionConfig(**options)
    assert [w.category for w in caught] == [IronFastWarning] * len(
        config.hazards
    )
    return config
