"""Integers and dates that Arrow parses by itself type exactly as the patterns type them.

`validation.casting` lets Arrow's own parser type a column when every cell parses, and
takes its patterns otherwise; the two must never differ. Cells here are SYNTHETIC.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.validation.conftest import package, resource, write
from validation import validate_package

INTEGER = re.compile(r"-?\d{1,18}")


def typed_column(base: Path, kind: str, cells: list[str]) -> tuple[list[Any], list[int]]:
    """The typed values of one column of ``cells`` and the rows with a type error."""
    write(base, "data/t.csv", "n,v\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells)))
    fields = [{"name": "n", "type": "integer"}, {"name": "v", "type": kind}]
    result = validate_package(package(resource("t", "data/t.csv", fields)), base)
    bad = [e.row or 0 for e in result.report.errors if e.type == "type-error"]
    return result.tables["t"].column("v").to_pylist(), bad


def expected_integer(cell: str) -> int | None:
    text = cell.strip().removeprefix("+")
    return int(text) if INTEGER.fullmatch(text) else None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("0123456789-+xX ", min_size=1, max_size=22), min_size=1, max_size=8))
def test_integers_type_as_the_pattern_says(tmp_path_factory: Any, cells: list[str]) -> None:
    values, bad = typed_column(tmp_path_factory.mktemp("ints"), "integer", cells)
    assert values == [expected_integer(cell) for cell in cells]
    assert bad == [row for row, cell in enumerate(cells, start=2) if expected_integer(cell) is None]


def test_hexadecimal_and_over_long_integers_are_type_errors(tmp_path: Path) -> None:
    cells = ["0x1F", "0X10", "0000000000000000000001", "1000000000000000000", "007", "-4"]
    values, bad = typed_column(tmp_path, "integer", cells)
    assert values == [None, None, None, None, 7, -4]
    assert bad == [2, 3, 4, 5]


def expected_date(cell: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
        return None
    try:
        return dt.date.fromisoformat(cell)
    except ValueError:
        return None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.dates().map(dt.date.isoformat),
            st.sampled_from(["0000-01-01", "2021-02-29", "2024-02-29", "2021-13-01", "2021-1-1"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_dates_type_as_the_pattern_says(tmp_path_factory: Any, cells: list[str]) -> None:
    values, bad = typed_column(tmp_path_factory.mktemp("dates"), "date", cells)
    assert values == [expected_date(cell) for cell in cells]
    assert bad == [row for row, cell in enumerate(cells, start=2) if expected_date(cell) is None]
