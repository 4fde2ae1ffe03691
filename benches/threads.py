# SPDX-License-Identifier: MIT
"""Seal and unseal throughput from one thread and from two, per payload
size: does a second thread add throughput (the GIL released around the
crypto), or at least not take any away (no convoy on the GIL)?

Each measurement runs the same number of operations per thread, the
threads starting together; throughput is total operations over the wall
time. One thread and two take turns, in an order that rotates from one
repeat to the next, and the ratio is the median of the repeats' ratios.
Each case is measured again with the stdlib's C json on the same payload
(``json.dumps`` / ``json.loads``, which hold the GIL): what switching
the GIL between two threads costs any code on this machine.
Prints JSON (``report.py`` reads it)::

    .venv/bin/python benches/threads.py [--seconds 0.1] [--repeat 41]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payloads import PAYLOADS

import iron_fast

PASSWORD = "benches/threads.py: any 32+ character password"


def _throughput(work: Callable[[], object], calls: int, threads: int) -> float:
    """Operations per second, ``calls`` per thread on ``threads``."""
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


def _calls(work: Callable[[], object], seconds: float) -> int:
    """Calls per thread for about ``seconds`` of one thread's work."""
    t0 = time.perf_counter()
    for _ in range(200):
        work()
    per_call = (time.perf_counter() - t0) / 200
    return max(200, int(seconds / per_call))


def _ratios(
    work: Callable[[], object],
    baseline: Callable[[], object],
    seconds: float,
    repeat: int,
) -> dict[str, Any]:
    """2-thread / 1-thread throughput of ``work`` and of ``baseline``,
    measured by turns in each repeat (drift hits both alike), the order of
    the four runs rotating from one repeat to the next (so that a drift
    within a repeat favours none of them)."""
    calls, base_calls = _calls(work, seconds), _calls(baseline, seconds)
    runs: dict[str, tuple[Callable[[], object], int, int]] = {
        "one": (work, calls, 1),
        "two": (work, calls, 2),
        "base_one": (baseline, base_calls, 1),
        "base_two": (baseline, base_calls, 2),
    }
    names = list(runs)
    measured: dict[str, list[float]] = {name: [] for name in names}
    for turn in range(repeat):
        shift = turn % len(names)
        for name in names[shift:] + names[:shift]:
            measured[name].append(_throughput(*runs[name]))
    one, two = measured["one"], measured["two"]
    base_one, base_two = measured["base_one"], measured["base_two"]
    # Medians of each repeat's ratio, not ratios of medians: a slow spell
    # spans a whole repeat.
    ratios = [b / a for a, b in zip(one, two)]
    base_ratios = [b / a for a, b in zip(base_one, base_two)]
    return {
        "calls_per_thread": calls,
        "ops_per_s_1_thread": median(one),
        "ops_per_s_2_threads": median(two),
        "ratio": median(ratios),
        "gil_bound_ratio": median(base_ratios),
        "ratio_to_gil_bound": median(
            r / b for r, b in zip(ratios, base_ratios)
        ),
    }


def measure(seconds: float, repeat: int) -> dict[str, Any]:
    # The work itself: no verified-seal cache (a hit is mostly JSON parsing)
    sealer = iron_fast.Sealer(PASSWORD, cache_size=0)
    results: dict[str, Any] = {
        "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
        "switch_interval_s": sys.getswitchinterval(),
        "repeat": repeat,
        "cases": [],
    }
    # The realistic sessions of payloads.py (JSON work dominates: the GIL
    # stays held), then one long value past the GIL-release threshold
    # (crypto dominates: the release pays).
    sizes = [*PAYLOADS.items(), ("16KB one value", {"blob": "x" * 16384})]
    for size, payload in sizes:
        token = sealer.seal(payload)
        text = json.dumps(payload, separators=(",", ":"))
        cases = (
            ("seal", lambda p=payload: sealer.seal(p), json.dumps),
            ("unseal", lambda t=token: sealer.unseal(t), json.loads),
        )
        for op, work, stdlib in cases:
            # What the GIL itself costs two threads here: the stdlib's C
            # json on the same payload, which holds the GIL throughout.
            argument = payload if op == "seal" else text
            figures = _ratios(
                work, lambda f=stdlib, a=argument: f(a), seconds, repeat
            )
            results["cases"].append({"op": op, "size": size, **figures})
    return results


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
