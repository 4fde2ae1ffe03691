# SPDX-License-Identifier: MIT
"""One Sealer (and one SessionConfig) shared by 8 threads sealing and
unsealing a fixed number of times, small payloads and ones past the
8192-byte threshold where the GIL is released, mixed with tampered
seals: no error, no wrong result, every seal distinct.

``python -m tests.hardening.test_concurrency OPS`` runs a longer round
and prints the figures for HARDENING.md.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from iron_fast import (
    BadSeal,
    HeaderCookieJar,
    Sealer,
    SessionConfig,
    get_iron_session,
)

PASSWORD = "concurrency-test-password-0123456789-abc"
THREADS = 8
OPS_PER_THREAD = 1500


def hammer(ops: int) -> dict[str, Any]:
    sealer = Sealer({1: "old-" + PASSWORD, 2: PASSWORD})
    config = SessionConfig(password=PASSWORD, cookie_name="s", chunk=True)
    barrier = threading.Barrier(THREADS)
    failures: list[str] = []
    seals: list[list[str]] = [[] for _ in range(THREADS)]

    def work(index: int) -> None:
        mine = seals[index]
        barrier.wait()
        try:
            for op in range(ops):
                big = op % 4 == 0  # past the GIL-release threshold
                data = {
                    "t": index,
                    "op": op,
                    "pad": "z" * (9000 if big else 8),
                }
                seal = sealer.seal(data)
                mine.append(seal)
                if sealer.unseal(seal) != data:
                    failures.append(f"thread {index} op {op}: wrong data")
                forged = (
                    seal[:60] + ("A" if seal[60] != "A" else "B") + seal[61:]
                )
                value, reason = sealer.unseal_or_none(forged)
                if value is not None or reason != "invalid":
                    failures.append(f"thread {index} op {op}: forgery")
                try:
                    sealer.unseal(forged)
                    failures.append(f"thread {index} op {op}: strict forgery")
                except BadSeal:
                    pass
                if op % 10 == 0:  # the session path, through a jar
                    jar = HeaderCookieJar()
                    session = get_iron_session(jar, config)
                    session.update(data)
                    session.save()
                    header = "; ".join(
                        line.split(";", 1)[0] for line in jar.set_cookies
                    )
                    back = get_iron_session(HeaderCookieJar(header), config)
                    if dict(back) != data:
                        failures.append(f"thread {index} op {op}: session")
        except Exception as error:  # reported, not lost in the thread
            failures.append(f"thread {index}: {error!r}")

    threads = [
        threading.Thread(target=work, args=(i,)) for i in range(THREADS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [seal for mine in seals for seal in mine]
    return {
        "failures": failures,
        "seals": len(every),
        "distinct": len(set(every)),
        "operations": THREADS * ops * 4,  # seal, unseal, two forgeries
        "seconds": elapsed,
    }


def test_eight_threads_share_one_sealer() -> None:
    result = hammer(OPS_PER_THREAD)
    assert result["failures"] == []
    assert result["seals"] == THREADS * OPS_PER_THREAD
    assert result["distinct"] == result["seals"]


if __name__ == "__main__":
    ops = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    result = hammer(ops)
    print(
        f"{THREADS} threads x {ops} rounds: {result['operations']} "
        f"operations ({result['seals']} seals, all distinct: "
        f"{result['distinct'] == result['seals']}) in "
        f"{result['seconds']:.1f} s, failures: {len(result['failures'])}"
    )
    for failure in result["failures"][:20]:
        print(failure)
    sys.exit(1 if result["failures"] else 0)
