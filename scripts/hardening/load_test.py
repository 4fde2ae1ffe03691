#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The load test of HARDENING.md: the demo app (examples/demo/app.py)
under a real uvicorn server, driven from this process over loopback by a
bounded asyncio HTTP/1.1 client (keep-alive connections), with malformed,
tampered, expired and foreign-password cookies mixed in with genuine
ones. Every answer is checked: a genuine cookie must show its own user
and counter (and POST /count must send back a seal of counter + 1), any
other must show the login form and set nothing. Reports throughput and
latency, and fails on any 5xx, wrong session or connection error.

Bounded in requests and in time, and only ever on 127.0.0.1.

Usage: .venv/bin/python scripts/hardening/load_test.py
    [--requests N] [--seconds S] [--connections C]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import iron_fast

ROOT = Path(__file__).resolve().parents[2]
COOKIE = "iron_fast_demo"
HOST = "127.0.0.1"
USERS = 500


@dataclass(frozen=True)
class Case:
    kind: str
    method: str
    cookie: str | None
    user: int | None  # the genuine session's user, if any


def make_cases(password: str, rng: random.Random) -> list[Case]:
    seal = lambda data, **kw: iron_fast.seal(data, password=password, **kw)  # noqa: E731
    genuine = [seal({"user": f"user-{i}", "count": i}) for i in range(USERS)]
    other = "another-password-not-the-servers-0123456789"
    cases: list[Case] = []
    for i, value in enumerate(genuine):
        cases += [Case("genuine", "GET", f"{COOKIE}={value}", i)] * 12
        cases.append(Case("genuine", "POST", f"{COOKIE}={value}", i))
        cases.append(Case("genuine", "POST", f"{COOKIE}={value}", i))
        half = len(value) // 2  # chunks: read whatever the chunk setting
        chunked = f"{COOKIE}.0={value[:half]}; {COOKIE}.1={value[half:]}"
        cases.append(Case("genuine", "GET", f"a=1; {chunked}", i))
        at = rng.randrange(len(value) - 2)
        char = "A" if value[at] != "A" else "B"
        tampered = value[:at] + char + value[at + 1 :]
        cases += [Case("tampered", "GET", f"{COOKIE}={tampered}", None)] * 2
        cases.append(Case("tampered", "POST", f"{COOKIE}={tampered}", None))
        junk = rng.choice(
            [
                value[: rng.randrange(len(value) - 3)],
                "Fe26.2*1*" + secrets.token_urlsafe(rng.randrange(1, 300)),
                secrets.token_hex(rng.randrange(1, 1800)),
                f'"{value}"',
                "%E0%A4%A" + value,
                "Fe26.2" + "*" * rng.randrange(1, 12),
                "~2",
                "",
            ]
        )
        cases += [Case("malformed", "GET", f"{COOKIE}={junk}", None)] * 2
        cases.append(Case("malformed", "GET", None, None))
        expired = seal(
            {"user": f"user-{i}", "count": i},
            ttl=60,
            localtime_offset_ms=-(10**8),
        )
        cases.append(Case("expired", "GET", f"{COOKIE}={expired}", None))
        foreign = iron_fast.seal(
            {"user": f"user-{i}", "count": i}, password=other
        )
        cases.append(Case("foreign", "GET", f"{COOKIE}={foreign}", None))
    rng.shuffle(cases)
    return cases


LOGGED_IN = re.compile(
    rb"Logged in as <strong>user-(\d+)</strong>"
    rb".*?<output id=\"count\">(\d+)</output>",
    re.DOTALL,
)


def verdict(
    case: Case, status: int, headers: list[bytes], body: bytes, password: str
) -> str:
    """'' when the answer is right, else what is wrong with it."""
    if status >= 500:
        return "5xx"
    set_cookies = [
        h.split(b":", 1)[1].strip()
        for h in headers
        if h.lower().startswith(b"set-cookie:")
    ]
    if case.method == "GET":
        if status != 200:
            return f"status {status}"
        found = LOGGED_IN.search(body)
        if case.user is None:
            return (
                ""
                if found is None and b"Log in</button>" in body
                else "wrong session"
            )
        if (
            found is None
            or int(found.group(1)) != case.user
            or int(found.group(2)) != case.user
        ):
            return "wrong session"
        return ""
    if status != 303:
        return f"status {status}"
    if case.user is None:
        return "" if not set_cookies else "wrong session (cookie set)"
    for line in set_cookies:
        name, _, rest = line.decode("latin-1").partition("=")
        if name == COOKIE:
            data = iron_fast.unseal_data(
                rest.split(";", 1)[0], password=password
            )
            want = {"user": f"user-{case.user}", "count": case.user + 1}
            return "" if data == want else "wrong session (saved)"
    return "wrong session (not saved)"


