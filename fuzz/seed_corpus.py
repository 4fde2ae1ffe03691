#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the cargo-fuzz seed corpora from tests/vectors, so that no binary
blob is committed: fuzz/corpus/unseal/ gets every seal of the vectors (raw
mode, which opens them with the vectors' password) and their plaintexts
(tamper mode); fuzz/corpus/json_parse/ gets every plaintext and the number
texts. The file names are content hashes, so a rerun adds nothing twice
and the fuzzer's own finds beside them are kept.

Usage: python3 fuzz/seed_corpus.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
CORPUS = ROOT / "fuzz" / "corpus"

# First byte of an `unseal` input: bit 0 picks the mode (0 raw, 1 tamper);
# in raw mode bits 1-2 pick the sealer (0: the vectors' password, 1: the
# rotation map), bits 3+ the clock (0: before every vector's expiry).
RAW_VECTOR_PASSWORD = 0b0000
RAW_MAP = 0b0010
RAW_LATE_CLOCK = 0b10000  # clock 2: after most expirations
TAMPER = 0b0001


def _strings(node: object, key: str = "") -> list[tuple[str, str]]:
    """Every (key, string) pair in a JSON document."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _strings(v, k)]
    if isinstance(node, list):
        return [p for v in node for p in _strings(v, key)]
    return [(key, node)] if isinstance(node, str) else []


def _write(folder: Path, data: bytes) -> bool:
    path = folder / hashlib.sha1(data).hexdigest()
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def main() -> None:
    seals: set[str] = set()
    texts: set[str] = set()
    for file in sorted(VECTORS.glob("*.json")):
        for key, value in _strings(json.loads(file.read_text("utf-8"))):
            if value.startswith("Fe26."):
                seals.add(value)
            elif key.endswith("json") or key == "js":
                texts.add(value)
    unseal, parse = CORPUS / "unseal", CORPUS / "json_parse"
    unseal.mkdir(parents=True, exist_ok=True)
    parse.mkdir(parents=True, exist_ok=True)
    added = 0
    for seal in sorted(seals):
        for selector in (RAW_VECTOR_PASSWORD, RAW_MAP, RAW_LATE_CLOCK):
            added += _write(unseal, bytes([selector]) + seal.encode())
    for index, text in enumerate(sorted(texts)):
        data = text.encode()
        added += _write(parse, data)
        # Edit bytes: position (2, little-endian), kind, character, ttl.
        edit = bytes([index % 251, index % 3, index % 5, 0x41 + index % 26])
        sealer = (index % 3) << 1  # the three sealers tamper mode uses
        head = bytes([TAMPER | sealer]) + edit + bytes([index % 256])
        added += _write(unseal, head + data)
    print(
        f"{len(seals)} seals and {len(texts)} JSON texts from {VECTORS}: "
        f"{added} new seed files under {CORPUS}"
    )


if __name__ == "__main__":
    main()
