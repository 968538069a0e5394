"""The catalogue index and the series run on the query engine's database (one DuckDB
instance kept per server; the index's refreshes read the files on a small one they close),
and no query a client writes reaches the index's table."""

from __future__ import annotations

import httpx
import pytest

from catalog.errors import OpenDataError
from tests.api.conftest import AppFactory

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

INDEX_TABLES = ("datasets", "drafts")


async def test_client_sql_cannot_read_the_catalogue_index(make_app: AppFactory) -> None:
    app = make_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        listed = await http.get("/api/v1/datasets")  # the index is loaded, and searched
        assert listed.status_code == 200 and listed.json()["count"] > 0
        for table in INDEX_TABLES:
            sql = f"SELECT * FROM {table}"
            answer = await http.get("/api/v1/sql", params={"sql": sql})
            assert answer.status_code == 400, answer.text
            assert "rows" not in answer.json()
            ckan = await http.get("/api/3/action/datastore_search_sql", params={"sql": sql})
            assert ckan.status_code in (400, 409) and ckan.json()["success"] is False
    app.state.engine.close()


def test_the_index_table_is_only_in_its_own_search(make_app: AppFactory) -> None:
    """The engine's own queries (built from parsed parameters, on the shared database) find
    no index table either: it is registered on each search's cursor, never on the database."""
    app = make_app()
    try:
        assert app.state.index.packages()  # loaded
        for table in INDEX_TABLES:
            with pytest.raises(OpenDataError):
                app.state.engine.fetch(f"SELECT count(*) FROM {table}", [])
    finally:
        app.state.engine.close()


def test_index_and_series_read_on_the_engines_database(make_app: AppFactory) -> None:
    """Their reader is a cursor of the engine's database: its memory limit and its locked
    configuration (reads only under the store), not a database of its own."""
    app = make_app(duckdb_memory_limit="300MB")
    try:
        with app.state.index.reader() as reader:
            limit = reader.execute("SELECT current_setting('memory_limit')").fetchone()
            locked = reader.execute("SELECT current_setting('lock_configuration')").fetchone()
        assert limit is not None and limit[0].replace(" ", "") in ("300.0MB", "286.1MiB")
        assert locked == (True,)
    finally:
        app.state.engine.close()