async def client(
    port: int,
    cases: list[Case],
    deadline: float,
    budget: list[int],
    results: Counter[str],
    latencies: list[float],
    password: str,
    rng: random.Random,
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while budget[0] > 0 and time.monotonic() < deadline:
            budget[0] -= 1
            case = rng.choice(cases)
            path = "/" if case.method == "GET" else "/count"
            head = f"{case.method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            if case.cookie is not None:
                head += f"Cookie: {case.cookie}\r\n"
            if case.method == "POST":
                head += "Content-Length: 0\r\n"
            started = time.perf_counter()
            writer.write((head + "\r\n").encode("latin-1"))
            status_line = await reader.readline()
            headers = []
            while (line := await reader.readline()) not in (b"\r\n", b""):
                headers.append(line.rstrip(b"\r\n"))
            length = 0
            for line in headers:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length) if length else b""
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1])
            wrong = verdict(case, status, headers, body, password)
            results[f"{case.kind} {case.method}"] += 1
            results[f"status {status}"] += 1
            if wrong:
                results[f"FAIL {wrong} ({case.kind} {case.method})"] += 1
    finally:
        writer.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for(
    port: int, proc: subprocess.Popen[bytes], timeout: float = 30
) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


async def drive(
    port: int, cases: list[Case], args: argparse.Namespace, password: str
) -> tuple[Counter[str], list[float], float]:
    results: Counter[str] = Counter()
    latencies: list[float] = []
    budget = [args.requests]
    started = time.monotonic()
    deadline = started + args.seconds
    await asyncio.gather(
        *(
            client(
                port,
                cases,
                deadline,
                budget,
                results,
                latencies,
                password,
                random.Random(i),
            )
            for i in range(args.connections)
        )
    )
    return results, latencies, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    password = secrets.token_urlsafe(32)
    rng = random.Random(7)
    cases = make_cases(password, rng)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        secret_file = Path(tmp) / "secret"
        secret_file.write_text(password + "\n")
        secret_file.chmod(0o600)
        env = {**os.environ, "IRON_FAST_DEV_SECRET_FILE": str(secret_file)}
        server = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "--factory",
                "examples.demo.app:create_app", "--host", HOST,
                "--port", str(port), "--log-level", "warning",
                "--no-access-log",
            ],
            cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(port, server)
            results, latencies, elapsed = asyncio.run(
                drive(port, cases, args, password)
            )
        finally:
            server.terminate()
            try:
                output = server.communicate(timeout=10)[0]
            except subprocess.TimeoutExpired:
                server.kill()
                output = server.communicate()[0]
    latencies.sort()
    done = len(latencies)
    failures = {k: v for k, v in results.items() if k.startswith("FAIL")}
    fives = sum(v for k, v in results.items() if k.startswith("status 5"))
    print(
        f"{done:,} requests in {elapsed:.1f} s over {args.connections} "
        f"connections: {done / elapsed:,.0f} requests/s"
    )
    print(
        f"latency p50 {latencies[done // 2] * 1e3:.2f} ms, "
        f"p99 {latencies[int(done * 0.99)] * 1e3:.2f} ms, "
        f"max {latencies[-1] * 1e3:.1f} ms"
    )
    for key in sorted(results):
        if not key.startswith("FAIL"):
            print(f"  {results[key]:>8,}  {key}")
    print(f"5xx: {fives}, wrong sessions: {sum(failures.values())}")
    for key, value in sorted(failures.items()):
        print(f"  {value:>8,}  {key}")
    server_errors = [
        line
        for line in output.decode("utf-8", "replace").splitlines()
        if "Traceback" in line or "ERROR" in line
    ]
    if server_errors:
        print(
            f"server log: {len(server_errors)} error lines, "
            f"first: {server_errors[0]}"
        )
    return 1 if failures or fives or server_errors or done == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
