"""Table Schema v2 and Table Dialect v2 as strict models: the part of a descriptor that says
what a table holds and how its file is laid out (the package around it is `package.py`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# A value YAML may hand over typed: `2020` is an int, `2026-01-01` a date.
Scalar = str | int | float | bool | date | datetime
Names = str | list[str]  # Table Schema allows one field name or a list


class Strict(BaseModel):
    """A descriptor object: only the keys it declares (by their JSON names), nothing else."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


# -- Table Schema ----------------------------------------------------------------------------


class Constraints(Strict):
    required: bool | None = None
    unique: bool | None = None
    minLength: int | None = None
    maxLength: int | None = None
    minimum: Any = None
    maximum: Any = None
    exclusiveMinimum: Any = None
    exclusiveMaximum: Any = None
    pattern: str | None = None
    enum: list[Any] | None = None
    jsonSchema: dict[str, Any] | None = None


class TableField(Strict):
    """One column: Table Schema's properties, and ours (`title_en`, `unit`, `decimals`,
    `decimalsField`)."""

    # The rule itself, with its message, is validation's (`field_name_problem`); the
    # pattern tells an editor checking datapackage.yaml against the exported JSON Schema.
    name: str = Field(
        json_schema_extra={
            "pattern": "^(?![Ff][Ii][Ll][Ee]_[Rr][Oo][Ww]_[Nn][Uu][Mm][Bb][Ee][Rr]$)"
            '[^_\\s"](?:[^"]*[^\\s"])?$',
            "description": "Not starting with `_` (CKAN's DataStore keeps those names for its"
            ' own columns), no `"`, no space at either end, not `file_row_number` in any case'
            " (the query engine's row number).",
        }
    )
    type: str = "any"
    format: str | None = None
    title: str | None = None
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    example: Any = None
    rdfType: str | None = None
    constraints: Constraints | None = None
    missingValues: list[Any] | None = None
    trueValues: list[str] | None = None
    falseValues: list[str] | None = None
    bareNumber: bool | None = None
    groupChar: str | None = None
    decimalChar: str | None = None
    categories: Any = None
    categoriesOrdered: bool | None = None
    unit: str | None = None
    decimals: int | None = None
    # Per-row printed precision: the integer field holding each row's digits after the point.
    decimalsField: str | None = None


class Reference(Strict):
    """What a foreign key points at; `package` names another dataset (a code list)."""

    resource: str = ""
    fields: Names = ""
    package: str | None = None


class ForeignKey(Strict):
    fields: Names
    reference: Reference


class TableSchema(Strict):
    profile: str | None = Field(None, alias="$schema")
    fields: list[TableField] = []
    primaryKey: Names | None = None
    foreignKeys: list[ForeignKey] = []
    uniqueKeys: list[list[str]] | None = None
    missingValues: list[Any] | None = None
    fieldsMatch: str | None = None

    def field(self, name: str) -> TableField | None:
        return next((f for f in self.fields if f.name == name), None)


# -- Data Package ----------------------------------------------------------------------------


class TableDialect(Strict):
    """Table Dialect v2: how a CSV (or a sheet) is laid out."""

    profile: str | None = Field(None, alias="$schema")
    header: bool | None = None
    headerRows: list[int] | None = None
    headerJoin: str | None = None
    commentRows: list[int] | None = None
    commentChar: str | None = None
    delimiter: str | None = None
    lineTerminator: str | None = None
    quoteChar: str | None = None
    doubleQuote: bool | None = None
    escapeChar: str | None = None
    nullSequence: str | None = None
    skipInitialSpace: bool | None = None
    property: str | None = None
    itemType: str | None = None
    itemKeys: list[str] | None = None
    sheetNumber: int | None = None
    sheetName: str | None = None
    table: str | None = None
