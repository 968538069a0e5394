"""The audit log: every write, and every refused write attempt, one JSON line each.

An entry names who (`token`: an API token's public id, `cli:<user>` for the command line,
`anonymous` when no token came, `invalid` when one came that does not check; never a
secret), what (`action`, `dataset`), how it ended (`outcome`: `ok`, `refused` with the reason
in `detail`, or `failed` with the error type in `detail`), from where (`client`: the peer
address, `local` for the CLI) and when (`time`, UTC, ISO 8601).

The file (`Settings.audit_path`, outside the store so that no query can read it) is only ever
appended to: each entry is one `write` to a descriptor opened with `O_APPEND`, under an
exclusive `flock` shared by every thread and process that writes, and `fsync`ed before
`record` returns. No line is rewritten or removed; rotating the file is the operator's
business (move it aside; the next entry starts a new one).
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast, get_args

Outcome = Literal["ok", "refused", "failed"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
ANONYMOUS = "anonymous"
INVALID = "invalid"
LOCAL = "local"
# Callers' text (a dataset name, a reason) lands in the log; an attacker must not make it huge.
MAX_FIELD_CHARS = 300


@dataclass(frozen=True)
class AuditEntry:
    """One line of the log."""

    time: str
    token: str
    action: str
    dataset: str
    outcome: Outcome
    detail: str
    client: str

    @property
    def when(self) -> datetime:
        return parse_time(self.time)


def cli_token() -> str:
    """The actor of a command-line write: `cli:<login name>`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container: the uid says who
        user = str(os.getuid())
    return f"cli:{user}"


def outcome_of(exc: BaseException) -> tuple[Outcome, str]:
    """How an exception ends a write: `refused` when the caller was wrong (an error with a
    4xx status, named by its CKAN type and message), else `failed` with the error's type."""
    status = getattr(exc, "status", 500)
    if isinstance(status, int) and status < 500:
        return "refused", f"{getattr(exc, 'ckan_type', type(exc).__name__)}: {exc}"
    return "failed", type(exc).__name__


def parse_time(text: str) -> datetime:
    """An ISO date or time; a time without a zone is UTC."""
    found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


class AuditLog:
    """Append entries to, and read them from, one JSON Lines file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(
        self,
        *,
        token: str,
        action: str,
        outcome: Outcome,
        dataset: str = "",
        detail: str = "",
        client: str = "",
    ) -> AuditEntry:
        """Append one entry and make it durable before returning it."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        entry = AuditEntry(
            time=datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
            token=_field(token),
            action=_field(action),
            dataset=_field(dataset),
            outcome=outcome,
            detail=_field(detail),
            client=_field(client),
        )
        # ensure_ascii: a lone surrogate or a newline in a caller's text stays one escaped line.
        line = json.dumps(asdict(entry), ensure_ascii=True, separators=(",", ":")) + "\n"
        self._append(line.encode("ascii"))
        return entry

    def read(
        self,
        *,
        dataset: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        token: str | None = None,
        since: datetime | None = None,
    ) -> Iterator[AuditEntry]:
        """The entries, oldest first, that match every filter given."""
        for entry in self._entries():
            if dataset is not None and entry.dataset != dataset:
                continue
            if action is not None and entry.action != action:
                continue
            if outcome is not None and entry.outcome != outcome:
                continue
            if token is not None and entry.token != token:
                continue
            if since is not None and entry.when < since:
                continue
            yield entry

    def _append(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # flock is held per open file, so threads of one process exclude each other too.
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            written = 0
            while written < len(data):
                written += os.write(descriptor, data[written:])
            os.fsync(descriptor)
        finally:
            os.close(descriptor)  # closing releases the lock

    def _entries(self) -> Iterator[AuditEntry]:
        with contextlib.suppress(FileNotFoundError), self.path.open("rb") as lines:
            for raw in lines:
                if not raw.endswith(b"\n"):
                    return  # a line still being written by another process
                yield _entry(json.loads(raw))


def _entry(value: dict[str, str]) -> AuditEntry:
    outcome = value["outcome"]
    if outcome not in OUTCOMES:
        raise ValueError(f"audit log entry with outcome {outcome!r}")
    return AuditEntry(
        time=value["time"],
        token=value["token"],
        action=value["action"],
        dataset=value.get("dataset", ""),
        outcome=cast(Outcome, outcome),  # checked against OUTCOMES above
        detail=value.get("detail", ""),
        client=value.get("client", ""),
    )


def _field(value: object) -> str:
    text = str(value)
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"
