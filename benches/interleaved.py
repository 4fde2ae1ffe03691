# SPDX-License-Identifier: MIT
"""The comparisons the targets are judged on, measured by turns (rounds of
one short batch per case, the order rotating), so that the drift of a
shared machine hits every case alike; prints JSON. benches/README.md says
why and how.

    .venv/bin/python benches/interleaved.py [--seconds 6]
    .venv/bin/python benches/interleaved.py --floor-only --floor PATH
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from statistics import median, quantiles
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apps
import test_bench_seal as seal_suite
from payloads import PAYLOADS

BATCH_SECONDS = 0.005  # warm for each case, short against the drift
Batch = Callable[[int], float]  # n calls -> seconds per call
OPS = ("seal", "unseal")


def _timed(case: Callable[[], object]) -> Batch:
    def batch(calls: int) -> float:
        start = time.perf_counter()
        for _ in itertools.repeat(None, calls):
            case()
        return (time.perf_counter() - start) / calls

    return batch


def take_turns(batches: dict[str, Batch], seconds: float) -> dict[str, Any]:
    """Rounds of one batch per case until ``seconds`` have passed (20 at
    least), the garbage collector off while a batch is timed: each case's
    seconds per call, round by round."""
    calls = {  # calibrate (and warm up)
        name: max(1, int(BATCH_SECONDS / batch(200)))
        for name, batch in batches.items()
    }
    names = list(batches)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    deadline = time.perf_counter() + seconds
    rounds = 0
    while rounds < 20 or time.perf_counter() < deadline:
        gc.collect()
        gc.disable()
        shift = rounds % len(names)
        for name in names[shift:] + names[:shift]:
            per_round[name].append(batches[name](calls[name]))
        gc.enable()
        rounds += 1
    return {
        "rounds": rounds,
        "median_s": {name: median(times) for name, times in per_round.items()},
        "per_round": per_round,
    }


def _paired(result: dict[str, Any], a: str, b: str) -> tuple[float, float]:
    """Median over rounds of ``a - b`` and of ``b / a``, within a round."""
    xs, ys = result["per_round"][a], result["per_round"][b]
    return median(x - y for x, y in zip(xs, ys)), median(
        y / x for x, y in zip(xs, ys)
    )


def ops(seconds: float) -> dict[str, Any]:
    """100 B seal/unseal: iron_fast against the reference and Fernet."""
    payload = PAYLOADS["100B"]
    cases: dict[str, Callable[[], object]] = {}
    for name in ("iron_fast.seal_data", "reference", "fernet"):
        seal, unseal = seal_suite.IMPLEMENTATIONS[name]()
        token = seal(payload)
        cases[f"seal {name}"] = partial(seal, payload)
        cases[f"unseal {name}"] = partial(unseal, token)
    seal, unseal = seal_suite.IMPLEMENTATIONS["iron_fast.seal_data"]()
    fresh = itertools.cycle([seal(payload) for _ in range(apps.POOL)])
    cases["unseal iron_fast.seal_data:new-cookie"] = lambda: unseal(
        next(fresh)
    )
    result = take_turns({k: _timed(c) for k, c in cases.items()}, seconds)
    result["factors"] = {
        f"{op} {other} / {ours}": _paired(result, ours, f"{op} {other}")[1]
        for op, ours in (
            ("seal", "seal iron_fast.seal_data"),
            ("unseal", "unseal iron_fast.seal_data"),
            ("unseal", "unseal iron_fast.seal_data:new-cookie"),
        )
        for other in ("reference", "fernet")
    }
    del result["per_round"]
    return result


def requests(seconds: float) -> dict[str, Any]:
    """One request per framework and variant; overheads against ``none``
    (and for Starlette also against ``bare``, no middleware at all)."""
    out: dict[str, Any] = {}
    for framework, group in itertools.groupby(apps.CASES, lambda c: c[0]):
        variants = [variant for _, variant in group]
        cases = {v: _timed(apps.request(framework, v)) for v in variants}
        result = take_turns(cases, seconds)
        for base in ("none", "bare"):
            if base in variants:
                result[f"overhead_s vs {base}"] = {
                    v: _paired(result, v, base)[0]
                    for v in variants
                    if v not in ("none", "bare")
                }
        del result["per_round"]
        out[framework] = result
    return out


def floor(binary: str, seconds: float) -> dict[str, Any]:
    """Python's ``seal_data``/``unseal_data`` (a seal not seen before), as
    an app writes the call, against the native floor (``floor.rs --serve``
    timing its own batches), by turns, both pinned to this core."""
    from iron_fast import seal_data, unseal_data

    payload, password = PAYLOADS["100B"], seal_suite.PASSWORD
    pool = itertools.cycle(
        [seal_data(payload, password=password) for _ in range(apps.POOL)]
    )

    def python_seal(calls: int) -> float:
        start = time.perf_counter()
        for _ in itertools.repeat(None, calls):
            seal_data(payload, password=password)
        return (time.perf_counter() - start) / calls

    def python_unseal(calls: int) -> float:
        tokens = [next(pool) for _ in range(calls)]
        start = time.perf_counter()
        for token in tokens:
            unseal_data(token, password=password)
        return (time.perf_counter() - start) / calls

    try:  # the CPU this runs on now: field 39 of /proc/self/stat
        with open("/proc/self/stat", encoding="ascii") as stat:
            cpu = int(stat.read().rsplit(")", 1)[1].split()[36])
        os.sched_setaffinity(0, {cpu})
    except (OSError, AttributeError):
        pass
    native = subprocess.Popen(
        [binary, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert native.stdin and native.stdout
    ask, answer = native.stdin, native.stdout

    def native_batch(op: str) -> Batch:
        def batch(calls: int) -> float:
            ask.write(f"{op} {calls}\n")
            ask.flush()
            return float(answer.readline()) * 1e-9

        return batch

    started = time.time()
    try:
        result = take_turns(
            {
                "native seal": native_batch("seal"),
                "native unseal": native_batch("unseal"),
                "python seal": python_seal,
                "python unseal": python_unseal,
            },
            seconds,
        )
    finally:
        ask.close()
        native.wait(timeout=30)
    return {"started": started, "per_round": result["per_round"]}


def floor_figures(windows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of several ``floor`` windows, pooled: per operation the
    median times, the gap (median of the rounds' ratios) and its
    quartiles; and each window's own floor time and gap."""

    def ratios(rounds: dict[str, list[float]], op: str) -> list[float]:
        pairs = zip(rounds[f"python {op}"], rounds[f"native {op}"])
        return [python / native for python, native in pairs]

    pooled: dict[str, list[float]] = {}
    for window in windows:
        for name, times in window["per_round"].items():
            pooled.setdefault(name, []).extend(times)
    quartiles = {op: quantiles(ratios(pooled, op), n=4) for op in OPS}
    return {
        "rounds": len(pooled["python seal"]),
        "floor_s": {op: median(pooled[f"native {op}"]) for op in OPS},
        "python_s": {op: median(pooled[f"python {op}"]) for op in OPS},
        "gap": {op: quartiles[op][1] for op in OPS},
        "gap_quartiles": {op: quartiles[op][::2] for op in OPS},
        "windows": [
            {
                "started": window["started"],
                "rounds": len(window["per_round"]["python seal"]),
                "floor_s": {
                    op: median(window["per_round"][f"native {op}"])
                    for op in OPS
                },
                "gap": {
                    op: median(ratios(window["per_round"], op)) for op in OPS
                },
            }
            for window in windows
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--floor", metavar="PATH", help="the built floor.rs")
    parser.add_argument("--floor-only", action="store_true")
    args = parser.parse_args()
    if args.floor_only:
        result = floor(args.floor, args.seconds)
    else:
        result = {"ops": ops(args.seconds), "requests": requests(args.seconds)}
        if args.floor:
            result["floor"] = floor_figures([floor(args.floor, args.seconds)])
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
