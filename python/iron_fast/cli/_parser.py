# SPDX-License-Identifier: MIT
"""The ``iron-fast`` argument parser: its commands, options and help
texts (kept out of docstrings, so ``python -OO`` still has them), and
errors that repeat no argument that may be a secret."""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Callable, Collection, Sequence
from typing import Any, NoReturn

from iron_fast._core import DEFAULT_TTL, __version__
from iron_fast.keys import DEFAULT_PASSWORD_LENGTH
from iron_fast.limits import MIN_PASSWORD_LENGTH, TIMESTAMP_SKEW_SEC

EXIT_OK = 0
# unseal: the seal is tampered, expired or for another password;
# inspect: the text is not an Fe26.2 seal at all.
EXIT_REFUSED = 1
# argparse's own code, kept for every other kind of bad input.
EXIT_USAGE = 2
EXIT_SECRET = 3

PASSWORD_ENV = "IRON_FAST_PASSWORD"

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

# Sealer's bounds: its integer arguments are signed 64-bit.
_INT64_MAX = 2**63 - 1
# At most 24 digits: int() of a longer text may be refused or slow.
_WHOLE_NUMBER_RE = re.compile(r"-?[0-9]{1,24}")
# An option's name as typed, before any "=value".
_OPTION_NAME_RE = re.compile(r"--?[A-Za-z][A-Za-z0-9_-]*")


def whole_number(
    minimum: int, maximum: int = _INT64_MAX
) -> Callable[[str], int]:
    """An argparse ``type`` for an integer in [minimum, maximum]; the
    message never repeats the text."""

    def parse(text: str) -> int:
        if (
            _WHOLE_NUMBER_RE.fullmatch(text)
            and minimum <= int(text) <= maximum
        ):
            return int(text)
        raise argparse.ArgumentTypeError(
            f"expected a whole number from {minimum} to {maximum}"
        )

    return parse


class _UsageError(Exception):
    """argparse's complaint, for ``parse_args`` to tell without the
    arguments it may quote, and the (sub)parser whose usage goes with
    it."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """No abbreviated options (``--passwor`` would get past the refusal
    of a secret on the command line), and errors raised to
    ``parse_args``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            allow_abbrev=False,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)


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


def _command(
    commands: Any, name: str, summary: str, about: str, examples: str
) -> argparse.ArgumentParser:
    """A command's parser: ``about`` and ``examples`` are shown as
    written; all but inspect read the password."""
    secret = name != "inspect"
    epilog = f"examples:\n{textwrap.indent(examples, '  ')}\n\n"
    if secret:
        epilog += f"{PASSWORD_HELP}\n\n"
    epilog += EXIT_CODES
    command: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=about, epilog=epilog
    )
    if name in ("unseal", "inspect"):
        command.add_argument(
            "seal",
            nargs="?",
            metavar="SEAL",
            help="the cookie value; read from stdin if omitted or '-'",
        )
    if secret:
        source = command.add_mutually_exclusive_group()
        source.add_argument(
            "--password-env",
            metavar="NAME",
            default=PASSWORD_ENV,
            help=f"the password's environment variable ({PASSWORD_ENV})",
        )
        source.add_argument(
            "--password-file",
            metavar="PATH",
            help="read the password from this file (a final newline is "
            "ignored)",
        )
        command.add_argument(
            "--password",
            "--secret",
            nargs="?",
            action=_SecretOnCommandLine,
            help=argparse.SUPPRESS,
        )
    return command


