"""What a store answers about a dataset's life: its versions, its switches, its withdrawals.

The same records whatever the store is made of (`catalog.store.base.Store`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from catalog.errors import Conflict

# The scope of a withdrawal: the whole dataset, or one version.
DATASET = "dataset"
VERSION = "version"


@dataclass(frozen=True)
class VersionInfo:
    slug: str
    version: str
    published: str
    input_sha256: str
    current: bool
    withdrawn: bool = False
    warnings: int = 0  # rows its warning checks flagged


@dataclass(frozen=True)
class Withdrawal:
    """One withdrawal: of the dataset (`scope` "dataset") or of one version ("version").

    `versions` lists every version the withdrawal took away; a record written before it was
    kept has None, and then covers every version published up to `withdrawn`.
    """

    slug: str
    version: str
    withdrawn: str
    reason: str
    scope: str = DATASET
    versions: tuple[str, ...] | None = None

    @classmethod
    def from_line(cls, line: str) -> Withdrawal:
        loaded = json.loads(line)
        listed = loaded.get("versions")
        loaded["versions"] = tuple(listed) if isinstance(listed, list) else None
        return cls(**loaded)

    def to_line(self) -> str:
        record = {k: v for k, v in asdict(self).items() if k != "versions"}
        record["versions"] = list(self.versions or ())
        return json.dumps(record, ensure_ascii=False)


@dataclass(frozen=True)
class Served:
    """One switch: `version` became current at `time`."""

    version: str
    time: str
    seeded: bool = field(default=False, compare=False)

    @classmethod
    def from_line(cls, line: str) -> Served:
        loaded = json.loads(line)
        return cls(str(loaded["version"]), str(loaded["time"]))

    def to_line(self) -> str:
        record: dict[str, Any] = {"version": self.version, "time": self.time}
        if self.seeded:
            record["seeded"] = True  # derived from the publish time when HISTORY began
        return json.dumps(record)


def changed_since(slug: str, seen: str | None, now: str | None) -> Conflict:
    """The error of a write that built on `seen` while `now` became current."""
    read = f"version {seen}" if seen else "it unpublished"
    state = now if now else "withdrawn" if seen else "published by another writer"
    return Conflict(f"dataset {slug} changed since you read {read}; now {state}")
