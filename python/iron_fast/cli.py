# SPDX-License-Identifier: MIT
"""The ``iron-fast`` command: make passwords, and seal, unseal or inspect
iron-session cookie values from a shell.

Secrets are read from an environment variable or a file, never from the
command line: arguments end up in shell history and in every process
listing on the machine.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import re
import secrets
import string
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from iron_fast._core import (
    DEFAULT_TTL,
    Sealer,
    __version__,
    from_json,
    to_json,
)
from iron_fast.errors import IronError, PasswordError, UnsealError

if TYPE_CHECKING:
    from iron_fast._core import Password

__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_SECRET",
    "EXIT_USAGE",
    "SealInfo",
    "inspect_seal",
    "main",
]

EXIT_OK = 0
# unseal: the seal is tampered, expired or for another password;
# inspect: the text is not an Fe26.2 seal at all.
EXIT_REFUSED = 1
# argparse's own code, kept for every other kind of bad input.
EXIT_USAGE = 2
EXIT_SECRET = 3

PASSWORD_ENV = "IRON_FAST_PASSWORD"
MIN_PASSWORD_LENGTH = 32
DEFAULT_PASSWORD_LENGTH = 43  # 43 URL-safe characters: 258 bits
TIMESTAMP_SKEW_SEC = 60
# Letters, digits, "-" and "_": safe unquoted in a shell, a .env file, a
# JSON string and a URL, and never mistaken for a JSON password map.
_ALPHABET = string.ascii_letters + string.digits + "-_"
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
_PASSWORD_ID_RE = re.compile(r"\w*", re.ASCII)

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


# -- reading input ------------------------------------------------------


def _read_stdin(what: str) -> str:
    if sys.stdin.isatty():
        print(f"reading {what} from stdin (end with Ctrl-D)", file=sys.stderr)
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a replaced sys.stdin (tests, embedding)
        return sys.stdin.read()
    # UTF-8 whatever the locale: JSON text is UTF-8 (RFC 8259).
    try:
        text: str = buffer.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise CliError(
            EXIT_USAGE, f"the {what} on stdin is not UTF-8: {error.reason}"
        ) from None
    return text


def _argument_or_stdin(value: str | None, what: str) -> str:
    if value is None or value == "-":
        return _read_stdin(what)
    return value


def _parse_password(text: str, source: str) -> Password:
    """One secret, or a JSON map ``{id: secret}`` when it starts with
    ``{`` (a generated password never does)."""
    if not text.lstrip().startswith("{"):
        return text
    try:
        parsed = json.loads(text)
    except ValueError as error:
        # The JSON error names a position, never the text around it.
        raise CliError(
            EXIT_SECRET,
            f"{source} starts with '{{' but is not a valid JSON password "
            f"map: {error}",
        ) from None
    if not isinstance(parsed, dict) or not parsed:
        raise CliError(
            EXIT_SECRET,
            f"{source} must be one secret or a non-empty JSON object "
            '{"1": "<secret>", "2": "<newer secret>"}',
        )
    for key, secret in parsed.items():
        if not isinstance(secret, str):
            # A long key may be a secret written where its id belongs
            # ({secret: 1}): name it by its length only.
            shown = repr(key) if len(key) <= 16 else f"<{len(key)} chars>"
            raise CliError(
                EXIT_SECRET,
                f"password {shown} in {source} must be a JSON string, got "
                f"{type(secret).__name__}",
            )
    return parsed


def _read_password(args: argparse.Namespace) -> tuple[Password, str]:
    path: str | None = args.password_file
    if path is not None:
        source = f"the password file {path}"
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise CliError(
                EXIT_SECRET, f"cannot read {source}: {error.strerror}"
            ) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CliError(EXIT_SECRET, f"{source} is not UTF-8") from None
        # Editors and `echo` end a file with a newline that is not part
        # of the secret.
        text = text.rstrip("\r\n")
        if not text:
            raise CliError(EXIT_SECRET, f"{source} is empty")
    else:
        name: str = args.password_env
        source = f"${name}"
        value = os.environ.get(name)
        if not value:
            raise CliError(
                EXIT_SECRET,
                f"no password: set the environment variable {name}, or "
                "use --password-env NAME or --password-file PATH",
            )
        text = value
    return _parse_password(text, source), source


def _sealer(args: argparse.Namespace, **options: int) -> Sealer:
    password, source = _read_password(args)
    try:
        return Sealer(password, **options)
    except PasswordError as error:
        # The message names ids and lengths, never a secret.
        raise CliError(EXIT_SECRET, f"{source}: {error}") from None


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of seconds, got {text!r}"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


# -- writing output -----------------------------------------------------


def _write(text: str) -> None:
    """``text`` and a newline on stdout, as UTF-8 whatever the console's
    code page (a session may hold any character)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text + "\n")
        return
    sys.stdout.flush()
    buffer.write((text + "\n").encode("utf-8"))
    buffer.flush()


