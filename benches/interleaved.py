# SPDX-License-Identifier: MIT
"""The figures the targets are judged on, measured interleaved.

On a shared machine the speed of a core drifts over seconds (other work
starts and stops), so two medians taken one after the other can differ by
a third with nothing changed. Here the cases of one comparison take turns:
each round times a short batch of every case, in an order that rotates, so
a slow spell slows all of them alike. Reported per case: the median over
rounds of the time per call; per compared pair: the median over rounds of
the difference or ratio within the round. The garbage collector is off
while a batch is timed (and run between rounds).

Three comparisons, 100-byte payload (the targets' size):

* ``ops``: ``seal_data`` and ``unseal_data`` (a seal not seen before, and
  the same seal again) against the pure-Python reference and Fernet;
* ``requests``: for each framework of ``apps.py``, one request with no
  session, with the framework's cookie session, and with iron_fast's (a
  new cookie each time, and the user's next request);
* ``floor`` (with ``--floor PATH``, the built ``floor.rs`` benchmark):
  the native floor (``floor.rs --serve``, timing its own batches) and
  Python's call take turns in the same rounds, the gap being the median
  of the rounds' ratios. ``--floor-only`` runs just this one, for a
  caller that spreads several windows of it over a longer run
  (``report.py``) and pools their rounds with ``floor_figures``.

Prints JSON (``report.py`` reads it)::

    .venv/bin/python benches/interleaved.py [--seconds 6] [--floor PATH]
        [--floor-only]
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
import warnings
from collections.abc import Callable
from pathlib import Path
from statistics import median, quantiles
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apps
import test_bench_seal as seal_suite
from payloads import PAYLOADS

Case = Callable[[], object]
# Each case's batch per round: long enough for the case to run warm (a
# switch between apps evicts the caches), short against the spells.
BATCH_SECONDS = 0.005
COLLECT_EVERY = 25  # rounds between garbage collections


# Runs a batch of n calls and returns the seconds per call.
Batch = Callable[[int], float]


def _timed(case: Case) -> Batch:
    def batch(calls: int) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            case()
        return (time.perf_counter() - start) / calls

    return batch


def _take_turns(
    batches: dict[str, Batch], calls: dict[str, int], seconds: float
) -> tuple[int, dict[str, list[float]]]:
    """Rounds of one batch per case, in an order that rotates, until
    ``seconds`` have passed (20 rounds at least): the rounds and each
    case's seconds per call, round by round."""
    names = list(batches)
    per_call: dict[str, list[float]] = {name: [] for name in names}
    deadline = time.perf_counter() + seconds
    rounds = 0
    enabled = gc.isenabled()
    try:
        while rounds < 20 or time.perf_counter() < deadline:
            if rounds % COLLECT_EVERY == 0:
                gc.collect()
            gc.disable()
            shift = rounds % len(names)
            for name in names[shift:] + names[:shift]:
                per_call[name].append(batches[name](calls[name]))
            gc.enable()
            rounds += 1
    finally:
        if enabled:
            gc.enable()
    return rounds, per_call


def interleave(cases: dict[str, Case], seconds: float) -> dict[str, Any]:
    """Rounds of one short batch per case, until ``seconds`` have passed."""
    calls = {}
    for name, case in cases.items():  # calibrate (and warm up)
        n = 1
        while True:
            start = time.perf_counter()
            for _ in range(n):
                case()
            if time.perf_counter() - start >= BATCH_SECONDS:
                break
            n *= 2
        calls[name] = n
    batches = {name: _timed(case) for name, case in cases.items()}
    rounds, per_call = _take_turns(batches, calls, seconds)
    return {
        "rounds": rounds,
        "calls_per_batch": calls,
        "median_s": {name: median(times) for name, times in per_call.items()},
        "per_round": per_call,
    }


def _paired(result: dict[str, Any], a: str, b: str, how: str) -> float:
    """Median over rounds of ``a - b`` or ``b / a`` within each round."""
    xs, ys = result["per_round"][a], result["per_round"][b]
    if how == "difference":
        return median(x - y for x, y in zip(xs, ys))
    return median(y / x for x, y in zip(xs, ys))


def ops(seconds: float) -> dict[str, Any]:
    payload = PAYLOADS["100B"]
    impls = {name: make() for name, make in seal_suite.IMPLEMENTATIONS.items()}
    iron_seal, iron_unseal = impls["iron_fast.seal_data"]
    token = iron_seal(payload)
    fresh = itertools.cycle(
        [iron_seal(payload) for _ in range(seal_suite.POOL)]
    ).__next__
    cases: dict[str, Case] = {}
    for name in ("iron_fast.seal_data", "reference", "fernet"):
        seal, unseal = impls[name]
        their_token = seal(payload)
        cases[f"seal {name}"] = lambda s=seal: s(payload)
        cases[f"unseal {name}"] = lambda u=unseal, t=their_token: u(t)
    cases["unseal iron_fast.seal_data:new-cookie"] = lambda: iron_unseal(
        fresh()
    )
    assert iron_unseal(token) == payload
    result = interleave(cases, seconds)
    factors = {}
    for op, ours in (
        ("seal", "seal iron_fast.seal_data"),
        ("unseal", "unseal iron_fast.seal_data"),
        ("unseal", "unseal iron_fast.seal_data:new-cookie"),
    ):
        for other in ("reference", "fernet"):
            theirs = f"{op} {other}"
            factors[f"{theirs} / {ours}"] = _paired(
                result, ours, theirs, "ratio"
            )
    del result["per_round"]
    result["factors"] = factors
    return result


