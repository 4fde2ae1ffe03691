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
import json
import os
import re
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NoReturn

from iron_fast._core import (
    DEFAULT_TTL,
    Sealer,
    __version__,
    from_json,
    seal_fields,
    to_json,
)
from iron_fast.errors import PasswordError, UnsealError
from iron_fast.keys import (
    DEFAULT_PASSWORD_LENGTH,
    new_password,
    parse_password,
    read_password_file,
    rotate,
    shown_source,
    write_password_file,
)
from iron_fast.limits import MIN_PASSWORD_LENGTH, TIMESTAMP_SKEW_SEC

if TYPE_CHECKING:
    from iron_fast._core import Password

__all__ = ["EXIT_OK", "EXIT_REFUSED", "EXIT_SECRET", "EXIT_USAGE", "main"]

EXIT_OK = 0
# unseal: the seal is tampered, expired or for another password;
# inspect: the text is not an Fe26.2 seal at all.
EXIT_REFUSED = 1
# argparse's own code, kept for every other kind of bad input.
EXIT_USAGE = 2
EXIT_SECRET = 3

PASSWORD_ENV = "IRON_FAST_PASSWORD"
# Sealer's bounds: its integer arguments are signed 64-bit.
_INT64_MAX = 2**63 - 1
_WHOLE_NUMBER_RE = re.compile(r"-?[0-9]{1,24}")
# An option's name as typed, before any "=value".
_OPTION_NAME_RE = re.compile(r"--?[A-Za-z][A-Za-z0-9_-]*")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

EXIT_CODES = f"""\
exit status:
  {EXIT_OK}  success
  {EXIT_REFUSED}  the seal was refused (tampered, expired, another password)
     or, for inspect, is not an Fe26.2 seal
  {EXIT_USAGE}  bad arguments or bad input (invalid JSON, ...)
  {EXIT_SECRET}  the password is missing, unreadable or unusable"""

PASSWORD_HELP = f"""\
password:
  Read from the environment variable {PASSWORD_ENV} (or the one named by
  --password-env), or from a file (--password-file); never from the
  command line. The value is either one secret of at least 32 characters
  or a JSON rotation map such as {{"1": "<old>", "2": "<new>"}}: the
  highest id seals, every id unseals (iron-session's password map)."""


class CliError(Exception):
    """A message for stderr and the exit status that goes with it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _UsageError(Exception):
    """argparse's complaint, handed to ``main`` to be told without the
    arguments it may quote."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """No abbreviated options (``--passwor`` would get past the refusal
    of a secret on the command line), and errors raised to ``main``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)


def _whole_number(
    minimum: int, maximum: int = _INT64_MAX
) -> Callable[[str], int]:
    """An argparse ``type`` for an integer in [minimum, maximum]; the
    message never repeats the text."""
    expected = f"expected a whole number from {minimum} to {maximum}"

    def parse(text: str) -> int:
        if _WHOLE_NUMBER_RE.fullmatch(text) is None:
            raise argparse.ArgumentTypeError(expected)
        value = int(text)
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(expected)
        return value

    return parse


def _repeatable(argument: str) -> bool:
    """Whether an error may repeat this argument: a command, or an
    option's name shorter than a password (so never a whole secret)."""
    return argument in _HANDLERS or (
        _OPTION_NAME_RE.fullmatch(argument) is not None
        and len(argument) < MIN_PASSWORD_LENGTH
    )


def _hidden(message: str, argv: Sequence[str]) -> str:
    """``message`` with every argument that an error may not repeat,
    and every ``=value``, replaced by "…"."""
    pieces: set[str] = set()
    for token in argv:
        value = token.partition("=")[2] if token.startswith("-") else ""
        pieces.update(p for p in (token, value) if p and not _repeatable(p))
    # Longest first, so a value inside a hidden token does not split it;
    # repr's escaped spelling too, as argparse quotes some with %r.
    forms = {form for p in pieces for form in (p, repr(p)[1:-1])}
    for form in sorted(forms, key=len, reverse=True):
        message = re.sub(
            rf"(?<![\w-]){re.escape(form)}(?![\w-])", "…", message
        )
    return message


def _unrecognized(token: str) -> str:
    """An argument the parser did not take, as an error may show it:
    an option's name, never a value nor a bare word."""
    name, equals, _ = token.partition("=")
    return name + "=…" * bool(equals) if _repeatable(name) else "…"


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


