#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The memory soak of HARDENING.md: a million seal/unseal cycles, then a
million requests through each framework adapter (in-process, see
tests/hardening/adapters.py), sampling the resident set as they go. The
first tenth of each run (allocator arenas, caches, lazy imports) is the
warm-up; the growth reported is from its end to the end of the run, and
fails the run past --bound MiB. Also counts the objects the garbage
collector tracks, which a reference leak in the PyO3 layer would grow.

Usage: .venv/bin/python scripts/hardening/memory_soak.py
    [--cycles N] [--requests N] [--adapters starlette,flask,...]
    [--bound MIB]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.hardening import adapters
from tests.hardening.memory import (
    adapter_request,
    core_cycle,
    rss_bytes,
)

MIB = 1024 * 1024


def soak(name: str, step: Callable[[int], None], count: int) -> dict:
    warm = max(count // 10, 1)
    samples = []
    started = time.perf_counter()
    for i in range(count):
        step(i)
        if i + 1 == warm or (i + 1) % max(count // 20, 1) == 0:
            gc.collect()
            samples.append((i + 1, rss_bytes(), len(gc.get_objects())))
    elapsed = time.perf_counter() - started
    after_warm = next(s for s in samples if s[0] >= warm)
    end = samples[-1]
    return {
        "name": name,
        "count": count,
        "seconds": elapsed,
        "rss_warm": after_warm[1],
        "rss_end": end[1],
        "rss_max": max(s[1] for s in samples),
        "growth": end[1] - after_warm[1],
        "objects": end[2] - after_warm[2],
    }


def report(result: dict) -> str:
    return (
        f"{result['name']:<22} {result['count']:>9,} in "
        f"{result['seconds']:6.1f} s "
        f"({result['seconds'] / result['count'] * 1e6:6.1f} us each): "
        f"RSS {result['rss_warm'] / MIB:6.1f} -> "
        f"{result['rss_end'] / MIB:6.1f} MiB "
        f"(max {result['rss_max'] / MIB:.1f}), "
        f"growth {result['growth'] / MIB:+.2f} MiB, "
        f"tracked objects {result['objects']:+d}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument(
        "--adapters", default=",".join(sorted(adapters.ADAPTERS))
    )
    parser.add_argument("--bound", type=float, default=8.0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # aiohttp-session's RequestKey hint
    results = []
    if args.cycles:
        results.append(soak("seal/unseal cycles", core_cycle(), args.cycles))
        print(report(results[-1]), flush=True)
    for name in filter(None, args.adapters.split(",")):
        with adapters.driver(name) as driver:
            step = adapter_request(driver)
            results.append(soak(f"{name} requests", step, args.requests))
        print(report(results[-1]), flush=True)
    failed = [r for r in results if r["growth"] > args.bound * MIB]
    for result in failed:
        print(f"FAILED: {result['name']} grew past {args.bound} MiB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
