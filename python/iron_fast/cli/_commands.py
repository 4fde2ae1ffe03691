# SPDX-License-Identifier: MIT
"""What each ``iron-fast`` command does, from parsed arguments to the
text it prints, and the exit status that goes with each failure."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from iron_fast._core import Sealer, from_json, seal_fields, to_json
from iron_fast.errors import PasswordError, UnsealError
from iron_fast.keys import (
    new_password,
    parse_password,
    read_password_file,
    rotate,
    shown_source,
    write_password_file,
)
from iron_fast.limits import TIMESTAMP_SKEW_SEC

if TYPE_CHECKING:
    from iron_fast._core import Password

EXIT_OK = 0
# unseal: the seal is tampered, expired or for another password;
# inspect: the text is not an Fe26.2 seal at all.
EXIT_REFUSED = 1
# argparse's own code, kept for every other kind of bad input.
EXIT_USAGE = 2
EXIT_SECRET = 3

PASSWORD_ENV = "IRON_FAST_PASSWORD"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class CliError(Exception):
    """A message for stderr and the exit status that goes with it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# -- input and output ---------------------------------------------------


def _input(value: str | None, what: str) -> str:
    """The argument, or stdin if it is omitted or "-", stripped; bad
    input if there is nothing."""
    if value is None or value == "-":
        if sys.stdin.isatty():
            print(f"reading {what} from stdin (Ctrl-D ends)", file=sys.stderr)
        buffer = getattr(sys.stdin, "buffer", None)
        try:
            # UTF-8 whatever the locale: JSON text is UTF-8 (RFC 8259). No
            # buffer: a replaced sys.stdin (tests, embedding).
            value = buffer.read().decode() if buffer else sys.stdin.read()
        except UnicodeDecodeError as error:
            raise CliError(
                EXIT_USAGE, f"the {what} on stdin is not UTF-8: {error.reason}"
            ) from None
    if not value.strip():
        raise CliError(EXIT_USAGE, f"no {what} given")
    return value.strip()


def _read_password(args: argparse.Namespace) -> tuple[Password, str]:
    """The password and its source, as a message may name it."""
    if args.password_file is not None:
        path: str = args.password_file
        source = f"the password file {shown_source(path)}"
        return read_password_file(path), source
    name: str = args.password_env
    try:
        text = os.environ.get(name)
    except ValueError:  # a name no environment can hold
        text = None
    if not text:
        raise CliError(
            EXIT_SECRET,
            f"no password: set the environment variable {shown_source(name)}"
            ", or use --password-env NAME or --password-file PATH",
        )
    source = f"${shown_source(name)}"
    return parse_password(text, source), source


def _sealer(
    args: argparse.Namespace, **options: int
) -> tuple[Password, Sealer]:
    try:
        password, source = _read_password(args)
    except PasswordError as error:  # the message never holds the text
        raise CliError(EXIT_SECRET, str(error)) from None
    try:
        return password, Sealer(password, **options)
    except PasswordError as error:
        # The message names ids and lengths, never a secret.
        raise CliError(EXIT_SECRET, f"{source}: {error}") from None


def _write(text: str) -> None:
    """``text`` and a newline on stdout, as UTF-8 whatever the console's
    code page (a session may hold any character). A lone surrogate can
    only sit inside a JSON string, where backslashreplace writes it as
    the ``\\uXXXX`` escape JSON.stringify writes."""
    data = (text + "\n").encode("utf-8", "backslashreplace")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


# -- the commands -------------------------------------------------------


def keygen(args: argparse.Namespace) -> int:
    if args.keep is not None and not args.rotate:
        raise CliError(EXIT_USAGE, "--keep only applies with --rotate")
    secret = new_password(args.length)
    output = secret
    if args.rotate:
        # Sealer refuses an unusable configuration before it is rotated.
        password, _ = _sealer(args)
        rotated = rotate(password, secret, keep=args.keep)
        output = json.dumps(rotated, ensure_ascii=False, separators=(",", ":"))
    if args.output is None:
        _write(output)
        return EXIT_OK
    try:
        write_password_file(args.output, output, replace=args.force)
    except FileExistsError:
        raise CliError(
            EXIT_USAGE, f"{args.output} exists: pass --force to replace it"
        ) from None
    except (OSError, ValueError) as error:  # ValueError: a NUL
        reason = getattr(error, "strerror", None) or "not a file name"
        raise CliError(
            EXIT_USAGE, f"cannot write {args.output}: {reason}"
        ) from None
    print(f"wrote {args.output} (mode 0600)", file=sys.stderr)
    return EXIT_OK


