# SPDX-License-Identifier: MIT
"""argparse for a command that reads secrets: no abbreviated options, and
error messages that repeat no argument that may be a secret."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Collection, Sequence
from typing import Any, NoReturn

from iron_fast.limits import MIN_PASSWORD_LENGTH

# Sealer's bounds: its integer arguments are signed 64-bit.
_INT64_MAX = 2**63 - 1
_WHOLE_NUMBER_RE = re.compile(r"-?[0-9]{1,24}")
# An option's name as typed, before any "=value".
_OPTION_NAME_RE = re.compile(r"--?[A-Za-z][A-Za-z0-9_-]*")


class _UsageError(Exception):
    """argparse's complaint, handed to ``parse_args`` to be told without
    the arguments it may quote."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class Parser(argparse.ArgumentParser):
    """No abbreviated options (``--passwor`` would get past the refusal
    of a secret on the command line), and errors raised to
    ``parse_args``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)


def whole_number(
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


def parse_args(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    commands: Collection[str],
) -> argparse.Namespace:
    """``argv`` parsed by ``parser`` (a ``Parser``). Bad arguments exit
    as argparse's own ``error`` does (the usage, the message, status 2),
    but the message shows only ``commands`` and options' names of the
    arguments: every other argument and every ``=value`` become "…"."""
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            shown = " ".join(_unrecognized(token, commands) for token in extra)
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
    """``message`` with every argument that an error may not repeat,
    and every ``=value``, replaced by "…"."""
    pieces: set[str] = set()
    for token in argv:
        value = token.partition("=")[2] if token.startswith("-") else ""
        pieces.update(
            p for p in (token, value) if p and not _repeatable(p, commands)
        )
    # Longest first, so a value inside a hidden token does not split it;
    # repr's escaped spelling too, as argparse quotes some with %r.
    forms = {form for p in pieces for form in (p, repr(p)[1:-1])}
    for form in sorted(forms, key=len, reverse=True):
        message = re.sub(
            rf"(?<![\w-]){re.escape(form)}(?![\w-])", "…", message
        )
    return message


def _unrecognized(token: str, commands: Collection[str]) -> str:
    """An argument the parser did not take, as an error may show it:
    an option's name, never a value nor a bare word."""
    name, equals, _ = token.partition("=")
    if not _repeatable(name, commands):
        return "…"
    return name + "=…" * bool(equals)
