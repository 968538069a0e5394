"""The audit log: every write, every grant, every refused attempt; one row each, append-only.

An entry names who (`token`: an API token's public id, `cli:<user>` for the command line,
`anonymous` when no token came, `invalid` when one came that does not check, being unknown,
altered, expired or revoked; never a secret), what (`action`, `dataset`), how it ended
(`outcome`: `ok`, `refused` with the reason in `detail`, or `failed` with the error type in
`detail`), from where (`client`: the peer address, `local` for the CLI) and when (`time`,
UTC, ISO 8601 with microseconds).

The rows live in the state database's `audit` table, which the database itself keeps
append-only (triggers refuse UPDATE and DELETE); `record` returns once its row is committed.

A refusal any client may repeat at will (an anonymous read of conditional data) goes through
`refusal` instead: the first of each (who, action, dataset, client) in a UTC hour is written at
once, the rest only counted in memory and written as one row `refused N more times` when the
hour closes (at the next refusal after it), at `flush`, or when the state closes (the server's
shutdown). So the log grows by at most two rows per key and hour, not one per request; the
counts of a process killed without its shutdown are lost.
"""

from __future__ import annotations

import getpass
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast, get_args

from catalog.state.database import Database

Outcome = Literal["ok", "refused", "failed"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
ANONYMOUS = "anonymous"
INVALID = "invalid"
LOCAL = "local"
# Callers' text (a dataset name, a reason) lands in the log; an attacker must not make it huge.
MAX_FIELD_CHARS = 300
READ_BATCH = 1000
# Keys tallied at once; beyond them every tally is written and counting starts over, so an
# attacker with many addresses costs rows (one per address), never the server's memory.
MAX_TALLIES = 10_000
HOUR = "%Y-%m-%dT%H"
COLUMNS = ("time", "token", "action", "dataset", "outcome", "detail", "client")
INSERT = f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"

# (token, action, dataset, client, hour) → refusals since the first, which was written
Tallies = dict[tuple[str, str, str, str, str], int]


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the log."""

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


def entry_time(moment: datetime) -> str:
    """A moment as the log writes it: UTC, microseconds, `Z` (one width: text order is time
    order)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditLog:
    """Append entries to, and read them from, the state database's audit table."""

    def __init__(self, database: Database, clock: Callable[[], datetime] | None = None) -> None:
        self.database = database
        self.clock = clock or (lambda: datetime.now(UTC))
        self._tallies: Tallies = {}
        self._tally_lock = threading.Lock()

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
        """Append one entry; it is committed when this returns."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        entry = AuditEntry(
            time=entry_time(self.clock()),
            token=bounded(token),
            action=bounded(action),
            dataset=bounded(dataset),
            outcome=outcome,
            detail=bounded(detail),
            client=bounded(client),
        )
        self.append([entry])
        return entry

    def refusal(
        self, *, token: str, action: str, dataset: str = "", detail: str = "", client: str = ""
    ) -> None:
        """Record a refusal a client may repeat at will, tallied per (token, action, dataset,
        client, hour): the first written at once, the rest counted (see the module's doc)."""
        hour = self.clock().astimezone(UTC).strftime(HOUR)
        key = (bounded(token), bounded(action), bounded(dataset), bounded(client), hour)
        with self._tally_lock:
            full = key not in self._tallies and len(self._tallies) >= MAX_TALLIES
            closed = self._close(lambda k: full or k[4] != hour)
            first = key not in self._tallies
            self._tallies[key] = 0 if first else self._tallies[key] + 1
        self.append(closed)
        if first:
            self.record(
                token=token,
                action=action,
                outcome="refused",
                dataset=dataset,
                detail=detail,
                client=client,
            )

    def flush(self) -> None:
        """Write the count of every refusal tallied and not yet written; counting starts over."""
        with self._tally_lock:
            closed = self._close(lambda _: True)
        self.append(closed)

    def _close(self, closing: Callable[[tuple[str, ...]], bool]) -> list[AuditEntry]:
        """Take the tallies `closing` picks out of memory: the rows that say their counts."""
        now = entry_time(self.clock())
        taken = [key for key in self._tallies if closing(key)]
        counts = [(key, self._tallies.pop(key)) for key in taken]
        return [_summary(now, key, count) for key, count in counts if count]

    def append(self, entries: list[AuditEntry]) -> None:
        """Append entries as they are (the import of a legacy log keeps their times)."""
        if entries:
            with self.database.begin() as connection:
                connection.executemany(INSERT, [_row(entry) for entry in entries])

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
        wanted = {"dataset": dataset, "action": action, "outcome": outcome, "token": token}
        parameters = {name: value for name, value in wanted.items() if value is not None}
        where = "".join(f" AND {name} = :{name}" for name in parameters)
        if since is not None:
            parameters["since"] = entry_time(since)
            where += " AND time >= :since"
        yield from self._pages(where, parameters)

    def _pages(self, where: str, parameters: dict[str, str]) -> Iterator[AuditEntry]:
        # Keyset pages by `seq`: a long log is never held whole, nor a transaction open
        # while the caller prints.
        query = (
            f"SELECT seq, {', '.join(COLUMNS)} FROM audit WHERE seq > :after{where}"
            f" ORDER BY seq LIMIT {READ_BATCH}"
        )
        after = 0
        while True:
            with self.database.connect() as connection:
                rows = connection.execute(query, {**parameters, "after": after}).rows
            for row in rows:
                yield _entry(row)
            if len(rows) < READ_BATCH:
                return
            after = rows[-1]["seq"]


def _summary(time: str, key: tuple[str, ...], count: int) -> AuditEntry:
    token, action, dataset, client, hour = key
    detail = f"refused {count} more times in the hour from {hour}:00Z"
    return AuditEntry(time, token, action, dataset, "refused", detail, client)


def _row(entry: AuditEntry) -> dict[str, str]:
    return {
        "time": entry.time,
        "token": entry.token,
        "action": entry.action,
        "dataset": entry.dataset,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "client": entry.client,
    }


def _entry(value: object) -> AuditEntry:
    found = cast(dict[str, str], value)
    outcome = found["outcome"]
    if outcome not in OUTCOMES:
        raise ValueError(f"audit log entry with outcome {outcome!r}")
    return AuditEntry(
        time=found["time"],
        token=found["token"],
        action=found["action"],
        dataset=found["dataset"],
        outcome=cast(Outcome, outcome),  # checked against OUTCOMES above
        detail=found["detail"],
        client=found["client"],
    )


def bounded(value: object) -> str:
    # A lone surrogate (JSON allows "\\ud800") cannot be stored as UTF-8, nor NUL in
    # PostgreSQL's text: both are written escaped, as the old JSON Lines log wrote them.
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"
