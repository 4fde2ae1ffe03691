# SPDX-License-Identifier: MIT
"""Live interop with the real npm packages (iron-session 8.0.4 and 9.0.1,
@hapi/iron 7.0.1) through the Node peer in tests/interop/peer.mjs.

Needs Node and ``npm ci`` in tests/interop (see tests/interop/README.md);
skipped without them unless IRON_FAST_REQUIRE_ALL=1.
"""

from __future__ import annotations

import functools
import json
import math
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import iron_fast
from iron_fast._core import to_json

LIBS = ("v8", "v9")

PASSWORD = "a-32-character-long-test-password!"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
OTHER = "some-other-secret-of-enough-length!!"
assert min(map(len, (PASSWORD, OLD, NEW, OTHER))) >= 32

MAX_SAFE = 2**53 - 1

# (name, password the sealer uses, password the reader uses, expected id).
# Python takes int keys; the peer receives the same map as JSON (str keys).
SCENARIOS = [
    ("string", PASSWORD, PASSWORD, "1"),
    ("rotation-map", {1: OLD, 2: NEW}, {1: OLD, 2: NEW}, "2"),
    ("old-seal-new-map", {1: OLD}, {1: OLD, 2: NEW}, "1"),
]

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


# --------------------------------------------------------------------------
# Data: JSON values as JavaScript sees them.


def js_str(s: str) -> str:
    """The string JS holds for the same UTF-16 code units: a Python high
    and low surrogate side by side *are* one non-BMP character in JS."""
    units = s.encode("utf-16-le", "surrogatepass")
    return units.decode("utf-16-le", "surrogatepass")


_specials = st.sampled_from(
    [
        '"',
        "\\",
        "/",
        "\n",
        "\r",
        "\t",
        "\b",
        "\f",
        "\x00",
        "\x1f",
        "\x7f",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\ufffd",
        "é",
        "€",
        "😀",
        "\U0010ffff",
        "\ud800",
        "\udbff",
        "\udc00",
        "\udfff",
        "~",
        "*",
    ]
)
_char = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.characters(min_codepoint=0x10000),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    _specials,
)
text = st.text(_char, max_size=24).map(js_str)
numbers = st.one_of(
    st.integers(-MAX_SAFE, MAX_SAFE),
    st.sampled_from([0, -1, MAX_SAFE, -MAX_SAFE, 2**31, 2**32 - 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [0.0, -0.0, 1.0, 1e16, 1e20, 1e21, 1e-6, 1e-7, 5e-324, 2.0**64]
    ),
)
leaves = st.one_of(st.none(), st.booleans(), numbers, text)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(text, inner, max_size=5)
    ),
    max_leaves=24,
)
documents = st.dictionaries(text, values, max_size=6)


def has_proto_key(value: Any) -> bool:
    if isinstance(value, dict):
        return "__proto__" in value or any(map(has_proto_key, value.values()))
    if isinstance(value, list):
        return any(map(has_proto_key, value))
    return False


# @hapi/iron parses with Bourne, which refuses "__proto__" keys by design.
hapi_documents = documents.filter(lambda d: not has_proto_key(d))

EDGE_DOC = {
    "": [],
    "empty": {},
    "nested": {"a": [{"b": [[], {}]}], "10": 1, "2": 2},
    "ints": [MAX_SAFE, -MAX_SAFE, 0, -1],
    "floats": [1.5, -0.0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308],
    "text": '"\\\n\x00\x7f\u2028😀\udfff\ud800',  # low then high: no pair
    "bool": [True, False, None],
}