def _write_secret_file(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` readable by its owner only, atomically, so a crash
    or a concurrent reader never sees half a password file."""
    if path.exists() and not force:
        raise CliError(
            EXIT_USAGE, f"{path} exists: pass --force to replace it"
        )
    directory = path.parent
    try:
        fd, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise CliError(
            EXIT_USAGE, f"cannot write in {directory}: {error.strerror}"
        ) from None
    try:
        # mkstemp already created it 0600; the chmod covers umask quirks
        # of network filesystems.
        os.chmod(temporary, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text + "\n")
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CliError(
            EXIT_USAGE, f"cannot write {path}: {error.strerror}"
        ) from None


# -- keygen -------------------------------------------------------------


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


def _integer_id(key: str) -> int | None:
    if key.isascii() and key.isdigit():
        return int(key)
    return None


def rotate(
    current: Password, new_secret: str, *, keep: int | None = None
) -> dict[str, str]:
    """The rotation map that adds ``new_secret`` under the next integer
    id (which then seals), keeping the ``keep`` newest existing integer
    ids (all if None) and every non-integer id."""
    if isinstance(current, Mapping):
        existing = {str(key): value for key, value in current.items()}
    else:
        existing = {"1": current}
    for key, value in existing.items():
        if not isinstance(value, str):
            raise CliError(
                EXIT_SECRET,
                f"password {key!r} is not text: a rotation map written "
                "as JSON holds text secrets only",
            )
    numbered = sorted(
        (number, key)
        for key in existing
        if (number := _integer_id(key)) is not None
    )
    next_id = numbered[-1][0] + 1 if numbered else 1
    if keep is not None:
        dropped = {key for _, key in numbered[: max(len(numbered) - keep, 0)]}
    else:
        dropped = set()
    rotated = {
        key: str(value)
        for key, value in existing.items()
        if key not in dropped
    }
    rotated[str(next_id)] = new_secret

    def order(key: str) -> tuple[int, int, str]:
        number = _integer_id(key)
        return (0, number, "") if number is not None else (1, 0, key)

    return {key: rotated[key] for key in sorted(rotated, key=order)}


def _password_length(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of characters, got {text!r}"
        ) from None
    if value < MIN_PASSWORD_LENGTH:
        raise argparse.ArgumentTypeError(
            f"must be at least {MIN_PASSWORD_LENGTH}: iron-session refuses "
            "shorter passwords"
        )
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _cmd_keygen(args: argparse.Namespace) -> int:
    if args.keep is not None and not args.rotate:
        raise CliError(EXIT_USAGE, "--keep only applies with --rotate")
    secret = new_password(args.length)
    if args.rotate:
        current, source = _read_password(args)
        try:
            Sealer(current)
        except PasswordError as error:
            raise CliError(EXIT_SECRET, f"{source}: {error}") from None
        output = json.dumps(
            rotate(current, secret, keep=args.keep),
            ensure_ascii=False,
            separators=(",", ":"),
        )
    else:
        output = secret
    if args.output is not None:
        _write_secret_file(Path(args.output), output, force=args.force)
        print(f"wrote {args.output} (mode 0600)", file=sys.stderr)
    else:
        _write(output)
    return EXIT_OK


# -- seal / unseal ------------------------------------------------------


def _cmd_seal(args: argparse.Namespace) -> int:
    sealer = _sealer(args)
    text = _argument_or_stdin(args.json, "JSON data")
    if not text.strip():
        raise CliError(EXIT_USAGE, "no JSON data given")
    try:
        data = from_json(text)
    except ValueError as error:
        raise CliError(EXIT_USAGE, f"the data is {error}") from None
    try:
        sealed = sealer.seal(data, ttl=args.ttl)
    except IronError as error:
        raise CliError(EXIT_USAGE, str(error)) from None
    _write(sealed)
    return EXIT_OK


def _cmd_unseal(args: argparse.Namespace) -> int:
    sealer = _sealer(args, timestamp_skew_sec=args.skew)
    seal = _argument_or_stdin(args.seal, "the seal").strip()
    if not seal:
        raise CliError(EXIT_USAGE, "no seal given")
    try:
        value = sealer.unseal(seal)
    except UnsealError as error:
        raise CliError(
            EXIT_REFUSED, f"seal refused ({error.reason}): {error}"
        ) from None
    if args.pretty:
        _write(json.dumps(value, indent=2, ensure_ascii=False))
    else:
        _write(to_json(value))
    return EXIT_OK


# -- inspect ------------------------------------------------------------


@dataclass(frozen=True)
class SealInfo:
    """What a seal tells without its password: the fields of
    ``Fe26.2*id*salt*iv*ciphertext*expiration*salt*hmac~2``."""

    password_id: str
    """The id of the password it was sealed with ("" for iron's
    ``default``)."""
    expires_ms: int | None
    """Expiration in milliseconds since 1970; None: never expires."""
    ciphertext_bytes: int
    seal_length: int
    marker: str | None
    """What follows the first ``~`` (``"2"`` for iron-session), or None."""

    @property
    def expires_at(self) -> datetime | None:
        """The expiration as an aware UTC datetime; None: never."""
        if self.expires_ms is None:
            return None
        return datetime.fromtimestamp(self.expires_ms / 1000, timezone.utc)

    @property
    def plaintext_bytes(self) -> tuple[int, int]:
        """The range the JSON text's UTF-8 length lies in: PKCS#7 pads
        it with 1 to 16 bytes."""
        return (self.ciphertext_bytes - 16, self.ciphertext_bytes - 1)

    def as_dict(self, now_ms: int) -> dict[str, Any]:
        low, high = self.plaintext_bytes
        expires_at = self.expires_at
        return {
            "format": "Fe26.2",
            "marker": self.marker,
            "password_id": self.password_id,
            "expires_ms": self.expires_ms,
            "expires_at": None if expires_at is None else _iso(expires_at),
            "expired": self.expired(now_ms),
            "seal_length": self.seal_length,
            "ciphertext_bytes": self.ciphertext_bytes,
            "plaintext_bytes": [low, high],
        }

    def expired(self, now_ms: int) -> bool:
        """True once the expiration has passed (unseal allows another
        60 s of clock skew)."""
        return self.expires_ms is not None and self.expires_ms <= now_ms


def _b64url_length(field: str, name: str) -> int:
    if _B64URL_RE.fullmatch(field) is None:
        raise ValueError(f"the {name} is not base64url")
    try:
        return len(base64.urlsafe_b64decode(field + "=" * (-len(field) % 4)))
    except binascii.Error:
        raise ValueError(f"the {name} is not base64url") from None


def inspect_seal(text: str) -> SealInfo:
    """Read a seal's fields without decrypting it. Raises ValueError,
    saying what is wrong, for text that is not an Fe26.2 seal."""
    text = text.strip()
    body, tilde, marker = text.partition("~")
    fields = body.split("*")
    if not fields[0].startswith("Fe26."):
        raise ValueError("not an iron seal (it does not start with Fe26.)")
    if fields[0] != "Fe26.2":
        raise ValueError(f"unsupported seal version {fields[0]!r}")
    if len(fields) != 8:
        raise ValueError(
            f"a seal has 8 '*'-separated fields, this one has {len(fields)}"
        )
    _, password_id, enc_salt, iv, ciphertext, expiration, mac_salt, mac = (
        fields
    )
    if _PASSWORD_ID_RE.fullmatch(password_id) is None:
        raise ValueError("the password id is not made of word characters")
    if not enc_salt or not mac_salt:
        raise ValueError("a salt is empty")
    if _b64url_length(iv, "IV") != 16:
        raise ValueError("the IV is not 16 bytes")
    size = _b64url_length(ciphertext, "ciphertext")
    if size == 0 or size % 16:
        raise ValueError("the ciphertext is not whole AES blocks")
    if _b64url_length(mac, "HMAC") != 32:
        raise ValueError("the HMAC is not 32 bytes")
    expires_ms: int | None = None
    if expiration:
        if not (expiration.isascii() and expiration.isdigit()):
            raise ValueError("the expiration is not a number")
        expires_ms = int(expiration)
    return SealInfo(
        password_id=password_id,
        expires_ms=expires_ms,
        ciphertext_bytes=size,
        seal_length=len(text),
        marker=marker if tilde else None,
    )


def _iso(when: datetime) -> str:
    millis = when.microsecond // 1000
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"


def _span(ms: int) -> str:
    seconds = ms // 1000
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def _describe(info: SealInfo, now_ms: int) -> str:
    expires_at = info.expires_at
    if info.expires_ms is None or expires_at is None:
        expiry = "never (sealed with ttl 0)"
    elif info.expires_ms > now_ms:
        left = _span(info.expires_ms - now_ms)
        expiry = f"{_iso(expires_at)} (valid for another {left})"
    else:
        ago = now_ms - info.expires_ms
        expiry = f"{_iso(expires_at)} (expired {_span(ago)} ago"
        if ago < TIMESTAMP_SKEW_SEC * 1000:
            expiry += ", still accepted within the 60 s clock skew"
        expiry += ")"
    if info.marker is None:
        marker = "none (a bare @hapi/iron seal)"
    elif info.marker == "2":
        marker = "~2 (iron-session's token version)"
    else:
        marker = f"~{info.marker} (unknown; iron-session 9 ignores it)"
    low, high = info.plaintext_bytes
    password_id = info.password_id or "(none: iron's 'default' password)"
    lines = [
        ("format", "Fe26.2"),
        ("token marker", marker),
        ("password id", password_id),
        ("expires", expiry),
        ("seal length", f"{info.seal_length} characters"),
        ("ciphertext", f"{info.ciphertext_bytes} bytes"),
        ("JSON data", f"{low} to {high} bytes"),
    ]
    return "\n".join(f"{label + ':':<14}{value}" for label, value in lines)


def _cmd_inspect(args: argparse.Namespace) -> int:
    text = _argument_or_stdin(args.seal, "the seal")
    if not text.strip():
        raise CliError(EXIT_USAGE, "no seal given")
    try:
        info = inspect_seal(text)
    except ValueError as error:
        raise CliError(EXIT_REFUSED, str(error)) from None
    now_ms = time.time_ns() // 1_000_000
    if args.json:
        _write(json.dumps(info.as_dict(now_ms), indent=2))
    else:
        _write(_describe(info, now_ms))
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


def _add_password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--password-env",
        metavar="NAME",
        default=PASSWORD_ENV,
        help=f"read the password from this environment variable "
        f"(default: {PASSWORD_ENV})",
    )
    group.add_argument(
        "--password-file",
        metavar="PATH",
        help="read the password from this file (a final newline is ignored)",
    )
    parser.add_argument(
        "--password",
        "--secret",
        nargs="?",
        action=_SecretOnCommandLine,
        help=argparse.SUPPRESS,
    )


def _subparser(
    commands: Any,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    *,
    summary: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 76),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The ``iron-fast`` argument parser."""
    parser = argparse.ArgumentParser(
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

    keygen = _subparser(
        commands,
        "keygen",
        _cmd_keygen,
        summary="print a new strong password, or a rotation map",
        description="Print a new random password (URL-safe characters "
        "from the OS CSPRNG). With --rotate, read the current password "
        "and print a JSON rotation map that adds the new one under the "
        "next id: the new password seals, the old ones still unseal.",
        epilog=f"examples:\n"
        f"  iron-fast keygen > secret.txt\n"
        f'  export {PASSWORD_ENV}="$(iron-fast keygen)"\n'
        f"  iron-fast keygen --rotate --password-file secret.json \\\n"
        f"      --output secret.json --force\n\n{PASSWORD_HELP}\n\n"
        f"{EXIT_CODES}",
    )
    keygen.add_argument(
        "--length",
        type=_password_length,
        default=DEFAULT_PASSWORD_LENGTH,
        metavar="N",
        help=f"characters in the new password (at least "
        f"{MIN_PASSWORD_LENGTH}; default {DEFAULT_PASSWORD_LENGTH}, "
        f"about 256 bits)",
    )
    keygen.add_argument(
        "--rotate",
        action="store_true",
        help="add the new password to the current one (read as for seal) "
        "and print the JSON rotation map",
    )
    keygen.add_argument(
        "--keep",
        type=_count,
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
        "--force",
        action="store_true",
        help="with --output: replace an existing file",
    )
    _add_password_options(keygen)

    seal = _subparser(
        commands,
        "seal",
        _cmd_seal,
        summary="seal JSON into a cookie value",
        description="Seal JSON data into an iron-session cookie value "
        "(Fe26.2*...~2), as sealData does.",
        epilog=f"examples:\n"
        f'  iron-fast seal \'{{"user": {{"id": 1}}}}\'\n'
        f'  echo \'{{"user": {{"id": 1}}}}\' | iron-fast seal --ttl 3600'
        f"\n\n{PASSWORD_HELP}\n\n{EXIT_CODES}",
    )
    seal.add_argument(
        "json",
        nargs="?",
        metavar="JSON",
        help="the data as JSON text; read from stdin if omitted or '-'",
    )
    seal.add_argument(
        "--ttl",
        type=_non_negative,
        default=DEFAULT_TTL,
        metavar="SECONDS",
        help=f"lifetime of the seal (default {DEFAULT_TTL}, 14 days; 0: "
        "never expires)",
    )
    _add_password_options(seal)

    unseal = _subparser(
        commands,
        "unseal",
        _cmd_unseal,
        summary="print the JSON data of a cookie value",
        description="Verify and decrypt an iron-session cookie value and "
        "print its data as JSON, exactly as JSON.stringify writes it. A "
        "tampered, expired or foreign seal is refused with the reason.",
        epilog=f"examples:\n"
        f"  iron-fast unseal 'Fe26.2*1*...~2'\n"
        f"  pbpaste | iron-fast unseal --pretty\n\n{PASSWORD_HELP}\n\n"
        f"{EXIT_CODES}",
    )
    unseal.add_argument(
        "seal",
        nargs="?",
        metavar="SEAL",
        help="the cookie value; read from stdin if omitted or '-'",
    )
    unseal.add_argument(
        "--skew",
        type=_non_negative,
        default=TIMESTAMP_SKEW_SEC,
        metavar="SECONDS",
        help="clock skew allowed past the expiration (default 60)",
    )
    unseal.add_argument(
        "--pretty", action="store_true", help="indent the JSON output"
    )
    _add_password_options(unseal)

    inspect = _subparser(
        commands,
        "inspect",
        _cmd_inspect,
        summary="show a cookie value's password id, expiry and sizes",
        description="Show what a seal tells without its password: the "
        "password id it was sealed with, when it expires, and its sizes. "
        "Nothing is decrypted or verified: a tampered seal shows too.",
        epilog=f"examples:\n"
        f"  iron-fast inspect 'Fe26.2*1*...~2'\n"
        f"  iron-fast inspect --json < cookie.txt\n\n{EXIT_CODES}",
    )
    inspect.add_argument(
        "seal",
        nargs="?",
        metavar="SEAL",
        help="the cookie value; read from stdin if omitted or '-'",
    )
    inspect.add_argument(
        "--json", action="store_true", help="print the fields as JSON"
    )
    return parser


def _fail(status: int, message: str) -> int:
    print(f"iron-fast: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iron-fast`` with ``argv`` (default: the process's
    arguments) and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
