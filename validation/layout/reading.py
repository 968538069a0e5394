"""A resource with `layout`: its file as it arrived, read into the long table.

`read_printed` gives the same `RawTable` the CSV and XLSX readers give, so the long table is
typed, keyed and checked like any resource; its rows are numbered by the file's own lines.
A file that does not fit its layout raises `LayoutFailure` with every problem found, and
`layout_errors` turns them into report errors: a bad layout publishes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from validation.errors import ReportError
from validation.layout.lines import PrintedTable, csv_lines, merged_value_problems, xlsx_lines
from validation.layout.model import Layout
from validation.layout.moved import moved_lines
from validation.layout.problems import LayoutFailure, LayoutProblem
from validation.layout.regions import RegionIndex
from validation.layout.transform import (
    LONG_FIELDS,
    References,
    classify,
    header_problems,
    indicator_problems,
    unit_problems,
    unknown_fields,
    values,
)
from validation.layout.units import unit_rules
from validation.reading.readers import RawTable, ReadFailure

Resolver = Callable[[str, str], pa.Table]
REGIONS = ("region-codes", "regions")
ALIASES = ("region-codes", "aliases")
UNITS = ("indicator-codes", "units")
INDICATORS = ("indicator-codes", "indicators")


def read_printed(
    data: bytes, resource: Mapping[str, Any], format_: str, references: Resolver | None
) -> RawTable:
    """The long table of a printed file; ReadFailure or LayoutFailure when it cannot be."""
    layout = parse_layout(resource.get("layout"))
    if format_ == "xlsx":
        table = xlsx_lines(data, resource.get("sheet"))
    else:
        encoding = resource.get("encoding")
        table = csv_lines(data, str(encoding) if encoding else None)
    spread_left = format_ != "xlsx"  # a CSV: merged cells were exported as blanks
    raw = long_table(
        table, layout, load_references(references), _field_names(resource), spread_left=spread_left
    )
    raw.stats = table.stats
    return raw


def parse_layout(value: object) -> Layout:
    """The layout model; its faults (already named by the descriptor's loader) as a failure."""
    try:
        return Layout.model_validate(value)
    except ValidationError as exc:
        faults = "; ".join(
            f"layout.{'.'.join(str(step) for step in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ReadFailure("resource-error", faults) from None


def load_references(resolver: Resolver | None) -> References:
    """Region names and unit rules, from the published (or source) code lists."""
    if resolver is None:
        raise ReadFailure("resource-error", "a layout needs region-codes and indicator-codes,"
                          " but no resolver for other packages was given")  # fmt: skip
    try:
        regions, aliases, units = resolver(*REGIONS), resolver(*ALIASES), resolver(*UNITS)
        listed = resolver(*INDICATORS)
        codes, units_of = listed.column("code").to_pylist(), listed.column("unit").to_pylist()
        indicators = {str(code): str(unit) for code, unit in zip(codes, units_of, strict=True)}
    except Exception as exc:  # the resolver is the caller's code; its failure is a report
        message = f"a layout's code lists cannot be read: {exc}"
        raise ReadFailure("resource-error", message) from None
    return References(RegionIndex.of(regions, aliases), unit_rules(units), indicators)


def long_table(
    table: PrintedTable,
    layout: Layout,
    references: References,
    names: list[str],
    *,
    spread_left: bool,
) -> RawTable:
    """Every line classified, the header and units checked, every value cell a row."""
    lines = table.lines
    moved = moved_lines(lines, layout, spread_left=spread_left)
    if moved is not None:  # every other problem would follow from it
        raise LayoutFailure([moved])
    problems = list(unknown_fields(names))
    problems += header_problems(lines, layout, spread_left=spread_left)
    problems += unit_problems(lines, layout, references.units, spread_left=spread_left)
    problems += indicator_problems(layout, references.indicators, references.units)
    data, line_problems = classify(lines, layout, references.regions)
    rows, value_problems = values(data, layout, references.units)
    problems += line_problems + value_problems
    problems += merged_value_problems(table, _value_cells(rows))
    if problems:
        raise LayoutFailure(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return RawTable(
        labels=names,
        header_row=None,  # the long table's names are the schema's, not a printed header
        columns=[pa.array([row[name] for row in rows], pa.string()) for name in names],
        rows=pa.array([int(row["source_line"]) for row in rows], pa.int64()),
    )


def _value_cells(rows: list[dict[str, str]]) -> list[tuple[int, int]]:
    return [(int(row["source_line"]), int(row["source_column"])) for row in rows]


def _field_names(resource: Mapping[str, Any]) -> list[str]:
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, Mapping) else None
    if not isinstance(fields, list) or not fields:
        return list(LONG_FIELDS)
    return [str(f.get("name")) for f in fields if isinstance(f, Mapping)]


def layout_errors(failure: LayoutFailure, resource: str, path: str) -> list[ReportError]:
    """The report's errors for a file that does not fit its layout."""
    return [_error(problem, resource, path) for problem in failure.problems]


def _error(problem: LayoutProblem, resource: str, path: str) -> ReportError:
    return ReportError(
        type="layout-error",
        message=problem.located(path),
        resource=resource,
        path=path,
        row=problem.line,
        field=None if problem.column is None else f"column {problem.column}",
        expected=problem.expected,
        found=problem.found,
        field_number=problem.column,
        note=problem.message,
    )