def _cmd_keygen(args: argparse.Namespace) -> int:
    if args.keep is not None and not args.rotate:
        raise CliError(EXIT_USAGE, "--keep only applies with --rotate")
    secret = new_password(args.length)
    output = secret
    if args.rotate:
        # Sealer refuses an unusable configuration before it is rotated.
        password, _ = _sealer(args)
        rotated = rotate(password, secret, keep=args.keep)
        output = json.dumps(rotated, ensure_ascii=False, separators=(",", ":"))
    if args.output is not None:
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
    else:
        _write(output)
    return EXIT_OK


def _cmd_seal(args: argparse.Namespace) -> int:
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


def _cmd_unseal(args: argparse.Namespace) -> int:
    _, sealer = _sealer(args, timestamp_skew_sec=args.skew)
    seal = _input(args.seal, "seal")
    try:
        value = sealer.unseal(seal)
        # to_json first, also for --pretty: it refuses what JSON cannot
        # hold (an infinite float from 1e400) instead of writing Infinity.
        text = to_json(value)
        if args.pretty:
            text = json.dumps(value, indent=2, ensure_ascii=False)
    except UnsealError as error:
        raise CliError(
            EXIT_REFUSED, f"seal refused ({error.reason}): {error}"
        ) from None
    except ValueError as error:  # a number beyond what Python prints
        raise CliError(
            EXIT_USAGE,
            f"the seal opened but its data cannot be shown: {error}",
        ) from None
    _write(text)
    return EXIT_OK


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


def _cmd_inspect(args: argparse.Namespace) -> int:
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
    if marker is None:
        shown_marker = "none (a bare @hapi/iron seal)"
    elif marker == "2":
        shown_marker = "~2 (iron-session's token version)"
    else:
        # Outside the MAC: anyone may write a terminal escape there.
        if not marker.isprintable() or len(marker) > 16:
            marker = f"<{len(marker)} characters>"
        shown_marker = f"~{marker} (unknown; iron-session 9 ignores it)"
    lines = [
        ("format", "Fe26.2"),
        ("token marker", shown_marker),
        ("password id", fields["password_id"] or "(none: iron's 'default')"),
        ("expires", _expiry(expires_ms, now_ms)),
        ("seal length", f"{len(text)} characters"),
        ("ciphertext", f"{size} bytes"),
        ("JSON data", f"{low} to {high} bytes"),
    ]
    _write("\n".join(f"{label + ':':<14}{value}" for label, value in lines))
    return EXIT_OK


# -- the parser ---------------------------------------------------------