def same(a: Any, b: Any) -> bool:
    """JSON values equal as JavaScript sees them: numbers are doubles (an
    int may come back as an equal float or vice versa, -0 as 0), bools are
    not numbers, strings compare exactly."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return False


def assert_same(got: Any, want: Any) -> None:
    assert same(got, want), f"\n got: {got!r}\nwant: {want!r}"


def seal_id(seal: str) -> str:
    return seal.split("*")[1]


def seal_expiration(seal: str) -> str:
    return seal.split("~")[0].split("*")[5]


# --------------------------------------------------------------------------
# Properties: Python <-> iron-session 8 / 9.

scenarios = st.sampled_from(SCENARIOS)


@pytest.mark.parametrize("lib", LIBS)
@PROPERTY
@given(data=documents, scenario=scenarios)
@example(data=EDGE_DOC, scenario=SCENARIOS[0])
@example(data={}, scenario=SCENARIOS[1])
def test_python_seals_node_unseals(node_peer, lib, data, scenario):
    _name, seal_pw, read_pw, want_id = scenario
    seal = iron_fast.seal_data(data, password=seal_pw)
    assert seal.startswith("Fe26.2*") and seal.endswith("~2")
    assert seal_id(seal) == want_id
    ok, got = node_peer.unseal(lib, seal, read_pw)
    assert ok, got
    assert_same(got, data)


@pytest.mark.parametrize("lib", LIBS)
@PROPERTY
@given(data=documents, scenario=scenarios)
@example(data=EDGE_DOC, scenario=SCENARIOS[0])
@example(data={}, scenario=SCENARIOS[2])
def test_node_seals_python_unseals(node_peer, lib, data, scenario):
    _name, seal_pw, read_pw, want_id = scenario
    seal = node_peer.seal(lib, data, seal_pw)
    assert seal_id(seal) == want_id
    assert_same(iron_fast.unseal_data(seal, password=read_pw), data)
    assert_same(iron_fast.unseal(seal, password=read_pw), data)


@PROPERTY
@given(data=documents)
@example(data=EDGE_DOC)
@example(data={"s": "\ud83d\ude00"})
def test_to_json_matches_json_stringify(node_peer, data):
    """The plaintext Python seals is the text JSON.stringify writes."""
    assert to_json(data) == node_peer.stringify(data)


# --------------------------------------------------------------------------
# Properties: Python <-> @hapi/iron (the reference protocol, no "~2").


@settings(PROPERTY, max_examples=100)
@given(data=hapi_documents, scenario=scenarios)
@example(data=EDGE_DOC, scenario=SCENARIOS[1])
def test_python_seals_hapi_unseals(node_peer, data, scenario):
    _name, seal_pw, read_pw, _id = scenario
    seal = iron_fast.seal_data(data, password=seal_pw)
    ok, got = node_peer.unseal("hapi", seal, read_pw)  # the peer strips "~2"
    assert ok, got
    assert_same(got, data)


@settings(PROPERTY, max_examples=100)
@given(data=hapi_documents, scenario=scenarios)
@example(data=EDGE_DOC, scenario=SCENARIOS[2])
def test_hapi_seals_python_unseals(node_peer, data, scenario):
    _name, seal_pw, read_pw, want_id = scenario
    seal = node_peer.seal("hapi", data, seal_pw)
    assert "~" not in seal and seal_id(seal) == want_id
    assert_same(iron_fast.unseal(seal, password=read_pw), data)
    assert_same(iron_fast.unseal_data(seal + "~2", password=read_pw), data)


# --------------------------------------------------------------------------
# Fixed cases.

DOC = {"user": {"id": 1, "name": "Ada 😀", "admin": False}, "n": 1.5}


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("name,seal_pw,read_pw,want_id", SCENARIOS)
def test_each_scenario_both_ways(
    node_peer, lib, name, seal_pw, read_pw, want_id
):
    seal = iron_fast.seal_data(DOC, password=seal_pw)
    assert seal_id(seal) == want_id
    assert node_peer.unseal(lib, seal, read_pw) == (True, DOC)
    seal = node_peer.seal(lib, DOC, seal_pw)
    assert seal_id(seal) == want_id
    assert iron_fast.unseal_data(seal, password=read_pw) == DOC


@pytest.mark.parametrize("lib", LIBS)
def test_string_password_is_the_map_with_id_1(node_peer, lib):
    """iron-session turns a plain string password into {1: password}, for
    sealing and for unsealing; iron_fast does the same. So a string opens
    id-1 seals made with a map, and does NOT open a seal whose id is 2
    even when the secret is the same (only bare @hapi/iron, which has no
    such mapping, accepts a string for any id)."""
    # A map seal with id 1 is read with the string, both ways.
    seal = node_peer.seal(lib, DOC, {1: NEW})
    assert seal_id(seal) == "1"
    assert iron_fast.unseal_data(seal, password=NEW) == DOC
    assert iron_fast.unseal(seal, password=NEW) == DOC
    seal = iron_fast.seal_data(DOC, password={1: NEW})
    assert node_peer.unseal(lib, seal, NEW) == (True, DOC)
    # ...and a string seal is read with the map {1: secret}.
    seal = node_peer.seal(lib, DOC, NEW)
    assert iron_fast.unseal_data(seal, password={1: NEW}) == DOC
    seal = iron_fast.seal_data(DOC, password=NEW)
    assert node_peer.unseal(lib, seal, {1: NEW}) == (True, DOC)

    # Id 2 with the same secret: not found, on both sides.
    seal = node_peer.seal(lib, DOC, {1: OLD, 2: NEW})
    assert seal_id(seal) == "2"
    assert iron_fast.unseal_data(seal, password=NEW) == {}
    with pytest.raises(iron_fast.UnknownPassword):
        iron_fast.unseal(seal, password=NEW)
    assert node_peer.unseal(lib, seal, NEW) == (True, {})
    seal = iron_fast.seal_data(DOC, password={1: OLD, 2: NEW})
    assert node_peer.unseal(lib, seal, NEW) == (True, {})
    assert node_peer.unseal(lib, seal, {2: NEW}) == (True, DOC)
    assert node_peer.unseal("hapi", seal, NEW) == (True, DOC)


@pytest.mark.parametrize("lib", LIBS)
def test_highest_numeric_id_seals(node_peer, lib):
    """{1, 2, 10}: 10 seals (numeric, not lexicographic) on both sides."""
    py_map = {"1": OLD, "2": OTHER, "10": NEW}
    py_seal = iron_fast.seal_data(DOC, password=py_map)
    node_seal = node_peer.seal(lib, DOC, py_map)
    assert seal_id(py_seal) == seal_id(node_seal) == "10"
    assert node_peer.unseal(lib, py_seal, {10: NEW}) == (True, DOC)
    assert iron_fast.unseal_data(node_seal, password={10: NEW}) == DOC


@pytest.mark.parametrize("lib", LIBS)
def test_wrong_password_gives_empty_both_ways(node_peer, lib):
    seal = iron_fast.seal_data(DOC, password=PASSWORD)
    assert node_peer.unseal(lib, seal, OTHER) == (True, {})
    assert node_peer.unseal(lib, seal, {1: OTHER}) == (True, {})

    seal = node_peer.seal(lib, DOC, PASSWORD)
    assert iron_fast.unseal_data(seal, password=OTHER) == {}
    assert iron_fast.unseal_data(seal, password={1: OTHER}) == {}
    with pytest.raises(iron_fast.BadSeal):
        iron_fast.unseal(seal, password=OTHER)


@pytest.mark.parametrize("lib", LIBS)
def test_unknown_password_id_gives_empty_both_ways(node_peer, lib):
    seal = iron_fast.seal_data(DOC, password={3: OTHER})
    assert node_peer.unseal(lib, seal, {1: OLD, 2: NEW}) == (True, {})

    seal = node_peer.seal(lib, DOC, {3: OTHER})
    assert seal_id(seal) == "3"
    assert iron_fast.unseal_data(seal, password={1: OLD, 2: NEW}) == {}
    with pytest.raises(iron_fast.UnknownPassword):
        iron_fast.unseal(seal, password={1: OLD, 2: NEW})


def test_hapi_wrong_password_and_unknown_id(node_peer):
    seal = iron_fast.seal_data(DOC, password=PASSWORD)
    ok, err = node_peer.unseal("hapi", seal, OTHER)
    assert not ok and "Bad hmac value" in err
    seal = iron_fast.seal_data(DOC, password={3: OTHER})
    ok, err = node_peer.unseal("hapi", seal, {1: OLD, 2: NEW})
    assert not ok and "Cannot find password: 3" in err


@pytest.mark.parametrize("lib", LIBS)
def test_node_seal_expiry_checked_by_python(node_peer, lib):
    """ttl=1 s from iron-session, read by the strict API with a shifted
    clock instead of waiting: valid now and inside the 60 s skew window,
    expired once past expiration + 60 s."""
    before = int(time.time() * 1000)
    seal = node_peer.seal(lib, DOC, PASSWORD, ttl=1)
    after = int(time.time() * 1000)
    expiration = int(seal_expiration(seal))
    assert before + 1000 <= expiration <= after + 1000

    assert iron_fast.unseal(seal, password=PASSWORD) == DOC
    unseal = functools.partial(iron_fast.unseal, seal, password=PASSWORD)
    assert unseal(localtime_offset_ms=30_000) == DOC
    with pytest.raises(iron_fast.ExpiredSeal):
        unseal(localtime_offset_ms=120_000)
    with pytest.raises(iron_fast.ExpiredSeal):
        unseal(timestamp_skew_sec=0, localtime_offset_ms=10_000)
    # A seal from the past (hapi lets us shift Node's clock) is expired now.
    old = node_peer.seal(
        "hapi", DOC, PASSWORD, ttl=1, localtime_offset_ms=-120_000
    )
    assert iron_fast.unseal_data(old, password=PASSWORD) == {}
    with pytest.raises(iron_fast.ExpiredSeal):
        iron_fast.unseal(old, password=PASSWORD)


def test_python_seal_expiry_checked_by_node(node_peer):
    """A Python seal whose expiration + skew is past is refused by all
    three libraries; a fresh ttl=1 seal is still accepted."""
    fresh = iron_fast.seal_data(DOC, password=PASSWORD, ttl=1)
    stale = iron_fast.seal(
        DOC, password=PASSWORD, ttl=1, localtime_offset_ms=-120_000
    )
    assert int(seal_expiration(stale)) < int(time.time() * 1000) - 60_000
    for lib in LIBS:
        assert node_peer.unseal(lib, fresh, PASSWORD) == (True, DOC)
        assert node_peer.unseal(lib, stale, PASSWORD) == (True, {})
    assert node_peer.unseal("hapi", fresh, PASSWORD) == (True, DOC)
    ok, err = node_peer.unseal("hapi", stale, PASSWORD)
    assert not ok and "Expired seal" in err
    # ...and hapi with its clock shifted back accepts the same seal.
    assert node_peer.unseal(
        "hapi", stale, PASSWORD, localtime_offset_ms=-120_000
    ) == (True, DOC)


@pytest.mark.parametrize("lib", LIBS)
def test_ttl_zero_and_custom_ttl(node_peer, lib):
    forever = iron_fast.seal_data(DOC, password=PASSWORD, ttl=0)
    assert seal_expiration(forever) == ""
    assert node_peer.unseal(lib, forever, PASSWORD) == (True, DOC)
    node_forever = node_peer.seal(lib, DOC, PASSWORD, ttl=0)
    assert seal_expiration(node_forever) == ""
    assert iron_fast.unseal(node_forever, password=PASSWORD) == DOC

    now = time.time() * 1000
    hour = iron_fast.seal_data(DOC, password=PASSWORD, ttl=3600)
    assert math.isclose(
        int(seal_expiration(hour)), now + 3_600_000, abs_tol=5_000
    )
    default = node_peer.seal(lib, DOC, PASSWORD)
    assert math.isclose(
        int(seal_expiration(default)), now + 1_209_600_000, abs_tol=5_000
    )
    assert node_peer.unseal(lib, hour, PASSWORD) == (True, DOC)


@pytest.mark.parametrize("lib", LIBS)
def test_surrogates_as_javascript_sees_them(node_peer, lib):
    """Lone surrogates survive both ways; a Python high+low surrogate pair
    written as two code points is one non-BMP character in JavaScript."""
    data = {"lone": "a\ud800b\udfff", "\udc00key": "x", "pair": "\ud83d\ude00"}
    seal = iron_fast.seal_data(data, password=PASSWORD)
    ok, got = node_peer.unseal(lib, seal, PASSWORD)
    assert ok, got
    assert got == {"lone": "a\ud800b\udfff", "\udc00key": "x", "pair": "😀"}
    seal = node_peer.seal(lib, got, PASSWORD)
    assert iron_fast.unseal_data(seal, password=PASSWORD) == got


@pytest.mark.parametrize("lib", (*LIBS, "hapi"))
@pytest.mark.parametrize("password", ["🔑" * 16, "é" * 32, "\x00" + "ß" * 31])
def test_non_ascii_passwords(node_peer, lib, password):
    """Length in UTF-16 units (16 emoji = 32), secret as UTF-8 bytes."""
    seal = iron_fast.seal_data(DOC, password=password)
    assert node_peer.unseal(lib, seal, password) == (True, DOC)
    seal = node_peer.seal(lib, DOC, password)
    assert iron_fast.unseal(seal, password=password) == DOC


def test_v8_and_v9_read_python_seals_identically(node_peer):
    """Same seal, same answer from both majors (and iron_fast)."""
    seal = iron_fast.seal_data(EDGE_DOC, password={1: OLD, 2: NEW})
    answers = [node_peer.unseal(lib, seal, {1: OLD, 2: NEW}) for lib in LIBS]
    assert answers[0] == answers[1]
    assert answers[0][0]
    assert_same(answers[0][1], EDGE_DOC)
    assert json.loads(to_json(EDGE_DOC)) == answers[0][1]


def test_peer_versions(node_peer):
    assert node_peer.versions["iron-session-8"] == "8.0.4"
    assert node_peer.versions["iron-session-9"] == "9.0.1"
    assert node_peer.versions["@hapi/iron"] == "7.0.1"
