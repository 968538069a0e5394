"""A row of a resource as the query engine answers it (`RowsPage.rows`, JSON objects)."""

from __future__ import annotations

from typing import Any

# Column name → JSON value. Which type a column holds is its Table Schema's to say, not this
# type's: a reader converts where it knows the column (`int(row["year"])`). Arbitrary JSON
# by nature, named once here for the home page's figures and the dataset page's chart.
DataRow = dict[str, Any]
