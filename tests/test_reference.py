# SPDX-License-Identifier: MIT
"""The pure-Python benchmark baseline (benches/reference.py) is correct:
it reproduces the deterministic vectors byte for byte and reads its own
seals, so benchmarking against it compares like with like."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_file

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors" / "deterministic.json"


ref = load_file("iron_reference", ROOT / "benches" / "reference.py")
PASSWORD = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"


def _secret(value: Any) -> Any:
    """A vector password: a string, {"bytes_hex": …} for a raw key, or an
    id -> secret map."""
    if isinstance(value, dict):
        if "bytes_hex" in value:
            return bytes.fromhex(value["bytes_hex"])
        return {k: _secret(v) for k, v in value.items()}
    return value


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def _cases() -> list[dict[str, Any]]:
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    return [
        c
        for c in cases
        if c["inputs"]["algorithm"] == "aes-256-cbc"
        and c["expected"].get("iron_session_seal")
    ]


CASES = _cases()


def _reproducible(case: dict[str, Any]) -> bool:
    plaintext = case["inputs"]["plaintext_json"].encode("utf-8")
    return bool(ref.to_json(case["inputs"]["data"]) == plaintext)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_deterministic_vector(case: dict[str, Any]) -> None:
    inputs, expected = case["inputs"], case["expected"]
    password = _secret(inputs["password"])
    if not _reproducible(case):
        # Python's json formats some floats differently from JSON.stringify
        # (docs/format.md section 8), so the reference cannot seal these bytes;
        # it must still open the real seal and read the same numbers.
        assert _has_float(inputs["data"]), inputs
        opened = ref.unseal(
            expected["iron_session_seal"],
            password=password,
            now_ms=inputs["now_ms"],
        )
        assert opened == inputs["data"]
        return
    secret = _secret(inputs["secret_used"])
    if isinstance(secret, str):
        enc_salt, hmac_salt = inputs["encryption_salt"], inputs["hmac_salt"]
        enc_key, hmac_key = (
            ref._key(secret, enc_salt),
            ref._key(secret, hmac_salt),
        )
        assert enc_key.hex() == expected["encryption_key_hex"]
        assert hmac_key.hex() == expected["hmac_key_hex"]

    sealed = ref.seal_with(
        inputs["data"],
        password=password,
        ttl=inputs["ttl_s"],
        now_ms=inputs["now_ms"],
        encryption_salt=inputs["encryption_salt"],
        hmac_salt=inputs["hmac_salt"],
        iv=bytes.fromhex(inputs["iv_hex"]),
    )
    assert sealed == expected["iron_session_seal"]
    assert sealed.startswith(expected["mac_base_string"] + "*")
    assert sealed.split("*")[5] == expected["expiration"]

    opened = ref.unseal(sealed, password=password, now_ms=inputs["now_ms"])
    assert opened == inputs["data"]


def test_enough_vectors_checked() -> None:
    checked = [c["name"] for c in CASES if _reproducible(c)]
    assert len(checked) >= 20, checked


@pytest.mark.parametrize(
    "password",
    [PASSWORD, {1: PASSWORD, "2": "second-password-0123456789-abcdef"}],
    ids=["string", "rotation-map"],
)
@pytest.mark.parametrize(
    "data",
    [
        {"user": {"id": 1, "name": "Zoë 🐍"}, "roles": ["admin"]},
        {},
        [1, "two", None, True],
        "x" * 5000,
    ],
    ids=["session", "empty", "array", "long-string"],
)
def test_round_trip(data: Any, password: Any) -> None:
    sealed = ref.seal_data(data, password=password)
    assert sealed.endswith("~2")
    assert ref.unseal(sealed, password=password) == data
    assert ref.unseal_data(sealed, password=password) == data
    expected_id = "1" if isinstance(password, str) else "2"
    assert sealed.split("*")[1] == expected_id


def test_fresh_salts_and_iv_per_seal() -> None:
    a = ref.seal_data({"a": 1}, password=PASSWORD).split("*")
    b = ref.seal_data({"a": 1}, password=PASSWORD).split("*")
    assert a[2] != b[2] and a[3] != b[3] and a[6] != b[6]
    assert a[2] != a[6]
    assert len(a[2]) == len(a[6]) == 64 and len(a[3]) == 22


def test_expiry_with_skew() -> None:
    now = 1_767_225_600_000
    sealed = ref.seal_with(
        {"a": 1},
        password=PASSWORD,
        ttl=60,
        now_ms=now,
        encryption_salt="a" * 64,
        hmac_salt="b" * 64,
        iv=bytes(16),
    )
    expiration = now + 60_000
    assert sealed.split("*")[5] == str(expiration)
    assert ref.unseal(sealed, password=PASSWORD, now_ms=expiration + 59_999)
    with pytest.raises(ref.IronError, match="Expired seal"):
        ref.unseal(sealed, password=PASSWORD, now_ms=expiration + 60_000)


@pytest.mark.parametrize("field", range(8))
def test_tampered_field_is_rejected(field: int) -> None:
    sealed = ref.seal_data({"user": {"id": 1}}, password=PASSWORD)
    parts = sealed[:-2].split("*")
    value = parts[field]
    last = "B" if value.endswith("A") else "A"
    parts[field] = value[:-1] + last if value else "1"
    tampered = "*".join(parts) + "~2"
    with pytest.raises(ref.IronError):
        ref.unseal(tampered, password=PASSWORD)
    assert ref.unseal_data(tampered, password=PASSWORD) == {}


def test_wrong_password_and_unknown_id() -> None:
    sealed = ref.seal_data({"a": 1}, password=PASSWORD)
    with pytest.raises(ref.IronError, match="Bad hmac value"):
        ref.unseal(sealed, password="another-password-0123456789-abcdef")
    with pytest.raises(ref.IronError, match="Cannot find password: 1"):
        ref.unseal(sealed, password={2: PASSWORD})
    assert ref.unseal(sealed, password={1: PASSWORD}) == {"a": 1}


def test_short_password_is_refused() -> None:
    with pytest.raises(ref.IronError, match="too short"):
        ref.seal_data({}, password="x" * 31)
    # 16 emoji are 32 UTF-16 code units, as JavaScript counts.
    assert (
        ref.unseal(ref.seal_data({}, password="🔑" * 16), password="🔑" * 16)
        == {}
    )


@pytest.mark.parametrize(
    "data",
    [
        {"user": {"id": 1, "name": "Zoë 🐍"}, "roles": ["admin"]},
        [],
        "x" * 3000,
    ],
    ids=["session", "empty-array", "long-string"],
)
def test_same_format_as_iron_fast(data: Any) -> None:
    iron_fast = pytest.importorskip("iron_fast")
    sealer = iron_fast.Sealer(PASSWORD)
    assert sealer.unseal(ref.seal_data(data, password=PASSWORD)) == data
    assert ref.unseal(sealer.seal(data), password=PASSWORD) == data
