"""The version history of a dataset as the dataset page shows it: what changed, what validated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResourceChange:
    name: str
    rows_before: int | None
    rows_after: int | None
    fields_added: list[str]
    fields_removed: list[str]


@dataclass(frozen=True)
class VersionEntry:
    version: str
    published: str
    input_sha256: str
    current: bool
    valid: bool | None
    changes: list[ResourceChange]
    first: bool


@dataclass(frozen=True)
class ValidationSummary:
    valid: bool
    errors: int
    warnings: int
    tasks: list[tuple[str, int | None, bool]]  # (resource, rows, valid)


def resource_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[ResourceChange]:
    """Per resource: row counts before and after, fields added and removed."""
    old = {str(r["name"]): r for r in (before or {}).get("resources", [])}
    new = {str(r["name"]): r for r in after.get("resources", [])}
    changes = []
    for name in [*new, *(n for n in old if n not in new)]:
        was, now = old.get(name), new.get(name)
        old_fields = _field_names(was)
        new_fields = _field_names(now)
        changes.append(
            ResourceChange(
                name=name,
                rows_before=was.get("rows") if was else None,
                rows_after=now.get("rows") if now else None,
                fields_added=[f for f in new_fields if f not in old_fields] if was else [],
                fields_removed=[f for f in old_fields if f not in new_fields] if now else [],
            )
        )
    return changes


def _field_names(resource: dict[str, Any] | None) -> list[str]:
    if not resource:
        return []
    return [str(f["name"]) for f in resource.get("schema", {}).get("fields", [])]


def validation_summary(report: dict[str, Any]) -> ValidationSummary:
    """The counts and per-table outcome of a Frictionless validation report."""
    stats = report.get("stats") or {}
    tasks = [
        (str(t.get("name", "")), (t.get("stats") or {}).get("rows"), bool(t.get("valid")))
        for t in report.get("tasks", [])
    ]
    return ValidationSummary(
        valid=bool(report.get("valid")),
        errors=int(stats.get("errors", len(report.get("errors", [])))),
        warnings=int(stats.get("warnings", len(report.get("warnings", [])))),
        tasks=tasks,
    )
