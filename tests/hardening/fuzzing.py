# SPDX-License-Identifier: MIT
"""Python-level fuzzing (hypothesis): the strategies and the properties,
shared by test_fuzz.py (a bounded run in the suite) and
scripts/hardening/fuzz_python.py (the 10-minute runs of HARDENING.md).

Inputs are built around genuine seals, since random text never gets past
the MAC: a genuine seal, the same with edits (substitutions, insertions,
deletions, truncations, fields swapped from another seal), chunked
sessions split, dropped or reordered, mixed with arbitrary cookies and
junk in a raw Cookie header. The oracle: nothing raises (no 5xx), and a
session is either empty or exactly one that was genuinely sealed into
the input.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import iron_fast
from iron_fast import Sealer, UnsealError
from tests.hardening import adapters

PASSWORD = adapters.PASSWORD
SEALER = Sealer(PASSWORD)
SESSIONS: list[dict[str, Any]] = [
    {},
    {"user": {"id": 1}},
    {"user": {"id": 2, "name": "Zoë", "roles": ["a", "b"]}, "n": 7},
    {"cart": list(range(200)), "note": "é" * 300},
    # Sealed, this one needs chunking (about 8 KB).
    {"blob": "x" * 6000, "n": 1},
]
SEALS = [SEALER.seal(data) for data in SESSIONS]
OTHER_SEAL = Sealer("another-password-for-fuzzing-0123456789").seal(
    {"user": {"id": 1}}
)
EXPIRED_SEAL = iron_fast.seal(
    {"user": {"id": 3}},
    password=PASSWORD,
    ttl=1,
    localtime_offset_ms=-(10**9),
)
SEAL_ALPHABET = '0123456789abcdefABCDEFxyzXYZ-_*~.=+/%" ;,\t\x00\x7f\xe9\u2028'


def iron_part(seal: str) -> str:
    return seal.split("~", 1)[0]


@st.composite
def edited_seal(draw: st.DrawFn) -> str:
    """A genuine seal, or one with one to three edits."""
    seal = draw(st.sampled_from([*SEALS, OTHER_SEAL, EXPIRED_SEAL]))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["sub", "ins", "del", "cut", "swap"]))
        at = draw(st.integers(0, len(seal)))
        char = draw(st.sampled_from(SEAL_ALPHABET) | st.characters())
        if kind == "sub" and at < len(seal):
            seal = seal[:at] + char + seal[at + 1 :]
        elif kind == "ins":
            seal = seal[:at] + char + seal[at:]
        elif kind == "del" and at < len(seal):
            seal = seal[:at] + seal[at + 1 :]
        elif kind == "cut":
            seal = seal[:at]
        elif kind == "swap":
            donor = draw(st.sampled_from(SEALS)).split("*")
            fields = seal.split("*")
            n = draw(st.integers(0, max(len(fields), 1) - 1))
            if n < len(fields) and n < len(donor):
                fields[n] = donor[n]
            seal = "*".join(fields)
    return seal


junk = st.text(alphabet=SEAL_ALPHABET, max_size=80) | st.text(max_size=40)
structured = st.builds(
    lambda fields: "Fe26.2*" + "*".join(fields),
    st.lists(junk, min_size=6, max_size=8),
)
cookie_values = edited_seal() | junk | structured


def check_unseal(value: object) -> None:
    """unseal_data never raises and opens only genuine seals; the strict
    API raises an UnsealError subclass for everything else."""
    data = iron_fast.unseal_data(value, password=PASSWORD)  # type: ignore[arg-type]
    irons = [iron_part(seal) for seal in SEALS]
    if isinstance(value, str) and iron_part(value) in irons:
        assert data == SESSIONS[irons.index(iron_part(value))], value
        return
    assert data == {}, (value, data)
    if isinstance(value, str):
        try:
            SEALER.unseal(value)
        except UnsealError:
            pass
        else:
            raise AssertionError(f"strict unseal accepted {value!r}")


unseal_inputs = (
    cookie_values
    | st.binary(max_size=64)
    | st.none()
    | st.integers()
    | st.text(max_size=5000)
)


# -- Cookie headers ---------------------------------------------------------

name = adapters.COOKIE


def _chunks(seal: str, sizes: list[int]) -> list[str]:
    parts, at = [], 0
    for size in sizes:
        parts.append(seal[at : at + size])
        at += size
    parts.append(seal[at:])
    return parts


@st.composite
def chunked(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A large session as chunk cookies, maybe split elsewhere, dropped,
    duplicated or reordered."""
    seal = draw(st.sampled_from(SEALS[-2:]) | edited_seal())
    sizes = draw(st.lists(st.integers(1, 4000), min_size=1, max_size=4))
    parts = _chunks(seal, sizes)
    pairs = [(f"{name}.{i}", part) for i, part in enumerate(parts)]
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    if pairs and draw(st.booleans()):
        del pairs[draw(st.integers(0, len(pairs) - 1))]
    return pairs


cookie_names = st.sampled_from(
    [name, f"{name}.0", f"{name}.1", f"{name}.4", f" {name}", "other", ""]
) | st.text(alphabet="abc.=_ -\t", max_size=8)
pair = st.tuples(cookie_names, cookie_values)


@st.composite
def cookie_header(draw: st.DrawFn) -> str | None:
    """A raw Cookie header: whole seals, chunks and junk, in any order,
    with odd separators, quotes, spaces and percent-escapes."""
    if draw(st.integers(0, 20)) == 0:
        return None
    pairs: list[tuple[str, str]] = draw(st.lists(pair, max_size=4))
    if draw(st.booleans()):
        pairs.append((name, draw(st.sampled_from(SEALS) | edited_seal())))
    if draw(st.booleans()):
        pairs += draw(chunked())
    pairs = draw(st.permutations(pairs))
    texts = []
    for key, value in pairs:
        wrap = draw(st.sampled_from(["", "", "", '"', "%", " "]))
        if wrap == '"':
            value = f'"{value}"'
        elif wrap == "%":
            value = "".join(
                f"%{ord(c):02X}" if c < "\x80" else c for c in value
            )
        elif wrap == " ":
            value = f" {value}\t"
        texts.append(f"{key}={value}")
    separator = draw(st.sampled_from(["; ", ";", " ; ", ";;"]))
    header = separator.join(texts)
    # What a server hands over: Latin-1 text without CR, LF or NUL.
    return "".join(
        c if "\x20" <= c <= "\xff" or c == "\t" else "?" for c in header
    )


def check_adapter(adapter: Any, header: str | None) -> None:
    adapters.check(adapter, header, SESSIONS)
