# SPDX-License-Identifier: MIT
"""Loading the vector files and turning their encodings into Python values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> dict[str, Any]:
    with open(VECTORS / name, encoding="utf-8") as f:
        return json.load(f)


def secret(value: Any) -> str | bytes:
    if isinstance(value, dict):
        return bytes.fromhex(value["bytes_hex"])
    return value


def password(value: Any) -> Any:
    """A vector's password: a str, {"bytes_hex": …} for raw key bytes, or a
    map id -> secret."""
    if isinstance(value, dict) and "bytes_hex" not in value:
        return {k: secret(v) for k, v in value.items()}
    return secret(value)


def fixed_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """A vector's fixed seal inputs as ``Sealer._seal_with`` takes them."""
    return {
        "ttl": inputs["ttl_s"],
        "now_ms": inputs["now_ms"],
        "encryption_salt": inputs["encryption_salt"],
        "hmac_salt": inputs["hmac_salt"],
        "iv": bytes.fromhex(inputs["iv_hex"]),
        "password_id": inputs["password_id"],
    }