def seal(args: argparse.Namespace) -> int:
    _, sealer = _sealer(args)
    text = _input(args.json, "JSON data")
    try:
        data = from_json(text)
    except ValueError as error:  # invalid JSON, or a 4,301-digit number
        raise CliError(EXIT_USAGE, f"cannot read the data: {error}") from None
    try:
        sealed = sealer.seal(data, ttl=args.ttl)
    except PasswordError as error:  # a map with no integer id to seal
        raise CliError(EXIT_SECRET, str(error)) from None
    except ValueError as error:  # SerializationError and the like
        raise CliError(EXIT_USAGE, str(error)) from None
    _write(sealed)
    return EXIT_OK


def unseal(args: argparse.Namespace) -> int:
    _, sealer = _sealer(args, timestamp_skew_sec=args.skew)
    text = _input(args.seal, "seal")
    try:
        value = sealer.unseal(text)
        # to_json first, also for --pretty: it refuses what JSON cannot
        # hold (an infinite float from 1e400) instead of writing Infinity.
        shown = to_json(value)
        if args.pretty:
            shown = json.dumps(value, indent=2, ensure_ascii=False)
    except UnsealError as error:
        raise CliError(
            EXIT_REFUSED, f"seal refused ({error.reason}): {error}"
        ) from None
    except ValueError as error:  # a number beyond what Python prints
        raise CliError(
            EXIT_USAGE,
            f"the seal opened but its data cannot be shown: {error}",
        ) from None
    _write(shown)
    return EXIT_OK


def inspect(args: argparse.Namespace) -> int:
    text = _input(args.seal, "seal")
    try:
        fields = seal_fields(text)
    except ValueError as error:
        raise CliError(EXIT_REFUSED, str(error)) from None
    now_ms = time.time_ns() // 1_000_000
    expires_ms, size = fields["expires_ms"], fields["ciphertext_bytes"]
    # PKCS#7 pads the JSON text with 1 to 16 bytes.
    low, high = size - 16, size - 1
    marker = fields["marker"]
    if args.json:
        info = {
            "format": "Fe26.2",
            "marker": marker,
            "password_id": fields["password_id"],
            "expires_ms": expires_ms,
            "expires_at": None if expires_ms is None else _iso(expires_ms),
            "expired": expires_ms is not None and expires_ms <= now_ms,
            "seal_length": len(text),
            "ciphertext_bytes": size,
            "plaintext_bytes": [low, high],
        }
        _write(json.dumps(info, indent=2))
        return EXIT_OK
    lines = [
        ("format", "Fe26.2"),
        ("token marker", _marker(marker)),
        ("password id", fields["password_id"] or "(none: iron's 'default')"),
        ("expires", _expiry(expires_ms, now_ms)),
        ("seal length", f"{len(text)} characters"),
        ("ciphertext", f"{size} bytes"),
        ("JSON data", f"{low} to {high} bytes"),
    ]
    _write("\n".join(f"{label + ':':<14}{value}" for label, value in lines))
    return EXIT_OK


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "keygen": keygen,
    "seal": seal,
    "unseal": unseal,
    "inspect": inspect,
}


# -- how inspect shows a seal's fields ------------------------------------


def _marker(marker: str | None) -> str:
    if marker is None:
        return "none (a bare @hapi/iron seal)"
    if marker == "2":
        return "~2 (iron-session's token version)"
    # Outside the MAC: anyone may write a terminal escape there.
    if not marker.isprintable() or len(marker) > 16:
        marker = f"<{len(marker)} characters>"
    return f"~{marker} (unknown; iron-session 9 ignores it)"


def _iso(expires_ms: int) -> str | None:
    """The time as JavaScript's toISOString writes it, or None past
    what a datetime holds (the year 9999)."""
    try:
        when = _EPOCH + timedelta(milliseconds=expires_ms)
    except OverflowError:
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{expires_ms % 1000:03d}Z"


def _span(ms: int) -> str:
    days, seconds = divmod(ms // 1000, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def _expiry(expires_ms: int | None, now_ms: int) -> str:
    if expires_ms is None:
        return "never (sealed with ttl 0)"
    when = _iso(expires_ms) or f"after the year 9999 ({expires_ms} ms)"
    if expires_ms > now_ms:
        return f"{when} (valid for another {_span(expires_ms - now_ms)})"
    ago = now_ms - expires_ms
    skew = TIMESTAMP_SKEW_SEC
    within = f", still accepted within the {skew} s clock skew"
    return f"{when} (expired {_span(ago)} ago{within * (ago < skew * 1000)})"