def requests(seconds: float) -> dict[str, Any]:
    results = {}
    for framework, variant in apps.CASES:
        results.setdefault(framework, {})[variant] = None
    out: dict[str, Any] = {}
    for framework, variants in results.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cases = {v: apps.FRAMEWORKS[framework](v) for v in variants}
        result = interleave(cases, seconds)
        result["overhead_s"] = {
            v: _paired(result, v, "none", "difference")
            for v in variants
            if v != "none"
        }
        del result["per_round"]
        out[framework] = result
    return out


def _pin_to_this_cpu() -> None:
    """Keeps this process (and the children it starts) on the CPU it runs
    on now (field 39 of /proc/self/stat). Linux only; elsewhere a no-op."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        os.sched_setaffinity(0, {int(fields[36])})
    except (OSError, AttributeError):
        pass


class _NativeFloor:
    """The floor benchmark in ``--serve`` mode: times one batch of the
    core's ``seal_data``/``unseal_data`` path (100 B) per request."""

    def __init__(self, binary: str) -> None:
        self._process = subprocess.Popen(
            [binary, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def batch(self, op: str, calls: int) -> float:
        """Seconds per call of a batch of ``calls``, timed by the floor."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(f"{op} {calls}\n")
        self._process.stdin.flush()
        return float(self._process.stdout.readline()) * 1e-9

    def close(self) -> None:
        assert self._process.stdin
        self._process.stdin.close()
        self._process.wait(timeout=30)


def floor(binary: str, seconds: float) -> dict[str, Any]:
    """Python's ``seal_data`` / ``unseal_data`` (a seal not seen before)
    against the native floor, by turns in rounds of short batches: the
    floor's batch is timed in its own process, Python's here, each call
    written as an app writes it (no wrapper function around it; the loop
    that repeats it is counted against Python)."""
    from iron_fast import seal_data, unseal_data

    payload = PAYLOADS["100B"]
    password = seal_suite.PASSWORD
    pool = [
        seal_data(payload, password=password) for _ in range(seal_suite.POOL)
    ]
    cursor = itertools.cycle(range(len(pool)))

    def python_seal(calls: int) -> float:
        start = time.perf_counter()
        for _ in itertools.repeat(None, calls):
            seal_data(payload, password=password)
        return (time.perf_counter() - start) / calls

    def python_unseal(calls: int) -> float:
        # The next seals of the pool, as the floor cycles through its own:
        # each batch reads seals the cache has long forgotten.
        tokens = [pool[next(cursor)] for _ in range(calls)]
        start = time.perf_counter()
        for token in tokens:
            unseal_data(token, password=password)
        return (time.perf_counter() - start) / calls

    # Both sides on one core: a round compares them on the same core in
    # the same state (the two cores of a shared machine are not equally
    # fast from one second to the next). They take turns, never run at
    # once, so sharing the core costs neither anything.
    _pin_to_this_cpu()
    native = _NativeFloor(binary)  # inherits the affinity
    try:
        batches: dict[str, Batch] = {
            "native seal": lambda n: native.batch("seal", n),
            "native unseal": lambda n: native.batch("unseal", n),
            "python seal": python_seal,
            "python unseal": python_unseal,
        }
        calls = {  # calibrate (and warm up)
            name: max(1, int(BATCH_SECONDS / batch(1000)))
            for name, batch in batches.items()
        }
        started = time.time()
        _, per_call = _take_turns(batches, calls, seconds)
    finally:
        native.close()
    return {"started": started, "seconds": seconds, "per_round": per_call}


FLOOR_OPS = ("seal", "unseal")


def floor_figures(windows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of one or more ``floor`` windows, pooled: per operation
    the median time of the floor and of Python's call, the gap (median of
    the rounds' ratios) and its quartiles; and the same gap per window,
    which shows how much it moves with the machine's state."""

    def ratios(per_round: dict[str, list[float]], op: str) -> list[float]:
        return [
            p / n
            for p, n in zip(
                per_round[f"python {op}"], per_round[f"native {op}"]
            )
        ]

    pooled: dict[str, list[float]] = {}
    for window in windows:
        for name, times in window["per_round"].items():
            pooled.setdefault(name, []).extend(times)
    quartiles = {op: quantiles(ratios(pooled, op), n=4) for op in FLOOR_OPS}
    return {
        "rounds": len(pooled["python seal"]),
        "floor_s": {op: median(pooled[f"native {op}"]) for op in FLOOR_OPS},
        "python_s": {op: median(pooled[f"python {op}"]) for op in FLOOR_OPS},
        "gap": {op: quartiles[op][1] for op in FLOOR_OPS},
        "gap_quartiles": {
            op: [quartiles[op][0], quartiles[op][2]] for op in FLOOR_OPS
        },
        "windows": [
            {
                "started": window["started"],
                "seconds": window["seconds"],
                "rounds": len(window["per_round"]["python seal"]),
                "floor_s": {
                    op: median(window["per_round"][f"native {op}"])
                    for op in FLOOR_OPS
                },
                "gap": {
                    op: median(ratios(window["per_round"], op))
                    for op in FLOOR_OPS
                },
            }
            for window in windows
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=6.0,
        help="seconds per comparison (default 6)",
    )
    parser.add_argument(
        "--floor",
        metavar="PATH",
        help="the built floor benchmark (cargo bench --bench floor --no-run)",
    )
    parser.add_argument(
        "--floor-only",
        action="store_true",
        help="run only the floor pairs and print their window's rounds",
    )
    args = parser.parse_args()
    if args.floor_only:
        if not args.floor:
            parser.error("--floor-only needs --floor PATH")
        json.dump(floor(args.floor, args.seconds), sys.stdout)
        print()
        return 0
    result = {"ops": ops(args.seconds), "requests": requests(args.seconds)}
    if args.floor:
        result["floor"] = floor_figures([floor(args.floor, args.seconds)])
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
