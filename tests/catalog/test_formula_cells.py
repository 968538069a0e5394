"""Spreadsheet safety of text cells: what `neutralised` guards, in Python and in the SQL every
CSV and XLSX download renders with, the same for every value."""

from __future__ import annotations

import duckdb
import pytest

from catalog.sql import neutralised, neutralised_sql

RUN = ["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\rx", " =2+2", "\u3000=1+1", "\u00a0=cmd|calc",
       "\n=3+3 中文", "＝HYPERLINK()", "＋1+cmd", "－1", "＠SUM(1)"]  # fmt: skip
KEPT = ["a=b", "中文", "", "123", "it's", "'=already", "a\n=b", "工资 - 2020"]


@pytest.mark.parametrize("value", RUN + KEPT)
def test_python_and_sql_neutralise_the_same_cells(value: str) -> None:
    con = duckdb.connect()
    sql = con.execute(f"SELECT {neutralised_sql('t')} FROM (SELECT ? AS t)", [value]).fetchone()
    assert sql is not None and sql[0] == neutralised(value)
    assert neutralised(value) == ("'" + value if value in RUN else value)
