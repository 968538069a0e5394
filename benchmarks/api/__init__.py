"""The API benchmark: our REST API against Datasette on the same rows, DuckDB as the floor.

`rig` holds the servers and the client; `pages`, `totals` and `datastore` (CKAN's
`datastore_search` beside `/rows`) measure; `targets` judges the
measurements against issue 3's targets; `markdown` renders them; `run` prepares and drives.
"""

from benchmarks.api.run import main

__all__ = ["main"]
