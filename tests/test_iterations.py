# SPDX-License-Identifier: MIT
"""PBKDF2 iteration counts other than iron's 1 (h3 2.x seals with 8192):
the vectors made by the npm packages, the bounds of the option, and live
round trips with @hapi/iron at 8192 through the Node peer."""

from __future__ import annotations

from typing import Any

import pytest

import iron_fast
from iron_fast import _core
from iron_fast.errors import BadSeal, IronError
from tests.vectors_util import fixed_inputs, load, password

VECTORS = load("iterations.json")
CASES = VECTORS["cases"]
H3 = 8192
PW = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
DOC = {"user": {"id": 1, "name": "Ada"}, "roles": ["admin"]}


def by_name(cases: list[dict[str, Any]]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        "case", cases, ids=[case["name"] for case in cases]
    )


def opener(
    inputs: dict[str, Any], iterations: int | None = None
) -> iron_fast.Sealer:
    """The sealer that reads a vector (with its own count unless told
    otherwise): a seal with no id (h3's, made with a plain string
    password) opens only through a "default" entry, as in iron; a single
    password is iron-session's {1: password}."""
    secret = password(inputs["password"])
    if inputs["password_id"] == "":
        secret = {"default": secret}
    count = inputs["iterations"] if iterations is None else iterations
    return iron_fast.Sealer(secret, iterations=count)


# -- vectors ----------------------------------------------------------------


def test_the_vectors_cover_the_counts_that_matter():
    counts = {case["inputs"]["iterations"] for case in CASES}
    assert {1, 2, H3, _core.MAX_ITERATIONS} <= counts
    h3 = [c for c in CASES if c["name"].startswith("h3_2x")]
    assert h3 and all(c["inputs"]["iterations"] == H3 for c in h3)
    assert all(c["inputs"]["password_id"] == "" for c in h3)


@by_name(CASES)
def test_vector_reseals_byte_for_byte(case):
    inputs = case["inputs"]
    sealer = iron_fast.Sealer(
        password(inputs["password"]), iterations=inputs["iterations"]
    )
    sealed = sealer._seal_with(inputs["data"], **fixed_inputs(inputs))
    assert sealed == case["expected"]["iron_session_seal"]


@by_name(CASES)
def test_vector_unseals(case):
    inputs, expected = case["inputs"], case["expected"]
    sealer = opener(inputs)
    for seal in (expected["iron_seal"], expected["iron_session_seal"]):
        assert (
            sealer._unseal_at(seal, now_ms=inputs["now_ms"])
            == (inputs["data"])
        )


NEVER_EXPIRE = [c for c in CASES if c["inputs"]["ttl_s"] == 0]


@by_name(NEVER_EXPIRE)
def test_vector_unseals_through_the_functional_api(case):
    inputs, expected = case["inputs"], case["expected"]
    pw = password(inputs["password"])
    if inputs["password_id"] == "":
        pw = {"default": pw}
    count = inputs["iterations"]
    seal = expected["iron_session_seal"]
    assert (
        iron_fast.unseal(seal, password=pw, iterations=count)
        == (inputs["data"])
    )
    assert (
        iron_fast.unseal_data(seal, password=pw, iterations=count)
        == (inputs["data"])
    )


STRETCHED = [
    c
    for c in CASES
    if c["inputs"]["iterations"] != 1
    and not isinstance(c["inputs"]["password"], dict)
]


@by_name(STRETCHED)
def test_vector_does_not_open_with_one_iteration(case):
    inputs, expected = case["inputs"], case["expected"]
    seal = expected["iron_session_seal"]
    wrong = opener(inputs, iterations=1)
    with pytest.raises(BadSeal, match="bad hmac"):
        wrong._unseal_at(seal, now_ms=inputs["now_ms"])


def test_a_raw_key_ignores_the_count():
    (case,) = [c for c in CASES if c["name"] == "count_8192_raw_key"]
    inputs, seal = case["inputs"], case["expected"]["iron_session_seal"]
    key = password(inputs["password"])
    for count in (1, H3):
        sealer = iron_fast.Sealer(key, iterations=count)
        assert (
            sealer._unseal_at(seal, now_ms=inputs["now_ms"])
            == (inputs["data"])
        )


def test_one_iteration_is_the_default_and_what_iron_session_reads():
    fixed = {
        "ttl": 0,
        "now_ms": 1_767_225_600_000,
        "encryption_salt": "a" * 64,
        "hmac_salt": "b" * 64,
        "iv": bytes(16),
    }
    default = iron_fast.Sealer(PW)
    assert default.iterations == 1
    explicit = iron_fast.Sealer(PW, iterations=1)
    assert default._seal_with(DOC, **fixed) == explicit._seal_with(
        DOC, **fixed
    )
    stretched = iron_fast.Sealer(PW, iterations=2)._seal_with(DOC, **fixed)
    assert stretched != default._seal_with(DOC, **fixed)


# -- the option --------------------------------------------------------------


def test_the_maximum_is_accepted_and_one_more_refused():
    top = _core.MAX_ITERATIONS
    assert top == 2**20
    assert iron_fast.Sealer(PW, iterations=top).iterations == top
    with pytest.raises(IronError, match=f"from 1 to {top}, got {top + 1}"):
        iron_fast.Sealer(PW, iterations=top + 1)


