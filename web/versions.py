"""The version history of a dataset as the dataset page shows it: what changed, what validated."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.store import Package
from validation import ReportDocument
from web.charts import fields_of


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
class FlaggedRow:
    """A row a warning check flagged, as the page lists it."""

    resource: str
    row: int | None
    field: str | None
    flag: str
    expected: str | None
    found: str | None


@dataclass(frozen=True)
class ValidationSummary:
    valid: bool
    errors: int
    warnings: int
    tasks: list[tuple[str, int | None, bool]]  # (resource, rows, valid)
    flagged: list[FlaggedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what warning checks could not check


def resource_changes(before: Package | None, after: Package) -> list[ResourceChange]:
    """Per resource: row counts before and after, fields added and removed."""
    old = {r.name: r for r in (before.resources if before is not None else [])}
    new = {r.name: r for r in after.resources}
    changes = []
    for name in [*new, *(n for n in old if n not in new)]:
        was, now = old.get(name), new.get(name)
        old_fields = [f.name for f in fields_of(was)]
        new_fields = [f.name for f in fields_of(now)]
        changes.append(
            ResourceChange(
                name=name,
                rows_before=was.rows if was else None,
                rows_after=now.rows if now else None,
                fields_added=[f for f in new_fields if f not in old_fields] if was else [],
                fields_removed=[f for f in old_fields if f not in new_fields] if now else [],
            )
        )
    return changes


def validation_summary(report: ReportDocument) -> ValidationSummary:
    """The counts and per-table outcome of a Frictionless validation report.

    Read defensively: a report written by an earlier version may lack a key.
    """
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
        flagged=[
            FlaggedRow(
                resource=str(task.get("name", "")),
                row=warning.get("rowNumber"),
                field=warning.get("fieldName"),
                flag=str(warning.get("flag", "")),
                expected=warning.get("expected"),
                found=warning.get("found"),
            )
            for task in report.get("tasks", [])
            for warning in task.get("flagged", [])
        ],
        notes=[str(note) for note in report.get("notes", [])],
    )
