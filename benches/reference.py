# SPDX-License-Identifier: MIT
"""Pure-Python iron-session ``sealData``/``unsealData``: the benchmark
baseline, what a Python developer would write without iron_fast.

The ``Fe26.2`` seal of docs/format.md (sections 1-3 and 8) from
``hashlib`` (PBKDF2-SHA1, 1 iteration), ``cryptography`` (AES-256-CBC) and
``hmac`` (SHA-256), written to be reasonably efficient (one-shot
``hmac.digest``, one ``os.urandom`` per seal, a prebuilt JSON encoder)
but, like iron, deriving both keys on every seal and unseal. A seal is
accepted while ``now < expiration + 60 s``; the JSON text is
``JSON.stringify``'s for strings, integers and objects whose keys are in
JavaScript order. ``tests/test_reference.py`` checks it
against ``tests/vectors/deterministic.json``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import time
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

Secret = str | bytes
Password = Secret | Mapping[int | str, Secret]

MAC_PREFIX = "Fe26.2"
VERSION_SUFFIX = "~2"
DEFAULT_TTL = 14 * 24 * 3600  # iron-session's default, in seconds
TIMESTAMP_SKEW_MS = 60 * 1000
MIN_PASSWORD_LEN = 32  # UTF-16 code units, as JavaScript counts them
SALT_BYTES = 32
IV_LEN = 16
KEY_LEN = 32

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_DIGITS = re.compile(r"[0-9]+")
_ID = re.compile(r"[A-Za-z0-9_]+")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


class IronError(ValueError):
    """Any seal or unseal failure (the message says which)."""


# --- encoding helpers -----------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    # @hapi/iron's rule: only the URL-safe alphabet, no padding.
    if not _B64URL.fullmatch(text):
        raise IronError("Invalid character")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise IronError("Invalid character") from exc


def to_json(data: object) -> bytes:
    """The UTF-8 JSON plaintext of ``data``."""
    text = _ENCODER.encode(data)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates: JSON.stringify writes them as lowercase \udxxx
        # escapes and keeps well-formed pairs as the character.
        text = text.encode("utf-16-le", "surrogatepass").decode(
            "utf-16-le", "surrogatepass"
        )
        text = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
        return text.encode("utf-8")


def _from_json(plaintext: bytes) -> Any:
    # TextDecoder semantics: invalid UTF-8 becomes U+FFFD, a BOM is dropped.
    text = plaintext.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise IronError(f"Failed parsing sealed object JSON: {exc}") from exc


# --- keys and passwords ---------------------------------------------------


def _js_length(secret: str) -> int:
    if len(secret) >= MIN_PASSWORD_LEN:
        return len(secret)  # UTF-16 is never shorter than the code points
    return len(secret.encode("utf-16-le")) // 2


def _key(secret: Secret, salt: str) -> bytes:
    """iron's generateKey: PBKDF2 for a string, the bytes themselves
    otherwise."""
    if isinstance(secret, bytes):
        if len(secret) < KEY_LEN:
            raise IronError("Key buffer (password) too small")
        return secret
    if not secret:
        raise IronError("Empty password")
    if _js_length(secret) < MIN_PASSWORD_LEN:
        raise IronError(
            "Password string too short (min 32 characters required)"
        )
    return hashlib.pbkdf2_hmac(
        "sha1", secret.encode("utf-8"), salt.encode("utf-8"), 1, KEY_LEN
    )


def _sealing_secret(password: Password) -> tuple[str, Secret]:
    """iron-session's choice: a plain secret seals as id "1"; in a map the
    numerically highest id seals."""
    if isinstance(password, (str, bytes)):
        return "1", password
    if not password:
        raise IronError("Empty password")
    newest = max(int(k) for k in password)
    for key in (newest, str(newest)):
        secret = password.get(key)  # type: ignore[call-overload]
        if secret:
            return str(newest), secret
    raise IronError("Empty password")


def _unsealing_secret(password: Password, password_id: str) -> Secret:
    if isinstance(password, (str, bytes)):
        return password
    key = password_id or "default"
    secret = password.get(key)  # type: ignore[call-overload]
    if not secret and key.isascii() and key.isdigit():
        # Maps may use int ids; JS property keys are canonical strings.
        if str(int(key)) == key:
            secret = password.get(int(key))  # type: ignore[call-overload]
    if not secret:
        raise IronError(f"Cannot find password: {key}")
    return secret


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# --- seal -------------------------------------------------------------------


def _seal_plaintext(
    plaintext: bytes,
    password_id: str,
    secret: Secret,
    *,
    ttl: int,
    now_ms: int,
    encryption_salt: str,
    hmac_salt: str,
    iv: bytes,
) -> str:
    if password_id and not _ID.fullmatch(password_id):
        raise IronError("Invalid password id")
    if isinstance(secret, bytes):
        encryption_salt = hmac_salt = ""
    enc_key = _key(secret, encryption_salt)
    pad = IV_LEN - len(plaintext) % IV_LEN
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(plaintext + bytes((pad,)) * pad)
    ciphertext += encryptor.finalize()
    expiration = str(now_ms + ttl * 1000) if ttl else ""
    mac_base = (
        f"{MAC_PREFIX}*{password_id}*{encryption_salt}*{_b64url(iv)}"
        f"*{_b64url(ciphertext)}*{expiration}"
    )
    digest = hmac.digest(
        _key(secret, hmac_salt), mac_base.encode("ascii"), "sha256"
    )
    return f"{mac_base}*{hmac_salt}*{_b64url(digest)}{VERSION_SUFFIX}"


def seal_data(
    data: object, *, password: Password, ttl: int = DEFAULT_TTL
) -> str:
    """iron-session ``sealData``: ``Fe26.2*…~2``. ``ttl`` in seconds, 0 =
    never expires."""
    now_ms = _now_ms()
    plaintext = to_json(data)
    password_id, secret = _sealing_secret(password)
    rand = os.urandom(2 * SALT_BYTES + IV_LEN)
    return _seal_plaintext(
        plaintext,
        password_id,
        secret,
        ttl=ttl,
        now_ms=now_ms,
        encryption_salt=rand[:SALT_BYTES].hex(),
        hmac_salt=rand[SALT_BYTES : 2 * SALT_BYTES].hex(),
        iv=rand[2 * SALT_BYTES :],
    )


def seal_with(
    data: object,
    *,
    password: Password,
    ttl: int,
    now_ms: int,
    encryption_salt: str,
    hmac_salt: str,
    iv: bytes,
    password_id: str | None = None,
) -> str:
    """``seal_data`` with fixed salts, IV and clock, for test vectors.

    ``password_id`` overrides the id iron-session would pick (the secret is
    then looked up under that id)."""
    if password_id is None:
        password_id, secret = _sealing_secret(password)
    else:
        secret = _unsealing_secret(password, password_id)
    return _seal_plaintext(
        to_json(data),
        password_id,
        secret,
        ttl=ttl,
        now_ms=now_ms,
        encryption_salt=encryption_salt,
        hmac_salt=hmac_salt,
        iv=iv,
    )


# --- unseal -----------------------------------------------------------------


def unseal(
    sealed: str, *, password: Password, now_ms: int | None = None
) -> Any:
    """Strict unseal: the sealed value, or ``IronError``. Anything from the
    first ``~`` on is ignored (iron-session 9)."""
    if now_ms is None:
        now_ms = _now_ms()
    parts = sealed.split("~", 1)[0].split("*")
    if len(parts) != 8:
        raise IronError("Incorrect number of sealed components")
    (
        prefix,
        password_id,
        encryption_salt,
        iv_b64,
        ct_b64,
        expiration,
        hmac_salt,
        mac_b64,
    ) = parts
    if prefix != MAC_PREFIX:
        raise IronError("Wrong mac prefix")
    if expiration:
        if not _DIGITS.fullmatch(expiration):
            raise IronError("Invalid expiration")
        if int(expiration) <= now_ms - TIMESTAMP_SKEW_MS:
            raise IronError("Expired seal")
    secret = _unsealing_secret(password, password_id)
    if not hmac_salt and not isinstance(secret, bytes):
        raise IronError("Bad hmac value")  # iron would draw a random salt

    mac_base = "*".join(parts[:6])
    digest = hmac.digest(
        _key(secret, hmac_salt), mac_base.encode("utf-8"), "sha256"
    )
    if not mac_b64.isascii() or not hmac.compare_digest(
        _b64url(digest), mac_b64
    ):
        raise IronError("Bad hmac value")

    iv = _b64url_decode(iv_b64)
    ciphertext = _b64url_decode(ct_b64)
    if len(iv) != IV_LEN or not ciphertext or len(ciphertext) % IV_LEN:
        raise IronError("Bad seal")
    decryptor = Cipher(
        algorithms.AES(_key(secret, encryption_salt)), modes.CBC(iv)
    ).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    # The MAC is already verified, so this is a well-formedness check, not
    # a padding oracle.
    pad = padded[-1]
    if not 1 <= pad <= IV_LEN or padded[-pad:] != bytes((pad,)) * pad:
        raise IronError("Bad seal")
    return _from_json(padded[:-pad])


def unseal_data(sealed: str, *, password: Password) -> Any:
    """iron-session 9 ``unsealData``: the data, or ``{}`` for any bad,
    expired, tampered or unknown-password seal."""
    try:
        value = unseal(sealed, password=password)
    except (IronError, ValueError, TypeError):
        return {}
    return {} if value is None else value
