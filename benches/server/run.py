# SPDX-License-Identifier: MIT
"""Requests per second under real servers: each app of ``APPS`` runs in
its own server process, wrk drives it on loopback; prints JSON.

    .venv/bin/python benches/server/run.py [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

HERE = Path(__file__).resolve().parent
BENCHES = HERE.parent
sys.path.insert(0, str(BENCHES))

from payloads import PAYLOADS  # noqa: E402

MODES = ("modify", "read")
# (server, framework, variants): every app runs in both modes.
APPS = (
    ("uvicorn", "starlette", ("bare", "native", "iron_fast")),
    ("gunicorn", "flask", ("bare", "native", "iron_fast")),
    ("uvicorn", "litestar", ("bare", "native", "iron_fast")),
    ("gunicorn", "falcon", ("bare", "iron_fast")),  # no session of its own
    ("node", "node", ("iron-session-9",)),
)
CONNECTIONS = 16


def _command(server: str, port: int) -> list[str]:
    if server == "uvicorn":  # one worker, the fast loop and parser
        return [
            sys.executable, "-m", "uvicorn", "apps:served", "--factory",
            "--host", "127.0.0.1", f"--port={port}", "--workers=1",
            "--loop=uvloop", "--http=httptools", "--no-access-log",
            "--log-level=warning",
        ]  # fmt: skip
    if server == "gunicorn":
        command = [
            sys.executable, "-m", "gunicorn", "apps:served()",
            f"--bind=127.0.0.1:{port}", "--workers=1",
            "--worker-class=sync", "--log-level=warning",
        ]  # fmt: skip
        if _version("gunicorn") >= (25, 1):
            # Its control socket has one path per user: the gunicorns
            # this bench runs side by side would take each other's.
            command.append("--no-control-socket")
        return command
    return ["node", str(HERE / "node_server.mjs")]


def _version(package: str) -> tuple[int, ...]:
    """``package``'s release numbers (``27.0.1`` -> ``(27, 0, 1)``)."""
    release = re.match(r"[0-9]+(\.[0-9]+)*", metadata.version(package))
    if release is None:
        return ()
    return tuple(int(part) for part in release[0].split("."))


class App:
    """One app under its server: started, primed, checked, measured."""

    def __init__(
        self, server: str, framework: str, variant: str, mode: str
    ) -> None:
        self.name = f"{framework} {variant} {mode}"
        self.key = (framework, variant, mode)
        self.port = _free_port()
        env = {
            **os.environ,
            "BENCH_APP": self.name,
            "BENCH_MODE": mode,
            "BENCH_PASSWORD": os.environ["BENCH_PASSWORD"],
            "BENCH_PAYLOAD": json.dumps(PAYLOADS["100B"]),
            "PORT": str(self.port),
            "PYTHONPATH": str(BENCHES),
        }
        self.process = subprocess.Popen(
            _command(server, self.port), cwd=BENCHES, env=env
        )
        self.runs: list[dict[str, float]] = []

    def start(self) -> None:
        """Waits for the server; takes the cookie /prime sets (for an app
        with no session, the iron seal of the same session: what a browser
        sends it anyway); checks that ``/`` reads it."""
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1):
                    break
            except OSError:
                if time.monotonic() > deadline or self.process.poll():
                    raise RuntimeError(f"{self.name}: no server") from None
                time.sleep(0.1)
        _framework, variant, mode = self.key
        if variant == "bare":
            from iron_fast import seal_data

            session = {**PAYLOADS["100B"], "count": 1}
            seal = seal_data(session, password=os.environ["BENCH_PASSWORD"])
            self.cookie = f"session={seal}"
        else:
            _, headers = self.get("/prime", None)
            self.cookie = headers["set-cookie"].split(";", 1)[0]
        body, headers = self.get("/", self.cookie)
        # The count: 1 in the cookie (none read by a bare app), +1 to modify
        expected = str((variant != "bare") + (mode == "modify"))
        modifies = mode == "modify" and variant != "bare"
        if body != expected or (modifies and "set-cookie" not in headers):
            raise AssertionError(f"{self.name}: {body!r}, {headers}")

    def get(self, path: str, cookie: str | None) -> tuple[str, Any]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if cookie:
            request.add_header("Cookie", cookie)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode(), response.headers

    def drive(self, seconds: int) -> dict[str, float]:
        """wrk for ``seconds``: req/s, latency percentiles, and the CPU
        time the server's processes spent per request (which, unlike
        req/s, hardly moves when other work shares the cores)."""
        cpu = _cpu_seconds(self.process.pid)
        done = subprocess.run(
            [
                "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s",
                "--latency", "-H", f"Cookie: {self.cookie}",
                f"http://127.0.0.1:{self.port}/",
            ],
            capture_output=True, text=True, check=True,
            timeout=seconds + 30,
        )  # fmt: skip
        cpu = _cpu_seconds(self.process.pid) - cpu
        found = _parse_wrk(self.name, done.stdout)
        found["cpu_s"] = cpu / found.pop("requests")
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (a
    gunicorn worker), from /proc (Linux)."""
    task = Path(f"/proc/{pid}/task/{pid}")
    children = (task / "children").read_text().split()
    stat = (task / "stat").read_text().rsplit(")", 1)[1].split()
    own = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(int(child)) for child in children)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def _parse_wrk(name: str, out: str) -> dict[str, float]:
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{name}: wrk saw errors:\n{out}")
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    latency = re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", out)
    count = re.search(r"(\d+) requests in", out)
    if rate is None or count is None or len(latency) != 2:
        raise RuntimeError(f"{name}: unexpected wrk output:\n{out}")
    found = {"req_s": float(rate[1]), "requests": float(count[1])}
    for pct, value, unit in latency:
        found[f"p{pct}_s"] = float(value) * _UNITS[unit]
    return found


def measure(seconds: int, rounds: int) -> dict[str, Any]:
    """Every app up at once (an idle server costs nothing), then rounds in
    which each app is driven in turn, the order rotating, so that a slow
    spell of the machine hits every app alike: per app, req/s round by
    round and the medians."""
    os.environ.setdefault("BENCH_PASSWORD", os.urandom(24).hex())
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    interop = BENCHES.parent / "tests" / "interop" / "node_modules"
    plan = [
        (server, framework, variant, mode)
        for server, framework, variants in APPS
        if server != "node" or (interop / "iron-session-9").is_dir()
        for variant in variants
        for mode in MODES
    ]
    apps = [App(*row) for row in plan]
    try:
        for app in apps:
            app.start()
            app.drive(1)  # warm-up
        for turn in range(rounds):
            shift = turn % len(apps)
            for app in apps[shift:] + apps[:shift]:
                app.runs.append(app.drive(seconds))
    finally:
        for app in apps:
            app.stop()
    return {
        "seconds": seconds,
        "rounds": rounds,
        "connections": CONNECTIONS,
        "wrk": subprocess.run(
            ["wrk", "-v"], capture_output=True, text=True
        ).stdout.split(" [")[0],
        "apps": {
            app.name: {
                "runs": [run["req_s"] for run in app.runs],
                **{
                    key: median(run[key] for run in app.runs)
                    for key in ("req_s", "p50_s", "p99_s", "cpu_s")
                },
            }
            for app in apps
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    json.dump(measure(args.seconds, args.rounds), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