def build_parser() -> argparse.ArgumentParser:
    """The ``iron-fast`` argument parser."""
    parser = _Parser(
        prog="iron-fast",
        description="""\
Make passwords for, and seal, unseal or inspect, iron-session cookies
(Fe26.2 seals), the same ones Node's iron-session reads and writes.""",
        epilog=f"{PASSWORD_HELP}\n\n{EXIT_CODES}",
    )
    parser.add_argument(
        "--version", action="version", version=f"iron-fast {__version__}"
    )
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", dest="command", required=True
    )
    not_negative = whole_number(0)

    keygen = _command(
        commands,
        "keygen",
        "print a new strong password, or a rotation map",
        """\
Print a new random password (URL-safe characters from the OS CSPRNG). With
--rotate, read the current password and print a JSON rotation map that adds
the new one under the next id: the new password seals, the old ones still
unseal.""",
        f"""\
iron-fast keygen > secret.txt
export {PASSWORD_ENV}="$(iron-fast keygen)"
iron-fast keygen --rotate --password-file secret.json \\
    --output secret.json --force""",
    )
    keygen.add_argument(
        "--length",
        type=whole_number(MIN_PASSWORD_LENGTH, 4096),
        default=DEFAULT_PASSWORD_LENGTH,
        metavar="N",
        help=f"characters in the new password ({MIN_PASSWORD_LENGTH} to "
        "4096; default %(default)s, about 256 bits)",
    )
    keygen.add_argument(
        "--rotate",
        action="store_true",
        help="add the new password to the current one (read as for seal) "
        "and print the JSON rotation map",
    )
    keygen.add_argument(
        "--keep",
        type=not_negative,
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
        """\
Seal JSON data into an iron-session cookie value (Fe26.2*...~2), as sealData
does.""",
        """\
iron-fast seal '{"user": {"id": 1}}'
echo '{"user": {"id": 1}}' | iron-fast seal --ttl 3600""",
    )
    seal.add_argument(
        "json",
        nargs="?",
        metavar="JSON",
        help="the data as JSON text; read from stdin if omitted or '-'",
    )
    seal.add_argument(
        "--ttl",
        type=not_negative,
        default=DEFAULT_TTL,
        metavar="SECONDS",
        help="lifetime of the seal (default %(default)s, 14 days; 0: never "
        "expires)",
    )

    unseal = _command(
        commands,
        "unseal",
        "print the JSON data of a cookie value",
        """\
Verify and decrypt an iron-session cookie value and print its data as JSON,
exactly as JSON.stringify writes it. A tampered, expired or foreign seal is
refused with the reason.""",
        """\
iron-fast unseal 'Fe26.2*1*...~2'
pbpaste | iron-fast unseal --pretty""",
    )
    unseal.add_argument(
        "--skew",
        type=not_negative,
        default=TIMESTAMP_SKEW_SEC,
        metavar="SECONDS",
        help="clock skew allowed past the expiration (default %(default)s)",
    )
    unseal.add_argument("--pretty", action="store_true", help="indent JSON")

    inspect = _command(
        commands,
        "inspect",
        "show a cookie value's password id, expiry and sizes",
        """\
Show what a seal tells without its password: the password id it was sealed
with, when it expires, and its sizes. Nothing is decrypted or verified: a
tampered seal shows too.""",
        """\
iron-fast inspect 'Fe26.2*1*...~2'
iron-fast inspect --json < cookie.txt""",
    )
    inspect.add_argument("--json", action="store_true", help="print JSON")
    return parser


def parse_args(
    argv: Sequence[str], commands: Collection[str]
) -> argparse.Namespace:
    """``argv`` parsed. Bad arguments exit as argparse's own ``error``
    does (the usage, the message, status 2), but the message repeats no
    argument that may be a secret: only ``commands`` and options'
    names."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # argparse's own message, but "" shown as "…" too
            shown = " ".join(token or "…" for token in extra)
            parser.error(f"unrecognized arguments: {shown}")
    except _UsageError as error:
        message = _hidden(str(error), argv, commands)
        error.parser.print_usage(sys.stderr)
        error.parser.exit(2, f"{error.parser.prog}: error: {message}\n")
    return args


def _repeatable(argument: str, commands: Collection[str]) -> bool:
    """Whether an error may repeat this argument: a command, or an
    option's name shorter than a password (so never a whole secret)."""
    return argument in commands or (
        _OPTION_NAME_RE.fullmatch(argument) is not None
        and len(argument) < MIN_PASSWORD_LENGTH
    )


def _hidden(
    message: str, argv: Sequence[str], commands: Collection[str]
) -> str:
    """``message`` with each argument an error may not repeat shown as
    "…", and each option's ``=value`` as "=…"."""
    shown: dict[str, str] = {}
    for token in argv:
        name, equals, value = token.partition("=")
        if token.startswith("-") and equals:
            # argparse may quote the value alone ("ignored explicit
            # argument"), or the whole token ("unrecognized arguments").
            if value and not _repeatable(value, commands):
                shown[value] = "…"
            if _repeatable(name, commands):
                shown[token] = f"{name}=…"
        if token and not _repeatable(token, commands):
            shown.setdefault(token, "…")
    # Longest first, so a value inside a hidden token does not split it;
    # repr's escaped spelling too, as argparse quotes some with %r.
    for text in sorted(shown, key=len, reverse=True):
        for form in {text, repr(text)[1:-1]}:
            pattern = rf"(?<![\w-]){re.escape(form)}(?![\w-])"
            message = re.sub(pattern, shown[text], message)
    return message
