# SPDX-License-Identifier: MIT
"""No leaks, bounded: the resident set stays flat over many seal/unseal
cycles and adapter requests, tracemalloc sees no Python-level growth, and
the PyO3 layer leaves every reference count as it found it (the objects
passed in, the results, the errors). scripts/hardening/memory_soak.py
runs a million of each."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from iron_fast import Sealer, UnsealError
from tests.hardening import adapters
from tests.hardening.memory import (
    PASSWORD,
    adapter_request,
    core_cycle,
    rss_bytes,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:It is recommended to use web.RequestKey"
)
MIB = 1024 * 1024


def test_seal_unseal_cycles_keep_the_resident_set_flat() -> None:
    cycle = core_cycle()
    for i in range(20_000):  # allocator arenas and caches settle first
        cycle(i)
    before = rss_bytes()
    for i in range(100_000):
        cycle(i)
    assert rss_bytes() - before < 2 * MIB


def test_tracemalloc_sees_no_growth() -> None:
    cycle = core_cycle()
    for i in range(2_000):
        cycle(i)
    gc.collect()
    tracemalloc.start()
    try:
        first = tracemalloc.take_snapshot()
        for i in range(20_000):
            cycle(i)
        gc.collect()
        second = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(s.size_diff for s in second.compare_to(first, "filename"))
    assert grown < 64 * 1024, grown


def test_the_binding_leaves_reference_counts_as_it_found_them() -> None:
    password = "refcount-" + PASSWORD
    key, text, number = "user-key", "some text value", 10**30
    data = {key: [text, number, 1.5, None, True], "nested": {"k": text}}
    sealer = Sealer(password)
    watched = [password, key, text, number, data, data[key], sealer]
    seal = sealer.seal(data)
    bad = seal[:-4] + "AAAA"
    gc.collect()
    counts = [sys.getrefcount(obj) for obj in watched]
    objects = len(gc.get_objects())
    for _ in range(5_000):
        sealer.seal(data)
        result = sealer.unseal(seal)
        assert result == data
        del result
        try:
            sealer.unseal(bad)
        except UnsealError:
            pass
        sealer.unseal_or_none(bad)
        Sealer(password)
        try:
            sealer.seal({key: object()})
        except TypeError:
            pass
    gc.collect()
    assert [sys.getrefcount(obj) for obj in watched] == counts
    assert len(gc.get_objects()) - objects < 100


@pytest.fixture(params=sorted(adapters.ADAPTERS))
def driver(request: pytest.FixtureRequest) -> Iterator[Any]:
    with adapters.driver(request.param) as driver:
        yield driver


def test_adapter_requests_keep_the_resident_set_flat(driver: Any) -> None:
    request = adapter_request(driver)
    for i in range(1_000):
        request(i)
    gc.collect()
    objects = len(gc.get_objects())
    before = rss_bytes()
    for i in range(3_000):
        request(i)
    gc.collect()
    assert rss_bytes() - before < 4 * MIB
    assert len(gc.get_objects()) - objects < 200
