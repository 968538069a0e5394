"""The validation report: Frictionless v5 shape for machines, a grouped summary for people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NotRequired, Required, TypedDict

from validation.errors import ErrorDocument, ReportError


class TableStats(TypedDict, total=False):
    """What was measured of one table: its source file's `SourceStats` and the typed table's
    size; nothing when the file could not be read."""

    md5: str
    sha256: str
    bytes: int
    encoding: str
    fields: int
    rows: int


class TaskStats(TableStats, total=False):
    errors: Required[int]
    warnings: Required[int]
    seconds: Required[float]


class WarningDocument(TypedDict):
    """One row a warning check reported: located as an error is, with the flag it got."""

    type: str
    flag: str
    message: str
    note: str
    rowNumber: int | None
    fieldName: str | None
    expected: str | None
    found: str | None


class TaskDocument(TypedDict):
    """One resource's part of the report as written. ``warnings`` holds texts, as
    Frictionless's task does; ``flagged`` (only when there are any) the same warnings
    located: row, field, expected, found."""

    name: str
    type: str
    valid: bool
    place: str
    labels: list[str]
    stats: TaskStats
    warnings: list[str]
    errors: list[ErrorDocument]
    flagged: NotRequired[list[WarningDocument]]


@dataclass(frozen=True)
class Flagged:
    """A row a warning check reported: the problem as an error would say it, and the flag
    the row gets in its ``flags`` field. ``item`` is the row's position in the typed table:
    a layout resource has several rows on one source line (``problem.row``)."""

    flag: str
    problem: ReportError
    item: int | None

    @property
    def message(self) -> str:
        return f"[{self.flag}] {self.problem.message}"

    def to_dict(self) -> WarningDocument:
        problem = self.problem
        return {
            "type": problem.type,
            "flag": self.flag,
            "message": self.message,
            "note": problem.note,
            "rowNumber": problem.row,
            "fieldName": problem.field,
            "expected": problem.expected,
            "found": problem.found,
        }


class ReportStats(TypedDict):
    tasks: int
    errors: int
    warnings: int
    seconds: float


class ReportDocument(TypedDict):
    """The report as ``validation.json`` holds it, and as the store reads it back.
    ``notes`` (only when there are any) say what a check left unchecked, and why."""

    valid: bool
    stats: ReportStats
    warnings: list[str]
    notes: NotRequired[list[str]]
    errors: list[ErrorDocument]
    tasks: list[TaskDocument]


@dataclass
class Task:
    """One resource's part of the report (a Frictionless "task")."""

    name: str
    place: str
    labels: list[str] = field(default_factory=list)
    errors: list[ReportError] = field(default_factory=list)
    flagged: list[Flagged] = field(default_factory=list)
    stats: TableStats = field(default_factory=lambda: TableStats())
    seconds: float = 0.0

    @property
    def valid(self) -> bool:
        return not self.errors

    def flags_by_item(self) -> dict[int, list[str]]:
        """Each flagged row's flags by its position in the typed table, in the order the
        checks are declared, each once."""
        by_row: dict[int, list[str]] = {}
        for flagged in self.flagged:
            if flagged.item is None:
                continue
            flags = by_row.setdefault(flagged.item, [])
            if flagged.flag not in flags:
                flags.append(flagged.flag)
        return by_row

    def to_dict(self) -> TaskDocument:
        stats: TaskStats = {
            "errors": len(self.errors),
            "warnings": len(self.flagged),
            "seconds": round(self.seconds, 3),
            **self.stats,
        }
        document: TaskDocument = {
            "name": self.name,
            "type": "table",
            "valid": self.valid,
            "place": self.place,
            "labels": self.labels,
            "stats": stats,
            "warnings": [flagged.message for flagged in self.flagged],
            "errors": [error.to_dict(self.labels) for error in self.errors],
        }
        if self.flagged:
            document["flagged"] = [flagged.to_dict() for flagged in self.flagged]
        return document


@dataclass
class Report:
    """Everything a validation found; ``errors`` lists package-level and task errors alike."""

    tasks: list[Task] = field(default_factory=list)
    package_errors: list[ReportError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[ReportError]:
        return self.package_errors + [error for task in self.tasks for error in task.errors]

    @property
    def valid(self) -> bool:
        return not self.package_errors and all(task.valid for task in self.tasks)

    @property
    def flagged(self) -> list[Flagged]:
        return [flagged for task in self.tasks for flagged in task.flagged]

    def to_dict(self) -> ReportDocument:
        """The report as ``frictionless.validate(...).to_descriptor()`` shapes it."""
        document: ReportDocument = {
            "valid": self.valid,
            "stats": {
                "tasks": len(self.tasks),
                "errors": len(self.errors),
                "warnings": len(self.warnings) + len(self.flagged),
                "seconds": round(self.seconds, 3),
            },
            "warnings": list(self.warnings),
            "errors": [error.to_dict() for error in self.package_errors],
            "tasks": [task.to_dict() for task in self.tasks],
        }
        if self.notes:
            document["notes"] = list(self.notes)
        return document

    def summary(self, per_type: int = 5) -> str:
        """Readable terminal text: per resource, counts per error type, the first few of each;
        then the notes (what a check left unchecked)."""
        notes = [f"note: {text}" for text in self.notes]
        return "\n".join([self._findings(per_type), *notes])

    def _findings(self, per_type: int) -> str:
        if self.valid:
            rows = sum(int(task.stats.get("rows", 0)) for task in self.tasks)
            valid = f"valid: {len(self.tasks)} resource(s), {rows} row(s)"
            if not self.flagged:
                return valid
            lines = [f"{valid}, {len(self.flagged)} warning(s)"]
            lines += [f"  {flagged.message}" for flagged in self.flagged[:per_type]]
            if len(self.flagged) > per_type:
                lines.append(f"  … {len(self.flagged) - per_type} more")
            return "\n".join(lines)
        lines = [f"invalid: {len(self.errors)} error(s)"]
        lines += [f"warning: {text}" for text in self.warnings]
        if self.package_errors:
            lines += _summarise_group("datapackage", self.package_errors, per_type)
        for task in self.tasks:
            if task.errors:
                lines += _summarise_group(f"{task.name} ({task.place})", task.errors, per_type)
        return "\n".join(lines)


def _summarise_group(title: str, errors: list[ReportError], per_type: int) -> list[str]:
    counts = Counter(error.type for error in errors)
    lines = [f"{title}: " + ", ".join(f"{n} {kind}" for kind, n in counts.most_common())]
    for kind, total in counts.most_common():
        shown = [error for error in errors if error.type == kind][:per_type]
        lines += [f"  [{kind}] {error.message}" for error in shown]
        if total > len(shown):
            lines.append(f"  [{kind}] … {total - len(shown)} more")
    return lines
