# SPDX-License-Identifier: MIT
"""The ``iron-fast`` command: make passwords, and seal, unseal or inspect
iron-session cookie values from a shell.

Secrets are read from an environment variable or a file, never from the
command line: arguments end up in shell history and in every process
listing on the machine. For the same reason no error message repeats an
argument the parser did not recognise, nor any option's value.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from iron_fast import keys
from iron_fast._core import Sealer, from_json, seal_fields, to_json
from iron_fast.cli._parser import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_SECRET,
    EXIT_USAGE,
    build_parser,
    parse_args,
)
from iron_fast.cookies import format_iso
from iron_fast.errors import PasswordError, UnsealError
from iron_fast.limits import TIMESTAMP_SKEW_SEC

if TYPE_CHECKING:
    from iron_fast._core import Password

__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_SECRET",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class CliError(Exception):
    """A message for stderr and the exit status that goes with it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iron-fast`` with ``argv`` (default: the process's
    arguments) and return its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse_args(argv, _COMMANDS)
    except SystemExit as done:  # --help, --version, bad arguments
        return EXIT_OK if done.code is None else int(done.code)
    try:
        return _COMMANDS[args.command](args)
    except CliError as error:
        print(f"iron-fast: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `iron-fast ... | head`: the reader left; say nothing more, and
        # keep the interpreter from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13  # what a shell reports for SIGPIPE


def _keygen(args: argparse.Namespace) -> int:
    if args.keep is not None and not args.rotate:
        raise CliError(EXIT_USAGE, "--keep only applies with --rotate")
    output = keys.new_password(args.length)
    if args.rotate:
        # Sealer refuses an unusable configuration before it is rotated.
        password, _ = _password(args)
        rotated = keys.rotate(password, output, keep=args.keep)
        output = json.dumps(rotated, ensure_ascii=False, separators=(",", ":"))
    if args.output is None:
        _write(output)
        return EXIT_OK
    try:
        keys.write_password_file(args.output, output, replace=args.force)
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


def _seal(args: argparse.Namespace) -> int:
    _, sealer = _password(args)
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


def _unseal(args: argparse.Namespace) -> int:
    _, sealer = _password(args, timestamp_skew_sec=args.skew)
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


def _inspect(args: argparse.Namespace) -> int:
    text = _input(args.seal, "seal")
    try:
        fields = seal_fields(text)
    except ValueError as error:
        raise CliError(EXIT_REFUSED, str(error)) from None
    now_ms = time.time_ns() // 1_000_000
    expires_ms, size = fields["expires_ms"], fields["ciphertext_bytes"]
    expires_at = None
    if expires_ms is not None:
        # Past the year 9999, which a datetime cannot hold, it stays None.
        with contextlib.suppress(OverflowError):
            expires_at = format_iso(
                _EPOCH + timedelta(milliseconds=expires_ms)
            )
    # PKCS#7 pads the JSON text with 1 to 16 bytes.
    low, high = size - 16, size - 1
    if args.json:
        info = {
            "format": "Fe26.2",
            "marker": fields["marker"],
            "password_id": fields["password_id"],
            "expires_ms": expires_ms,
            "expires_at": expires_at,
            "expired": expires_ms is not None and expires_ms <= now_ms,
            "seal_length": len(text),
            "ciphertext_bytes": size,
            "plaintext_bytes": [low, high],
        }
        _write(json.dumps(info, indent=2))
        return EXIT_OK
    lines = {
        "format": "Fe26.2",
        "token marker": _marker(fields["marker"]),
        "password id": fields["password_id"] or "(none: iron's 'default')",
        "expires": _expiry(expires_ms, expires_at, now_ms),
        "seal length": f"{len(text)} characters",
        "ciphertext": f"{size} bytes",
        "JSON data": f"{low} to {high} bytes",
    }
    _write("\n".join(f"{label + ':':<14}{lines[label]}" for label in lines))
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "keygen": _keygen,
    "seal": _seal,
    "unseal": _unseal,
    "inspect": _inspect,
}


def _password(
    args: argparse.Namespace, **options: int
) -> tuple[Password, Sealer]:
    """The password from --password-file or the environment, and a
    Sealer of it; a problem with either is told without the secret."""
    try:
        if args.password_file is not None:
            name = keys.shown_source(args.password_file)
            source = f"the password file {name}"
            password = keys.read_password_file(args.password_file)
        else:
            name = keys.shown_source(args.password_env)
            source = f"${name}"
            text = None
            with contextlib.suppress(ValueError):  # a name no env can hold
                text = os.environ.get(args.password_env)
            if not text:
                raise CliError(
                    EXIT_SECRET,
                    f"no password: set the environment variable {name}, or "
                    "use --password-env NAME or --password-file PATH",
                )
            password = keys.parse_password(text, source)
    except PasswordError as error:  # its message names the source
        raise CliError(EXIT_SECRET, str(error)) from None
    try:
        return password, Sealer(password, **options)
    except PasswordError as error:  # ids and lengths, never a secret
        raise CliError(EXIT_SECRET, f"{source}: {error}") from None


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


def _marker(marker: str | None) -> str:
    if marker is None:
        return "none (a bare @hapi/iron seal)"
    if marker == "2":
        return "~2 (iron-session's token version)"
    # Outside the MAC: anyone may write a terminal escape there.
    if not marker.isprintable() or len(marker) > 16:
        marker = f"<{len(marker)} characters>"
    return f"~{marker} (unknown; iron-session 9 ignores it)"


def _expiry(expires_ms: int | None, expires_at: str | None, now: int) -> str:
    if expires_ms is None:
        return "never (sealed with ttl 0)"
    when = expires_at or f"after the year 9999 ({expires_ms} ms)"
    if expires_ms > now:
        return f"{when} (valid for another {_span(expires_ms - now)})"
    ago = now - expires_ms
    note = ""
    if ago < TIMESTAMP_SKEW_SEC * 1000:
        note = f", still accepted within the {TIMESTAMP_SKEW_SEC} s clock skew"
    return f"{when} (expired {_span(ago)} ago{note})"


def _span(ms: int) -> str:
    """A duration in its two largest units, e.g. "3 h 20 min"."""
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
