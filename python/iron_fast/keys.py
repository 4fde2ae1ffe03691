# SPDX-License-Identifier: MIT
"""Passwords for seals: make a new one, read one written as text (one
secret or a JSON rotation map) or in a file, rotate a map to a new
password, and store one in a file only its owner reads."""

from __future__ import annotations

import errno
import json
import os
import secrets
import string
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from iron_fast.errors import PasswordError
from iron_fast.limits import MIN_PASSWORD_LENGTH

if TYPE_CHECKING:
    from iron_fast._core import Password

__all__ = [
    "DEFAULT_PASSWORD_LENGTH",
    "new_password",
    "parse_password",
    "read_password_file",
    "rotate",
    "shown_source",
    "write_password_file",
]

DEFAULT_PASSWORD_LENGTH = 43  # 43 URL-safe characters: 258 bits
# Letters, digits, "-" and "_": safe unquoted in a shell, a .env file, a
# JSON string and a URL, and never mistaken for a JSON password map.
_ALPHABET = string.ascii_letters + string.digits + "-_"


def new_password(length: int = DEFAULT_PASSWORD_LENGTH) -> str:
    """A random password of ``length`` URL-safe characters (6 bits
    each), from the operating system's CSPRNG."""
    if length < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        # A leading "{" can't happen with this alphabet, but a leading
        # "-" reads as an option if someone pastes it into a command.
        if password[0] != "-":
            return password


def parse_password(text: str, source: str) -> Password:
    """One secret, or a JSON map ``{id: secret}`` when ``text`` starts
    with ``{`` (a generated password never does). ``source`` names where
    the text came from in a PasswordError's message, which never holds
    the text itself."""
    if not text.lstrip().startswith("{"):
        return text
    try:
        parsed = json.loads(text)
    except ValueError as error:
        # JSONDecodeError names a position, never the text around it;
        # int()'s ValueError (a number of 4,301+ digits) is not repeated.
        message = (
            str(error)
            if isinstance(error, json.JSONDecodeError)
            else "a number too long to read"
        )
        raise PasswordError(
            f"{source} starts with '{{' but is not a valid JSON password "
            f"map: {message}"
        ) from None
    except RecursionError:
        raise PasswordError(
            f"{source} is not a valid JSON password map: nested too deep"
        ) from None
    if not isinstance(parsed, dict) or not parsed:
        raise PasswordError(
            f"{source} must be one secret or a non-empty JSON object "
            '{"1": "<secret>", "2": "<newer secret>"}'
        )
    # The type Sealer takes; a JSON map's ids are all str.
    passwords: dict[int | str, str | bytes] = {}
    passwords.update(_text_secrets(parsed, source))
    return passwords


def _text_secrets(
    passwords: Mapping[str, object], source: str
) -> dict[str, str]:
    texts = {}
    for number, (key, secret) in enumerate(passwords.items(), 1):
        if not isinstance(secret, str):
            # Named by its position: a long id may be a secret written
            # where its id belongs ({secret: 1}).
            raise PasswordError(
                f"password number {number} in {source} must be a JSON "
                f"string, got {type(secret).__name__}"
            )
        texts[key] = secret
    return texts


def _is_integer_id(key: str) -> bool:
    """iron-session's sealing ids: canonical non-negative integers, no
    leading zero (it looks the secret up by ``String(Math.max(...))``),
    as ``Sealer`` reads them."""
    return key.isascii() and key.isdigit() and (key == "0" or key[0] != "0")


def _numeric_order(key: str) -> tuple[int, int, str]:
    """Integer ids first, by value (compared as text, so an id of any
    length needs no int conversion), then the others by text."""
    if _is_integer_id(key):
        return (0, len(key), key)
    return (1, 0, key)


def _successor(digits: str) -> str:
    """The integer id after ``digits``, by decimal carry on the text."""
    head = digits.rstrip("9")
    carried = "0" * (len(digits) - len(head))
    if not head:
        return "1" + carried
    return head[:-1] + str(int(head[-1]) + 1) + carried


def rotate(
    current: Password, new_secret: str, *, keep: int | None = None
) -> dict[str, str]:
    """The rotation map that adds ``new_secret`` under the next integer
    id (which then seals), keeping the ``keep`` newest existing integer
    ids (all if None) and every non-integer id. Raises PasswordError if
    a secret in ``current`` is not text (a JSON map holds text only)."""
    if isinstance(current, Mapping):
        given = {str(key): value for key, value in current.items()}
    else:
        given = {"1": current}
    existing = _text_secrets(given, "the password map")
    numbered = sorted(filter(_is_integer_id, existing), key=_numeric_order)
    next_id = _successor(numbered[-1]) if numbered else "1"
    dropped = set()
    if keep is not None:
        dropped = set(numbered[: max(len(numbered) - keep, 0)])
    rotated = {
        key: value for key, value in existing.items() if key not in dropped
    }
    rotated[next_id] = new_secret
    return {key: rotated[key] for key in sorted(rotated, key=_numeric_order)}


def shown_source(name: str) -> str:
    """A file or variable name as a message may show it: as itself,
    unless it looks like a secret given in its place (as long as a
    password, and no directory in it)."""
    if len(name) >= MIN_PASSWORD_LENGTH and "/" not in name:
        return "(not repeated: it looks like a secret)"
    return name


def read_password_file(path: str) -> Password:
    """The password in a UTF-8 file (a final newline, which editors and
    ``echo`` add, is not part of it), read as ``parse_password`` reads
    text. Raises PasswordError saying why it cannot be used."""
    source = f"the password file {shown_source(path)}"
    try:
        raw = Path(path).read_bytes()
    except (OSError, ValueError) as error:  # ValueError: a NUL in path
        reason = getattr(error, "strerror", None) or "not a file name"
        raise PasswordError(f"cannot read {source}: {reason}") from None
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise PasswordError(f"{source} is not UTF-8") from None
    if not text:
        raise PasswordError(f"{source} is empty")
    return parse_password(text, source)


def write_password_file(path: str, text: str, *, replace: bool) -> None:
    """Write ``text`` readable by its owner only, atomically, so a crash
    or a concurrent reader never sees half a password file. Raises
    FileExistsError if ``path`` exists and not ``replace``, OSError (or
    ValueError for a NUL in ``path``) if it cannot be written."""
    target = Path(path)
    if target.exists() and not replace:
        raise FileExistsError(errno.EEXIST, "exists", path)
    fd, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        # mkstemp already created it 0600; the chmod covers umask quirks
        # of network filesystems.
        os.chmod(temporary, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text + "\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
