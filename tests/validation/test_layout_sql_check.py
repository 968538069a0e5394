"""A warning `sql` check on a printed table flags exactly the row its query selects: a line of
the file holds several long rows, so `_row` there is the row's position, not its line."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from catalog.store import FolderStore, Publisher
from tests.conftest import write_dataset
from tests.validation.test_layout_publish import FORMS
from tests.validation.yearbook import (
    COLUMNS,
    datasets_with_code_lists,
    figures,
    layout,
    page,
    yearbook_descriptor,
)


def test_a_sql_warning_flags_the_one_row_its_query_selects(tmp_path: Path) -> None:
    chosen = COLUMNS[1][0]  # the second value on 北京's line, not the first
    document = yearbook_descriptor("page.csv", layout())
    document["checks"] = [{
        "resource": "observations", "type": "sql", "severity": "warning", "flag": "chosen",
        "query": "SELECT _row FROM observations"
                 f" WHERE region_code = '110000' AND indicator_code = '{chosen}'",
    }]  # fmt: skip
    root = datasets_with_code_lists(tmp_path / "datasets")
    write_dataset(root, "yearbook-2008", {"page.csv": FORMS["csv"](page(figures()[0]))}, document)
    store = FolderStore(tmp_path / "store")
    publisher = Publisher(store, root)
    for source in publisher.plan([publisher.sources()["yearbook-2008"]]):
        publisher.build(source)
    rows = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    flagged = [(r["region_code"], r["indicator_code"]) for r in rows.to_pylist() if r["flags"]]
    assert flagged == [("110000", chosen)]