class _SecretOnCommandLine(argparse.Action):
    """``--password``: refused with the reason, instead of argparse's
    bare "unrecognized arguments"."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        parser.error(
            f"{option_string} is not accepted: a secret on the command line "
            "is visible in shell history and process listings. Put it in "
            f"${PASSWORD_ENV} (or --password-env NAME) or in a file "
            "(--password-file PATH)."
        )


_HANDLERS = {
    "keygen": _cmd_keygen,
    "seal": _cmd_seal,
    "unseal": _cmd_unseal,
    "inspect": _cmd_inspect,
}


def _command(
    commands: Any, name: str, summary: str, about: str, examples: str
) -> argparse.ArgumentParser:
    secret = name != "inspect"
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=textwrap.fill(about, 76),
        epilog=f"examples:\n{textwrap.indent(examples, '  ')}\n\n"
        + f"{PASSWORD_HELP}\n\n" * secret
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.set_defaults(handler=_HANDLERS[name])
    if name in ("unseal", "inspect"):
        command.add_argument("seal", nargs="?", metavar="SEAL", help=_SEAL)
    if secret:
        group = command.add_mutually_exclusive_group()
        group.add_argument(
            "--password-env",
            metavar="NAME",
            default=PASSWORD_ENV,
            help=f"the password's environment variable ({PASSWORD_ENV})",
        )
        group.add_argument(
            "--password-file", metavar="PATH", help=_PASSWORD_FILE
        )
        command.add_argument(
            "--password",
            "--secret",
            nargs="?",
            action=_SecretOnCommandLine,
            help=argparse.SUPPRESS,
        )
    return command


_SEAL = "the cookie value; read from stdin if omitted or '-'"
_PASSWORD_FILE = (
    "read the password from this file (a final newline is ignored)"
)
_SECONDS = _whole_number(0)


def build_parser() -> argparse.ArgumentParser:
    """The ``iron-fast`` argument parser."""
    parser = _Parser(
        prog="iron-fast",
        description=textwrap.fill(
            "Make passwords for, and seal, unseal or inspect, iron-session "
            "cookies (Fe26.2 seals), the same ones Node's iron-session "
            "reads and writes.",
            76,
        ),
        epilog=f"{PASSWORD_HELP}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"iron-fast {__version__}"
    )
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    keygen = _command(
        commands,
        "keygen",
        "print a new strong password, or a rotation map",
        "Print a new random password (URL-safe characters from the OS "
        "CSPRNG). With --rotate, read the current password and print a "
        "JSON rotation map that adds the new one under the next id: the "
        "new password seals, the old ones still unseal.",
        "iron-fast keygen > secret.txt\n"
        f'export {PASSWORD_ENV}="$(iron-fast keygen)"\n'
        "iron-fast keygen --rotate --password-file secret.json \\\n"
        "    --output secret.json --force",
    )
    keygen.add_argument(
        "--length",
        type=_whole_number(MIN_PASSWORD_LENGTH, 4096),
        default=DEFAULT_PASSWORD_LENGTH,
        metavar="N",
        help=f"characters in the new password ({MIN_PASSWORD_LENGTH} to "
        f"4096; default {DEFAULT_PASSWORD_LENGTH}, about 256 bits)",
    )
    keygen.add_argument(
        "--rotate",
        action="store_true",
        help="add the new password to the current one (read as for seal) "
        "and print the JSON rotation map",
    )
    keygen.add_argument(
        "--keep",
        type=_SECONDS,
        metavar="N",
        help="with --rotate: keep only the N newest old passwords (0 "
        "signs everyone out); default: keep all",
    )
    keygen.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write to this file (mode 0600, atomically) instead of stdout",
    )
    keygen.add_argument(
        "--force", action="store_true", help="with --output: replace a file"
    )
    seal = _command(
        commands,
        "seal",
        "seal JSON into a cookie value",
        "Seal JSON data into an iron-session cookie value "
        "(Fe26.2*...~2), as sealData does.",
        'iron-fast seal \'{"user": {"id": 1}}\'\n'
        'echo \'{"user": {"id": 1}}\' | iron-fast seal --ttl 3600',
    )
    seal.add_argument(
        "json",
        nargs="?",
        metavar="JSON",
        help="the data as JSON text; read from stdin if omitted or '-'",
    )
    seal.add_argument(
        "--ttl",
        type=_SECONDS,
        default=DEFAULT_TTL,
        metavar="SECONDS",
        help=f"lifetime of the seal (default {DEFAULT_TTL}, 14 days; 0: "
        "never expires)",
    )
    unseal = _command(
        commands,
        "unseal",
        "print the JSON data of a cookie value",
        "Verify and decrypt an iron-session cookie value and print its "
        "data as JSON, exactly as JSON.stringify writes it. A tampered, "
        "expired or foreign seal is refused with the reason.",
        "iron-fast unseal 'Fe26.2*1*...~2'\n"
        "pbpaste | iron-fast unseal --pretty",
    )
    unseal.add_argument(
        "--skew",
        type=_SECONDS,
        default=TIMESTAMP_SKEW_SEC,
        metavar="SECONDS",
        help="clock skew allowed past the expiration (default "
        f"{TIMESTAMP_SKEW_SEC})",
    )
    unseal.add_argument("--pretty", action="store_true", help="indent JSON")
    inspect = _command(
        commands,
        "inspect",
        "show a cookie value's password id, expiry and sizes",
        "Show what a seal tells without its password: the password id it "
        "was sealed with, when it expires, and its sizes. Nothing is "
        "decrypted or verified: a tampered seal shows too.",
        "iron-fast inspect 'Fe26.2*1*...~2'\n"
        "iron-fast inspect --json < cookie.txt",
    )
    inspect.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _fail(status: int, message: str) -> int:
    print(f"iron-fast: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iron-fast`` with ``argv`` (default: the process's
    arguments) and return its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            shown = " ".join(_unrecognized(token) for token in extra)
            parser.error(f"unrecognized arguments: {shown}")
    except _UsageError as error:
        message = _hidden(str(error), argv)
        usage = error.parser.format_usage()
        print(f"{usage}{error.parser.prog}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as done:  # --help, --version
        return EXIT_OK if done.code is None else int(done.code)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as error:
        return _fail(error.status, str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `iron-fast ... | head`: the reader left; say nothing more, and
        # keep the interpreter from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13  # what a shell reports for SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
