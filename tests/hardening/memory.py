# SPDX-License-Identifier: MIT
"""What the memory checks share: the resident set, and the workloads (a
seal/unseal cycle, an adapter request) that test_memory.py runs briefly
and scripts/hardening/memory_soak.py a million times."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from iron_fast import HeaderCookieJar, Sealer, UnsealError
from tests.hardening import adapters

PASSWORD = "memory-test-password-0123456789-abcdefgh"
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def core_cycle() -> Callable[[int], None]:
    """One seal, one unseal, one refused forgery: every path that
    allocates in the binding (JSON both ways, the error objects)."""
    sealer = Sealer({1: "old-" + PASSWORD, 2: PASSWORD})
    data = {"user": {"id": 1, "name": "Zoë", "roles": ["a", "b"]}, "n": 0}
    big = {"blob": "q" * 3000, "n": 0}  # past the GIL-release threshold

    def cycle(i: int) -> None:
        payload = big if i % 8 == 0 else data
        seal = sealer.seal(payload)
        assert sealer.unseal(seal) == payload
        try:
            sealer.unseal(seal[:-5] + "AAAAA")
        except UnsealError:
            pass
        sealer.unseal_or_none("Fe26.2*1*garbage")

    return cycle


def adapter_request(driver: Any) -> Callable[[int], None]:
    """A mix of requests: a valid session read and saved, a bad cookie,
    no cookie."""
    seal = adapters.CONFIG.codec.save(HeaderCookieJar(), {"user": "u", "n": 1})
    headers = [
        f"{adapters.COOKIE}={seal}",
        f"{adapters.COOKIE}={seal[:-9]}",
        None,
        f"other=1; {adapters.COOKIE}=junk",
    ]

    def request(i: int) -> None:
        header = headers[i % len(headers)]
        answer = driver.request(header, "/bump" if i % 2 else "/")
        assert answer.status == 200, answer

    return request
