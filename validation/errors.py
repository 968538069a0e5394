"""The error model: one frozen record per problem, and the catalogue of error types.

Every problem ``validate_package`` finds becomes a :class:`ReportError`; nothing is raised.
Types follow the Frictionless v5 vocabulary so the published ``validation.json`` reads like a
Frictionless report; the domain-check types are ours::

    descriptor   package-error, resource-error, schema-error, check-error
    source       scheme-error, encoding-error, format-error, source-error, layout-error
    header       blank-label, duplicate-label, missing-label, extra-label, incorrect-label
    row          blank-row, primary-key, foreign-key
    cell         extra-cell, missing-cell, type-error, constraint-error, unique-error
    domain       non-negative-error, range-error, temporal-error, sum-error,
                 components-error, not-above-error, sql-check-error
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Required, TypedDict

_TABLE = ["#table"]
_HEADER = ["#table", "#header", "#label"]
_ROW = ["#table", "#row"]
_CELL = ["#table", "#row", "#cell"]

# type -> (title, description, tags); the Frictionless texts are copied so the report needs
# no import of frictionless (slow to import, and not needed on the fast path).
ERROR_TYPES: dict[str, tuple[str, str, list[str]]] = {
    "package-error": ("Package Error", "A validation cannot be processed.", []),
    "resource-error": ("Resource Error", "A validation cannot be processed.", []),
    "schema-error": ("Schema Error", "Provided schema is not valid.", []),
    "check-error": ("Check Error", "Provided check is not valid", []),
    "scheme-error": ("Scheme Error", "Data reading error because of incorrect scheme.", []),
    "encoding-error": (
        "Encoding Error",
        "Data reading error because of an encoding problem.",
        [],
    ),
    "format-error": ("Format Error", "Data reading error because of incorrect format.", []),
    "source-error": (
        "Source Error",
        "Data reading error because of not supported or inconsistent contents.",
        [],
    ),
    "layout-error": (
        "Layout Error",
        "A line or cell of a printed table does not fit the resource's declared layout.",
        _CELL,
    ),
    "blank-label": (
        "Blank Label",
        "A label in the header row is missing a value. Label should be provided and not be blank.",
        _HEADER,
    ),
    "duplicate-label": (
        "Duplicate Label",
        "Two columns in the header row have the same value. Column names should be unique.",
        _HEADER,
    ),
    "missing-label": (
        "Missing Label",
        "Based on the schema there should be a label that is missing in the data's header.",
        _HEADER,
    ),
    "extra-label": (
        "Extra Label",
        "The header of the data source contains label that does not exist in the provided schema.",
        _HEADER,
    ),
    "incorrect-label": (
        "Incorrect Label",
        "One of the data source header does not match the field name defined in the schema.",
        _HEADER,
    ),
    "dialect-error": ("Dialect Error", "Provided dialect is not valid.", []),
    "note-row": (
        "Note Row",
        "This row reads as a note or footer line (a source, a remark), not as data. "
        "Declare it in the dialect or remove it.",
        _ROW,
    ),
    "blank-row": (
        "Blank Row",
        "This row is empty. A row should contain at least one value.",
        _ROW,
    ),
    "primary-key": (
        "PrimaryKey Error",
        "Values in the primary key fields should be unique for every row",
        _ROW,
    ),
    "foreign-key": (
        "ForeignKey Error",
        "Values in the foreign key fields should exist in the reference table",
        _ROW,
    ),
    "extra-cell": (
        "Extra Cell",
        "This row has more values compared to the header row (the first row in the data "
        "source). A key concept is that all the rows in tabular data must have the same "
        "number of columns.",
        _CELL,
    ),
    "missing-cell": (
        "Missing Cell",
        "This row has less values compared to the header row (the first row in the data "
        "source). A key concept is that all the rows in tabular data must have the same "
        "number of columns.",
        _CELL,
    ),
    "type-error": (
        "Type Error",
        "The value does not match the schema type and format for this field.",
        _CELL,
    ),
    "constraint-error": (
        "Constraint Error",
        "A field value does not conform to a constraint.",
        _CELL,
    ),
    "unique-error": (
        "Unique Error",
        "This field is a unique field but it contains a value that has been used in another row.",
        _CELL,
    ),
    "non-negative-error": (
        "Non-negative Error",
        "A value that counts or measures something is negative.",
        _CELL,
    ),
    "range-error": ("Range Error", "A value lies outside its declared range.", _CELL),
    "temporal-error": (
        "Temporal Error",
        "A period lies outside the package's declared temporal coverage.",
        _CELL,
    ),
    "sum-error": ("Sum Error", "The parts of a group do not add up to its total.", _CELL),
    "components-error": (
        "Components Error",
        "A total item does not equal the sum of its component items.",
        _CELL,
    ),
    "not-above-error": (
        "Not Above Error",
        "A value exceeds the reference value it may not exceed.",
        _CELL,
    ),
    "sql-check-error": (
        "SQL Check Error",
        "A row was selected by a steward-written SQL check.",
        _ROW,
    ),
}

_UNKNOWN: tuple[str, str, list[str]] = ("Error", "", _TABLE)


class ForeignKeyDetail(TypedDict):
    """What a foreign-key error adds: the key, its values, and what it points at."""

    fieldNames: list[str]
    fieldValues: list[str]
    referenceName: str
    referenceFieldNames: list[str]


class ErrorDocument(TypedDict, total=False):
    """One error as the report writes it (Frictionless v5); the keys after ``note`` appear
    by the error's tags: a label's, a row's, a cell's, and a foreign key's detail."""

    type: Required[str]
    title: Required[str]
    description: Required[str]
    message: Required[str]
    tags: Required[list[str]]
    note: Required[str]
    labels: list[str]
    rowNumbers: list[int]
    label: str
    fieldName: str
    fieldNumber: int | None
    cells: list[str]
    rowNumber: int | None
    cell: str
    fieldNames: list[str]
    fieldValues: list[str]
    referenceName: str
    referenceFieldNames: list[str]


