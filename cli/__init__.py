"""The `opendata` command line: the steward's and operator's entry point, above `api`.

A server (`opendata serve`) never loads numpy or pandas. pyarrow imports numpy whenever it is
installed (Frictionless needs it for `opendata build`), though a server converts nothing to
or from numpy: 20 MB of an idle server's resident memory. Refused before anything imports
pyarrow, which the commands' modules below do, they stay out for the process's life. So does
pyarrow's S3 filesystem (`pyarrow.parquet` imports it, and its 17 MB library, 3 MB of them
resident) in a server of a folder store: only an `s3://` store reads through it. And so does
pydantic's copy of its version 1 (1.3 MB), which FastAPI imports only to ask whether a route's
types are version 1 models, and answers no when it cannot be imported.

A server also refuses transparent huge pages for itself (and the children it starts), before
its imports allocate: where the kernel backs every anonymous mapping with them (`always`, the
default of Red Hat's and some other distributions), an idle server held 165-166 MB, 19 MB of
it 2 MB pages that were mostly empty; with them refused, 146.5 MB, as under `madvise`.
"""

from __future__ import annotations

import ctypes
import os
import sys
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path

import validation

if typing.TYPE_CHECKING:
    from cli.main import app

# prctl(2)'s option that refuses transparent huge pages to the calling process.
_PR_SET_THP_DISABLE = 41
# The main callback's options that take a value (cli.main.main), before the command's name.
VALUED_OPTIONS = frozenset({"--datasets", "--store", "--state"})
SERVER_REFUSES = ("numpy", "pandas", "pydantic.v1")
FOLDER_SERVER_REFUSES = ("pyarrow._s3fs",)


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


def _store_of(arguments: Sequence[str], environ: Mapping[str, str]) -> str:
    """The store an `opendata` command line names: its last `--store` before the command's
    name (the one the option parser keeps), else OPENDATA_STORE, else the settings' default
    (a folder)."""
    named = None
    given = iter(arguments)
    for argument in given:
        if argument == "--store":
            named = next(given, "")
        elif argument.startswith("--store="):
            named = argument.removeprefix("--store=")
        elif argument in VALUED_OPTIONS:
            next(given, None)
        elif not argument.startswith("-"):
            break  # the command's own options follow
    return named if named is not None else environ.get("OPENDATA_STORE", "store")


def server_refuses(arguments: Sequence[str], environ: Mapping[str, str]) -> tuple[str, ...]:
    """What `opendata serve` keeps out: numpy and pandas, and pyarrow's S3 filesystem unless
    the store is a URL (`catalog.store.open_store` makes every other location a folder)."""
    folder = "://" not in _store_of(arguments, environ)
    return SERVER_REFUSES + (FOLDER_SERVER_REFUSES if folder else ())


def refuse_huge_pages() -> bool:
    """Refuse transparent huge pages to this process and its children (Linux 3.15 and
    later); False where the system has no such call."""
    if not sys.platform.startswith("linux"):
        return False
    return bool(ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0)


if Path(sys.argv[0]).name == "opendata" and command_of(sys.argv[1:]) == "serve":
    refuse_huge_pages()
    sys.meta_path.insert(0, validation.Refusal(*server_refuses(sys.argv[1:], os.environ)))


def __getattr__(name: str) -> object:
    # The command line's parser and its commands load with `app`, on first use: the server
    # process (`cli.serving`) imports this package without them.
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from cli.main import app

    return app


__all__ = [
    "FOLDER_SERVER_REFUSES",
    "SERVER_REFUSES",
    "VALUED_OPTIONS",
    "app",
    "command_of",
    "refuse_huge_pages",
    "server_refuses",
]