BAD_COUNTS = [
    (0, "got 0"),
    (-1, "got -1"),
    (-8192, "got -8192"),
    (2**20 + 1, "got 1048577"),
    (2**31, "got 2147483648"),
    (10**30, "got an int of 100 bits"),
    (-(10**30), "got a negative int of 100 bits"),
    (True, "got a bool"),
    (8192.0, "got a float"),
    ("8192", "got a str"),
    (None, "got a NoneType"),
]


def _calls(count: object) -> dict[str, Any]:
    kw: Any = {"iterations": count}
    return {
        "Sealer": lambda: iron_fast.Sealer(PW, **kw),
        "seal": lambda: iron_fast.seal(DOC, password=PW, **kw),
        "unseal": lambda: iron_fast.unseal("x", password=PW, **kw),
        "seal_data": lambda: iron_fast.seal_data(DOC, password=PW, **kw),
        "unseal_data": lambda: iron_fast.unseal_data("x", password=PW, **kw),
    }


@pytest.mark.parametrize(
    ("count", "shown"), BAD_COUNTS, ids=[repr(c) for c, _ in BAD_COUNTS]
)
@pytest.mark.parametrize(
    "call", ["Sealer", "seal", "unseal", "seal_data", "unseal_data"]
)
def test_a_bad_count_is_refused_by_name(call, count, shown):
    # Warm the caches with the good count first: a cached sealer of 1
    # must not answer for True or 1.0, which equal 1.
    try:
        _calls(1)[call]()
    except BadSeal:  # unseal of "x" with a good configuration
        pass
    with pytest.raises(IronError) as raised:
        _calls(count)[call]()
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert message.startswith(
        f"iterations must be an int from 1 to {_core.MAX_ITERATIONS}, "
    )
    assert shown in message
    assert PW not in message


def test_repr_shows_a_count_other_than_one_and_no_secret():
    assert "iterations" not in repr(iron_fast.Sealer(PW))
    shown = repr(iron_fast.Sealer(PW, iterations=H3))
    assert shown.endswith(", iterations=8192)")
    assert PW not in shown


def test_functional_calls_keep_counts_apart():
    # seal_data finds sealers by the password's identity: the same str
    # with another count must get its own sealer.
    legacy = iron_fast.seal_data(DOC, password=PW)
    token = iron_fast.seal_data(DOC, password=PW, iterations=H3)
    assert iron_fast.unseal_data(token, password=PW) == {}
    assert iron_fast.unseal_data(token, password=PW, iterations=H3) == DOC
    assert iron_fast.unseal_data(legacy, password=PW, iterations=H3) == {}
    assert iron_fast.unseal_data(legacy, password=PW) == DOC
    with pytest.raises(BadSeal):
        iron_fast.unseal(token, password=PW, iterations=H3 + 1)


def test_a_repeat_unseal_at_8192_is_a_cache_hit():
    # That a hit derives no key at all is shown in src/seal.rs
    # (a_cache_hit_derives_no_key); here, that the Python path hits.
    sealer = iron_fast.Sealer(PW, iterations=H3)
    token = sealer.seal(DOC)
    hits = sealer._cache_info()[2]
    for _ in range(3):
        assert sealer.unseal(token) == DOC
    assert sealer._cache_info()[2] == hits + 3
    cold = iron_fast.Sealer(PW, iterations=H3)
    assert cold.unseal(token) == DOC
    assert cold._cache_info()[2:] == (0, 1)


# -- live, with the real @hapi/iron at 8192 ----------------------------------

SCENARIOS = [
    ("string", PW, PW, "1"),
    ("rotation-map", {1: OLD, 2: NEW}, {1: OLD, 2: NEW}, "2"),
]


@pytest.mark.parametrize(
    ("seal_pw", "read_pw", "pid"),
    [s[1:] for s in SCENARIOS],
    ids=[s[0] for s in SCENARIOS],
)
def test_python_seals_hapi_unseals_at_8192(node_peer, seal_pw, read_pw, pid):
    token = iron_fast.Sealer(seal_pw, iterations=H3).seal(DOC)
    assert token.split("*")[1] == pid
    assert node_peer.unseal("hapi", token, read_pw, iterations=H3) == (
        True,
        DOC,
    )
    ok, error = node_peer.unseal("hapi", token, read_pw)  # 1 iteration
    assert not ok and "Bad hmac" in error


@pytest.mark.parametrize(
    ("seal_pw", "read_pw", "pid"),
    [s[1:] for s in SCENARIOS],
    ids=[s[0] for s in SCENARIOS],
)
def test_hapi_seals_python_unseals_at_8192(node_peer, seal_pw, read_pw, pid):
    token = node_peer.seal("hapi", DOC, seal_pw, ttl=3600, iterations=H3)
    assert token.split("*")[1] == pid
    assert iron_fast.Sealer(read_pw, iterations=H3).unseal(token) == DOC
    assert iron_fast.unseal_data(token, password=read_pw, iterations=H3) == (
        DOC
    )
    with pytest.raises(BadSeal):
        iron_fast.Sealer(read_pw).unseal(token)