# Characters a terminal or a page would act on instead of showing: C0 and C1 controls, DEL,
# and the bidirectional overrides that reorder what a reader sees.
# Controls, and the invisible format characters that hide or reorder text: zero-width
# spaces and joiners, direction marks and overrides, line and paragraph separators, BOM.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def printable(text: str) -> str:
    """`text` with its control characters escaped as `repr` shows them (`\\x1b`, `\\n`).

    Every text from a file or a descriptor that enters a message passes through here: an
    escape sequence in a cell must not recolour the steward's terminal or hide a line.
    """
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


@dataclass(frozen=True)
class ReportError:
    """One problem, located as precisely as it can be.

    ``row`` counts as Frictionless does (the header row is 1); ``path`` is the resource's
    path inside the dataset folder, or "" for package-level problems.
    """

    type: str
    message: str
    resource: str
    path: str
    row: int | None = None
    field: str | None = None
    expected: str | None = None
    found: str | None = None
    field_number: int | None = None
    note: str = ""
    cells: tuple[str, ...] | None = None
    extra: ForeignKeyDetail | None = dataclasses.field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        # The one place every problem of a report is made: its texts are shown escaped.
        for name in ("message", "expected", "found", "note"):
            value = getattr(self, name)
            if value:
                object.__setattr__(self, name, printable(value))

    @property
    def title(self) -> str:
        return ERROR_TYPES.get(self.type, _UNKNOWN)[0]

    def to_dict(self, labels: list[str] | None = None) -> ErrorDocument:
        """The Frictionless v5 descriptor of this error."""
        title, description, tags = ERROR_TYPES.get(self.type, _UNKNOWN)
        out: ErrorDocument = {
            "type": self.type,
            "title": title,
            "description": description,
            "message": self.message,
            "tags": list(tags),
            "note": self.note,
        }
        if "#label" in tags:
            out["labels"] = labels or []
            out["rowNumbers"] = [self.row] if self.row is not None else []
            out["label"] = self.found or ""
            out["fieldName"] = self.field or ""
            out["fieldNumber"] = self.field_number
        elif "#row" in tags:
            out["cells"] = list(self.cells or [])
            out["rowNumber"] = self.row
            if "#cell" in tags:
                out["cell"] = self.found if self.found is not None else ""
                out["fieldName"] = self.field or ""
                out["fieldNumber"] = self.field_number
        if self.extra is not None:
            out = {**out, **self.extra}
        return out


def locate(path: str, row: int | None, field_name: str | None) -> str:
    """The ``file row N, field "x"`` prefix every message starts with."""
    where = path or "datapackage"
    if row is not None:
        where += f" row {row}"
    if field_name is not None:
        where += f', field "{field_name}"' if row is not None else f' field "{field_name}"'
    return where


def cell_error(
    type_: str,
    *,
    resource: str,
    path: str,
    row: int,
    field_name: str,
    expected: str,
    found: str | None,
    field_number: int | None = None,
    note: str = "",
) -> ReportError:
    """A cell-level error with the standard ``expected …, found …`` message."""
    shown = "nothing" if found is None else f'"{found}"'
    message = f"{locate(path, row, field_name)}: expected {expected}, found {shown}"
    return ReportError(
        type=type_,
        message=message,
        resource=resource,
        path=path,
        row=row,
        field=field_name,
        expected=expected,
        found=found,
        field_number=field_number,
        note=note or f"expected {expected}",
    )


def table_error(type_: str, *, resource: str, path: str, message: str) -> ReportError:
    """A problem with a whole file, resource or the descriptor."""
    return ReportError(
        type=type_,
        message=f"{path or 'datapackage'}: {message}",
        resource=resource,
        path=path,
        note=message,
    )
