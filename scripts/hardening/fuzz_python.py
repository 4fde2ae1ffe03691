#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python-level fuzzing runs of HARDENING.md: hypothesis, driven for
--seconds per target (default 600), over unseal_data and over each
framework adapter's cookie handling from a raw Cookie header. Inputs and
oracle are in tests/hardening/fuzzing.py. Hypothesis runs in rounds of
--batch examples with fresh random seeds until the time is up; the first
failure stops the run with its (shrunk) input.

Usage: .venv/bin/python scripts/hardening/fuzz_python.py [--seconds N]
    [--targets unseal_data,starlette,flask,django,aiohttp]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hypothesis import HealthCheck, Phase, given, settings

from tests.hardening import adapters, fuzzing

TARGETS = ["unseal_data", *sorted(adapters.ADAPTERS)]


def run(
    name: str, check: Callable[[Any], None], strategy: Any, seconds: float
) -> int:
    examples = 0

    def counted(value: Any) -> None:
        nonlocal examples
        examples += 1
        check(value)

    round_ = settings(
        max_examples=args.batch,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )(given(strategy)(counted))
    started = time.monotonic()
    rounds = 0
    while time.monotonic() - started < seconds:
        round_()  # raises, with the shrunk input, on the first failure
        rounds += 1
    elapsed = time.monotonic() - started
    print(
        f"{name:<12} {examples:>9,} inputs in {elapsed:5.0f} s "
        f"({examples / elapsed:,.0f}/s, {rounds} rounds): no failure",
        flush=True,
    )
    return examples


def main() -> int:
    warnings.simplefilter("ignore")  # aiohttp-session's RequestKey hint
    total = 0
    for name in args.targets.split(","):
        if name == "unseal_data":
            total += run(
                name, fuzzing.check_unseal, fuzzing.unseal_inputs, args.seconds
            )
            continue
        with adapters.driver(name) as driver:
            total += run(
                name,
                lambda header, d=driver: fuzzing.check_adapter(d, header),
                fuzzing.cookie_header(),
                args.seconds,
            )
    print(f"total: {total:,} inputs, no crash, no wrong session")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    sys.exit(main())
