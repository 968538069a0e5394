"""The files the state lived in before the database, each taken into it once.

- The token file (`<state>/api-tokens.json`, or `OPENDATA_API_TOKENS_FILE`; before that
  `<store>/.api-tokens.json`, moved to the state folder first by `adopt_legacy_tokens`):
  each token keeps its id, hash, times and revocation, and gets the scope `admin`, since
  any token could make any write then. The file is renamed `*.imported` afterwards.
- The audit log (`<state>/audit.log`, JSON Lines): every complete line, in order, times
  kept. It is renamed `*.imported` too.

Each import is one transaction that also writes a row of the `imports` table; a second
process importing at the same moment fails on that row's key and leaves the first's work.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.state.audit import INSERT as AUDIT_INSERT
from catalog.state.audit import OUTCOMES, bounded, entry_time, parse_time
from catalog.state.database import Database, IntegrityError
from catalog.state.tokens import INSERT as TOKENS_INSERT
from catalog.state.tokens import stamp

IMPORTED_SUFFIX = ".imported"
TOKENS_IMPORT = "api-tokens.json"
AUDIT_IMPORT = "audit.log"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LegacyFiles:
    """Where the files of the state before the database are, if anywhere."""

    tokens: Path | None = None
    audit: Path | None = None


def import_legacy(database: Database, files: LegacyFiles) -> list[str]:
    """Take each legacy file that exists and was never imported; the names of those taken."""
    done = []
    for name, path, read in (
        (TOKENS_IMPORT, files.tokens, _token_rows),
        (AUDIT_IMPORT, files.audit, _audit_rows),
    ):
        if path is None or not path.is_file():
            continue
        try:
            rows = read(path)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # Nothing is imported and the file stays: the operator mends or moves it.
            raise LegacyFileError(f"{path} cannot be imported: {exc!r}") from None
        if _import(database, name, path, rows):
            done.append(name)
    return done


class LegacyFileError(ValueError):
    """A legacy file that is not what the platform wrote: not imported, left in place."""


def _import(database: Database, name: str, path: Path, rows: list[dict[str, Any]]) -> bool:
    insert = TOKENS_INSERT if name == TOKENS_IMPORT else AUDIT_INSERT
    now = stamp(datetime.now(UTC))
    try:
        with database.begin() as connection:
            taken = "SELECT name FROM imports WHERE name = :name"
            if connection.execute(taken, {"name": name}).first():
                return False
            if rows:
                connection.executemany(insert, rows)
            connection.execute(
                "INSERT INTO imports (name, time, detail) VALUES (:name, :time, :detail)",
                {"name": name, "time": now, "detail": f"{len(rows)} rows from {path}"},
            )
    except IntegrityError:  # another process imported it at the same moment
        return False
    os.replace(path, path.with_name(path.name + IMPORTED_SUFFIX))
    logger.warning("State: %s imported into the database (%d rows)", path, len(rows))
    return True


def _token_rows(path: Path) -> list[dict[str, Any]]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return [
        {
            "id": entry["id"],
            "name": entry["name"],
            "salt": entry["salt"],
            "sha256": entry["sha256"],
            "scopes": "admin",
            "created": entry["created"],
            "expires": None,
            "last_used": entry.get("last_used"),
            "revoked": entry.get("revoked"),
            "imported": True,
        }
        for entry in loaded.get("tokens", [])
    ]


def _audit_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open("rb") as lines:
        for raw in lines:
            if not raw.endswith(b"\n"):
                break  # a line cut short by a crash: never a whole entry
            value = json.loads(raw)
            if value["outcome"] not in OUTCOMES:
                raise ValueError(f"{path}: an entry with outcome {value['outcome']!r}")
            rows.append(
                {
                    "time": entry_time(parse_time(value["time"])),
                    **{key: bounded(value.get(key, "")) for key in _AUDIT_TEXT},
                }
            )
    return rows


_AUDIT_TEXT = ("token", "action", "dataset", "outcome", "detail", "client")


def adopt_legacy_tokens(legacy: Path, target: Path) -> bool:
    """Move a token file from its old place in the store to `target`; True if it moved.

    When both exist, `target` wins and the old file is left for the operator to delete,
    with a warning: it may hold tokens revoked since.
    """
    if not legacy.is_file():
        return False
    if target.exists() or target.with_name(target.name + IMPORTED_SUFFIX).exists():
        logger.warning(
            "API tokens: %s is used; the old %s is still in the store. Delete it.", target, legacy
        )
        return False
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # `move` copies across file systems; the copy is complete before the old file goes.
    shutil.move(legacy, target)
    legacy.with_name(legacy.name + ".lock").unlink(missing_ok=True)
    os.chmod(target, 0o600)
    logger.warning(
        "API tokens moved from %s to %s: the store is readable by the query engine, private"
        " state is not",
        legacy,
        target,
    )
    return True
