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
import os
import sys
from collections.abc import Callable, Sequence

from iron_fast.cli._argv import parse_args
from iron_fast.cli._commands import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_SECRET,
    EXIT_USAGE,
    HANDLERS,
    CliError,
)
from iron_fast.cli._parser import build_parser

__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_SECRET",
    "EXIT_USAGE",
    "build_parser",
    "main",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iron-fast`` with ``argv`` (default: the process's
    arguments) and return its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse_args(build_parser(), argv, HANDLERS)
    except SystemExit as done:  # --help, --version, bad arguments
        return EXIT_OK if done.code is None else int(done.code)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
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
