# SPDX-License-Identifier: MIT
"""The ``iron-fast`` argument parser: its commands, options, help texts
and examples (kept out of docstrings, so ``python -OO`` still has them)."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any, NoReturn

from iron_fast._core import DEFAULT_TTL, __version__
from iron_fast.cli._argv import Parser, whole_number
from iron_fast.cli._commands import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_SECRET,
    EXIT_USAGE,
    HANDLERS,
    PASSWORD_ENV,
)
from iron_fast.keys import DEFAULT_PASSWORD_LENGTH
from iron_fast.limits import MIN_PASSWORD_LENGTH, TIMESTAMP_SKEW_SEC

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

_SEAL = "the cookie value; read from stdin if omitted or '-'"
_PASSWORD_FILE = (
    "read the password from this file (a final newline is ignored)"
)
_NOT_NEGATIVE = whole_number(0)


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


def _described(about: str, epilog: str) -> dict[str, Any]:
    """A parser's description, wrapped, and its epilog, as written."""
    return {
        "description": textwrap.fill(about, 76),
        "epilog": epilog,
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


def _command(
    commands: Any, name: str, summary: str, about: str, examples: str
) -> argparse.ArgumentParser:
    secret = name != "inspect"
    epilog = (
        f"examples:\n{textwrap.indent(examples, '  ')}\n\n"
        + f"{PASSWORD_HELP}\n\n" * secret
        + EXIT_CODES
    )
    command: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, **_described(about, epilog)
    )
    command.set_defaults(handler=HANDLERS[name])
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


def build_parser() -> argparse.ArgumentParser:
    """The ``iron-fast`` argument parser."""
    parser = Parser(
        prog="iron-fast",
        **_described(
            "Make passwords for, and seal, unseal or inspect, iron-session "
            "cookies (Fe26.2 seals), the same ones Node's iron-session "
            "reads and writes.",
            f"{PASSWORD_HELP}\n\n{EXIT_CODES}",
        ),
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
        type=whole_number(MIN_PASSWORD_LENGTH, 4096),
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
        type=_NOT_NEGATIVE,
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
        type=_NOT_NEGATIVE,
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
        type=_NOT_NEGATIVE,
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
