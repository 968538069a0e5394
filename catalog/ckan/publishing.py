"""A CKAN write's publish, and an upload's schema inference, in a child process.

A server validates nothing itself: what needs Frictionless, numpy and the validators (and
the hundreds of MB a large upload's validation peaks at) runs in a fresh interpreter,
`python -m catalog.ckan.child <memory MB>`, that the action waits for; the server
keeps none of it, and `opendata serve` refuses numpy and pandas for its whole life (`cli`).

The child is handed a pickled request on its stdin and answers one pickled value on its
stdout: ("done", result) or ("error", an `OpenDataError`, with its report when validation
failed), raised again in the server as the action's error (the 409 naming file, row and
field; FoldersUnwritable's 503). The server reads back only `catalog` errors and the report
types (`Answer`), never a library's objects.

The dataset's publish lock stays the action's: the server holds it from reading the folder
to the child's end and passes the lock's open file down (`catalog.store.held_locks`); the
child takes it as its own (`adopt_lock`), so that `Publisher.build` holds it again as in
one process, and a parent that died cannot free it under a child still publishing.

The child is bounded: a time limit (killed past it), an OS memory cap (RLIMIT_DATA, as the
SQL workers; RLIMIT_AS counts the address space DuckDB reserves but never touches), no core
files.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import resource
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from catalog.errors import FoldersUnwritable, InvalidFields, OpenDataError
from catalog.query import publisher_of
from catalog.settings import Settings
from catalog.store import DatasetSource, adopt_lock, held_locks

PUBLISH_SECONDS = 900.0  # a publish past this is killed: the action fails, nothing switched
INFER_SECONDS = 120.0
# The child's memory cap: the server's whole budget, and never below what its imports and a
# moderate upload's validation take.
MEMORY_FLOOR_MB = 1024
ROOT = str(Path(__file__).resolve().parents[2])
# What an answer may hold: our errors and the validation report's types, with the builtins
# they are made of. Anything else is refused rather than imported into the server.
ANSWER_MODULES = frozenset({"builtins", "copyreg", "collections", "datetime", "pathlib"})
ANSWER_PACKAGES = ("catalog.", "validation.report", "validation.errors")


@dataclass(frozen=True)
class PublishRequest:
    """Publish the staged folder `source` (inside `work`) as today's `commit` does."""

    settings: Settings
    source: DatasetSource
    work: Path
    replace_folder: bool
    base: str | None
    locks: dict[str, int]


@dataclass(frozen=True)
class InferRequest:
    """A Table Schema for the uploaded file at `path`, read as `fmt`."""

    path: Path
    fmt: str


class ChildPublisher:
    """Publishes a CKAN write's staged folder in a child process, bounded in time and memory."""

    def __init__(self, settings: Settings, *, seconds: float = PUBLISH_SECONDS) -> None:
        self.settings = settings
        self.seconds = seconds

    def __call__(
        self, source: DatasetSource, work: Path, *, replace_folder: bool, base: str | None
    ) -> None:
        """With the dataset's lock held: validate and publish `source`, swapping it in."""
        locks = held_locks()
        request = PublishRequest(self.settings, source, work, replace_folder, base, locks)
        memory_mb = max(MEMORY_FLOOR_MB, self.settings.memory_budget_mb)
        run_child(request, seconds=self.seconds, memory_mb=memory_mb, fds=tuple(locks.values()))


def infer_schema(path: Path, fmt: str) -> dict[str, Any]:
    """A Table Schema inferred from the file by Frictionless, in a child process."""
    found = run_child(InferRequest(path, fmt), seconds=INFER_SECONDS, memory_mb=MEMORY_FLOOR_MB)
    if not isinstance(found, dict):
        raise OpenDataError(f"schema inference answered {type(found).__name__}")
    return found


def run_child(
    request: PublishRequest | InferRequest,
    *,
    seconds: float,
    memory_mb: int,
    fds: tuple[int, ...] = (),
) -> object:
    """Run `request` in a fresh interpreter; its result, or its error raised here."""
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    command = [sys.executable, "-s", "-B", "-m", "catalog.ckan.child", str(memory_mb)]
    try:
        done = subprocess.run(
            command,
            input=pickle.dumps(request),
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
            pass_fds=fds,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() killed it
        raise OpenDataError(f"{_what(request)} ran past {seconds:.0f} s and was stopped") from None
    if not done.stdout:
        raise OpenDataError(f"{_what(request)} ended without an answer (exit {done.returncode})")
    kind, value = _Answer(io.BytesIO(done.stdout)).load()
    if kind == "error" and isinstance(value, OpenDataError):
        raise value
    return value


def _what(request: PublishRequest | InferRequest) -> str:
    if isinstance(request, PublishRequest):
        return f"publishing {request.source.slug}"
    return "schema inference"


class _Answer(pickle.Unpickler):
    """Reads a child's answer, refusing any class outside `catalog` and the report types."""

    def find_class(self, module: str, name: str) -> Any:
        if module in ANSWER_MODULES or module.startswith(ANSWER_PACKAGES):
            return super().find_class(module, name)
        raise OpenDataError(f"a child answered with {module}.{name}")


# --- in the child ----------------------------------------------------------------------------


def swap_in(datasets: Path, work: Path, slug: str, replace_folder: bool) -> None:
    """Put the staged `work/slug` in place of the dataset's folder (the old one into `work`):
    run before the new version is switched to, a refusal here leaves the old one served."""
    folder = datasets / slug
    with folder_writes():
        if replace_folder and folder.exists():
            folder.rename(work / f"{slug}.previous")
        (work / slug).rename(folder)


@contextlib.contextmanager
def folder_writes() -> Iterator[None]:
    """Translate the system's refusal to change the dataset folders (read-only, permission
    denied, missing) into FoldersUnwritable, a 503 that names the cause, not a 500."""
    try:
        yield
    except OSError as exc:
        raise FoldersUnwritable(exc) from exc


def publish(request: PublishRequest) -> None:
    for lock, descriptor in request.locks.items():
        adopt_lock(lock, descriptor)
    settings, source = request.settings, request.source
    publisher = publisher_of(settings)
    swap = partial(swap_in, settings.datasets, request.work, source.slug, request.replace_folder)
    # The folder is swapped in before the new version is served: whoever sees it current
    # (an `opendata build` deciding what changed) reads its folder.
    publisher.build(source, base=request.base, before_switch=swap)
    if source.path.exists():  # the same inputs were already current: nothing served
        swap()


def infer(request: InferRequest) -> dict[str, Any]:
    from frictionless import Resource, system

    try:
        with system.use_context(trusted=True):
            found = Resource(path=str(request.path), format=request.fmt)
            found.infer()
            return dict(found.schema.to_descriptor())
    except Exception as exc:  # frictionless raises many kinds on unreadable files
        raise InvalidFields({"upload": [f"Could not read the table: {exc}"]}) from None


def main(memory_mb: int) -> None:
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The answer gets a private copy of stdout; what a library prints goes to the log.
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    request = pickle.load(sys.stdin.buffer)
    result: tuple[str, object]
    try:
        if isinstance(request, PublishRequest):
            publish(request)
            result = ("done", None)
        else:
            result = ("done", infer(request))
    except OpenDataError as exc:
        result = ("error", exc)
    except Exception as exc:
        traceback.print_exc()
        result = ("error", OpenDataError(f"{_what(request)} failed: {type(exc).__name__}: {exc}"))
    pickle.dump(result, answer)
    answer.flush()
