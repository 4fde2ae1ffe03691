# SPDX-License-Identifier: MIT
"""Seal and unseal throughput from one thread and from two, per payload,
beside the stdlib's C json on the same payload (what switching the GIL
costs any code); prints JSON. benches/README.md says how.

    .venv/bin/python benches/threads.py [--seconds 0.1] [--repeat 41]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payloads import PAYLOADS

import iron_fast

Work = Callable[[], object]


def _throughput(work: Work, calls: int, threads: int) -> float:
    """Operations per second, ``calls`` per thread, threads started
    together."""
    barrier = threading.Barrier(threads + 1)

    def run() -> None:
        barrier.wait()
        for _ in range(calls):
            work()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    return calls * threads / (time.perf_counter() - start)


def _calls(work: Work, seconds: float) -> int:
    start = time.perf_counter()
    for _ in range(200):
        work()
    return max(200, int(seconds * 200 / (time.perf_counter() - start)))


def _case(work: Work, json_work: Work, seconds: float, repeat: int) -> Any:
    """1 and 2 threads of ``work`` and of ``json_work`` by turns, the order
    rotating per repeat; ratios are medians of the repeats' ratios."""
    runs = [
        (w, _calls(w, seconds), threads)
        for w in (work, json_work)
        for threads in (1, 2)
    ]
    ops: list[list[float]] = [[] for _ in runs]
    for turn in range(repeat):
        for index in [(turn + i) % len(runs) for i in range(len(runs))]:
            ops[index].append(_throughput(*runs[index]))
    ratios = [b / a for a, b in zip(ops[0], ops[1])]
    json_ratios = [b / a for a, b in zip(ops[2], ops[3])]
    return {
        "ops_per_s_1_thread": median(ops[0]),
        "ops_per_s_2_threads": median(ops[1]),
        "ratio": median(ratios),
        "gil_bound_ratio": median(json_ratios),
        "ratio_to_gil_bound": median(
            r / j for r, j in zip(ratios, json_ratios)
        ),
    }


def measure(seconds: float, repeat: int) -> dict[str, Any]:
    # The work itself: no verified-seal cache.
    sealer = iron_fast.Sealer(
        "benches/threads.py: 32+ characters", cache_size=0
    )
    cases = []
    # One long value past the size where the GIL is released for crypto.
    sizes = [*PAYLOADS.items(), ("16KB one value", {"blob": "x" * 16384})]
    for size, payload in sizes:
        token, text = sealer.seal(payload), json.dumps(payload)
        for op, work, json_work in (
            (
                "seal",
                partial(sealer.seal, payload),
                partial(json.dumps, payload),
            ),
            (
                "unseal",
                partial(sealer.unseal, token),
                partial(json.loads, text),
            ),
        ):
            figures = _case(work, json_work, seconds, repeat)
            cases.append({"op": op, "size": size, **figures})
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    return {"gil_enabled": gil, "repeat": repeat, "cases": cases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=41)
    args = parser.parse_args()
    json.dump(measure(args.seconds, args.repeat), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
