"""The `opendata` command line: the steward's and operator's entry point, above `api`.

A server (`opendata serve`) never loads numpy or pandas. pyarrow imports numpy whenever it is
installed (Frictionless needs it for `opendata build`), though a server converts nothing to
or from numpy: 20 MB of an idle server's resident memory. Refused before anything imports
pyarrow, which the commands' modules below do, they stay out for the process's life.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import validation

# The main callback's options that take a value (cli.main.main), before the command's name.
VALUED_OPTIONS = frozenset({"--datasets", "--store", "--state"})
SERVER_REFUSES = ("numpy", "pandas")


def command_of(arguments: Sequence[str]) -> str | None:
    """The command an `opendata` command line names: its first argument that is neither an
    option nor an option's value."""
    given = iter(arguments)
    for argument in given:
        if argument in VALUED_OPTIONS:
            next(given, None)
        elif not argument.startswith("-"):
            return argument
    return None


if Path(sys.argv[0]).name == "opendata" and command_of(sys.argv[1:]) == "serve":
    sys.meta_path.insert(0, validation.Refusal(*SERVER_REFUSES))

from cli.main import app  # noqa: E402 - after the refusal, which must come before pyarrow

__all__ = ["SERVER_REFUSES", "VALUED_OPTIONS", "app", "command_of"]
