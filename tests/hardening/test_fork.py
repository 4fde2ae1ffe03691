# SPDX-License-Identifier: MIT
"""Fork safety: salts and IVs never repeat between a parent and the
workers it forks, the way gunicorn and uWSGI do it (the app, and so the
Sealer and its per-thread generators, made before the fork), including a
fork from a thread whose generator is seeded and a grandchild.

``python -m tests.hardening.test_fork WORKERS SEALS`` runs a larger round
and prints the figures for HARDENING.md.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

import pytest

from iron_fast import Sealer

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
PASSWORD = "fork-test-password-0123456789-abcdefghij"


def draws(sealer: Sealer, count: int) -> list[str]:
    """The random parts of ``count`` seals: two salts and an IV each."""
    out = []
    for _ in range(count):
        fields = sealer.seal({"x": 1}).split("~", 1)[0].split("*")
        out += [fields[2], fields[6], fields[3]]
    return out


def in_child(work: Any) -> int:
    """Forks; the child runs ``work()`` and writes its JSON result to a
    pipe. Returns the read end."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's stack
        status = 1
        try:
            os.close(read)
            with os.fdopen(write, "w") as out:
                json.dump(work(), out)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return read


def collect(read: int) -> list[str]:
    with os.fdopen(read) as pipe:
        text = pipe.read()
    pid, status = os.wait()
    assert status == 0, f"worker {pid} failed"
    return list(json.loads(text))


def fork_round(workers: int, seals: int) -> dict[str, Any]:
    sealer = Sealer(PASSWORD)  # built in the master, as gunicorn's preload
    values = draws(sealer, 50)  # the master's generator is seeded
    thread_values: list[str] = []
    pipes: list[int] = []

    def seeded_thread() -> None:
        thread_values.extend(draws(sealer, 50))
        # Forked from a thread whose own generator is seeded.
        pipes.append(in_child(lambda: draws(sealer, seals)))

    thread = threading.Thread(target=seeded_thread)
    thread.start()
    thread.join()
    for index in range(workers):
        if index == 0:  # a worker that forks a worker of its own

            def with_grandchild() -> list[str]:
                grandchild = in_child(lambda: draws(sealer, seals))
                return draws(sealer, seals) + collect(grandchild)

            pipes.append(in_child(with_grandchild))
        else:
            pipes.append(in_child(lambda: draws(sealer, seals)))
    values += draws(sealer, seals)  # the master keeps sealing
    values += thread_values
    for read in pipes:
        values += collect(read)
    return {"values": len(values), "distinct": len(set(values))}


def test_forked_workers_never_repeat_salts_or_ivs() -> None:
    result = fork_round(workers=8, seals=200)
    # master 250 + thread 50 + 8 workers, a grandchild and a thread-fork
    # child of 200 seals each: 2,300 seals, 3 random fields each.
    assert result["values"] == 3 * (250 + 50 + 10 * 200)
    assert result["distinct"] == result["values"]


if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    seals = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    result = fork_round(workers, seals)
    print(
        f"{workers} forked workers (+1 grandchild, +1 forked from a "
        f"thread) x {seals} seals, plus the master: {result['values']} "
        f"salts and IVs, {result['distinct']} distinct"
    )
    sys.exit(0 if result["values"] == result["distinct"] else 1)
