# SPDX-License-Identifier: MIT
"""Python-level fuzzing, bounded for the suite: unseal_data, and each
adapter's cookie handling from a raw Cookie header (see fuzzing.py for
the inputs and the oracle). scripts/hardening/fuzz_python.py runs the
same properties for 10 minutes each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.hardening import adapters, fuzzing

pytestmark = pytest.mark.filterwarnings(
    "ignore:It is recommended to use web.RequestKey"
)
BOUNDED = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@BOUNDED
@given(fuzzing.unseal_inputs)
def test_unseal_data_never_raises_and_opens_only_genuine_seals(
    value: object,
) -> None:
    fuzzing.check_unseal(value)


@pytest.fixture(scope="module", params=sorted(adapters.ADAPTERS))
def adapter(request: pytest.FixtureRequest) -> Iterator[Any]:
    with adapters.driver(request.param) as driver:
        yield driver


def test_each_adapter_reads_every_genuine_session(adapter: Any) -> None:
    for seal, data in zip(fuzzing.SEALS, fuzzing.SESSIONS):
        if len(seal) < 4000:
            header = f"{adapters.COOKIE}={seal}"
        else:  # chunked, as the adapters wrote it
            half = len(seal) // 2
            header = (
                f"{adapters.COOKIE}.0={seal[:half]}; "
                f"{adapters.COOKIE}.1={seal[half:]}"
            )
        assert adapters.check(adapter, header, [data]).session == data


def test_each_adapter_survives_fuzzed_cookie_headers(adapter: Any) -> None:
    @BOUNDED
    @given(fuzzing.cookie_header())
    def run(header: str | None) -> None:
        fuzzing.check_adapter(adapter, header)

    run()
