"""The SQL sandbox and a conditional dataset: without a grant it has no view of it and may
open none of its files, whatever the trick (a query naming its view is refused, 403); each
trick is tried right after a granted query, so a worker that just held the dataset's views
must have dropped them."""

from __future__ import annotations

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.access.conftest import SECRET, Site, has_secret

pytestmark = pytest.mark.slow

VIEW = "secret_wages__wages"
OPEN_VIEW = "wages_test__wages"
# Each `{file}` is the conditional dataset's published Parquet, `{folder}` its version's
# folder, `{store}` the store: a client may guess them, so the sandbox must not open them.
TRICKS = [
    f"SELECT * FROM {VIEW}",
    f'SELECT * FROM "{VIEW}"',
    f"SELECT * FROM {VIEW.upper()}",
    f"SELECT * FROM main.{VIEW}",
    f"SELECT * FROM memory.main.{VIEW}",
    f"WITH x AS (SELECT * FROM {VIEW}) SELECT * FROM x",
    f"SELECT region_code, workers FROM {OPEN_VIEW} UNION ALL SELECT region_code, workers"
    f" FROM {VIEW}",
    f"SELECT * FROM {OPEN_VIEW} WHERE workers IN (SELECT workers FROM {VIEW})",
    f"SELECT (SELECT max(workers) FROM {VIEW}) AS w",
    f"SELECT * FROM query_table('{VIEW}')",
    "SELECT * FROM read_parquet('{file}')",
    "SELECT * FROM read_parquet(['{file}'])",
    "SELECT * FROM parquet_scan('{file}')",
    "SELECT * FROM '{file}'",
    'SELECT * FROM "{file}"',
    "SELECT * FROM read_parquet('{store}/*/*/*.parquet')",
    "SELECT * FROM read_parquet('{store}/secret-*/*/wages.parquet')",
    "SELECT * FROM read_csv('{folder}/downloads/wages.csv')",
    "SELECT * FROM read_json('{folder}/downloads/wages.json')",
    "SELECT * FROM read_text('{folder}/downloads/wages.csv')",
    "SELECT * FROM parquet_metadata('{file}')",
    "SELECT * FROM glob('{folder}/*')",
    "SELECT table_name FROM information_schema.tables",
    "SELECT view_name, sql FROM duckdb_views()",
    "SELECT * FROM duckdb_tables()",
]


def _files(site: Site) -> dict[str, str]:
    with site.client() as client:
        version = client.get(f"/api/v1/datasets/{SECRET}").json()["version"]
    folder = site.store.resolve() / SECRET / version
    return {"file": str(folder / "wages.parquet"), "folder": str(folder), "store": str(site.store)}


def _sql(client: httpx.Client, text: str) -> httpx.Response:
    return client.post("/api/v1/sql", json={"sql": text})


@pytest.mark.parametrize("kind", ["anonymous", "other"])
@pytest.mark.parametrize("trick", TRICKS)
def test_no_sql_trick_reads_a_conditional_dataset_without_a_grant(
    site: Site, trick: str, kind: str
) -> None:
    text = trick.format(**_files(site))
    with site.client(site.tokens.granted) as granted:  # a worker now holds its views
        assert _sql(granted, f"SELECT * FROM {VIEW}").status_code == 200
    token = None if kind == "anonymous" else site.tokens.other
    with site.client(token) as client:
        response = _sql(client, text)
        ckan = client.post("/api/3/action/datastore_search_sql", json={"sql": text})
    for answer in (response, ckan):
        assert not has_secret(answer.content), (trick, answer.text)
        if answer.status_code == 200:  # a listing of what there is names no such view
            assert VIEW not in answer.text.replace(text, ""), answer.text


def test_a_grant_gives_the_sandbox_the_view_and_only_for_that_request(site: Site) -> None:
    text = f"SELECT workers FROM {VIEW} ORDER BY workers DESC LIMIT 1"
    for _ in range(3):  # alternate, so that workers switch between the two sets of views
        with site.client(site.tokens.granted) as granted:
            assert has_secret(_sql(granted, text).content)
        with site.client() as anonymous:
            refused = _sql(anonymous, text)
        assert refused.status_code == 403 and not has_secret(refused.content)
        apply = refused.json()["apply"]
        assert apply.startswith("http") and apply.endswith(f"/dataset/{SECRET}/apply")


def test_datastore_search_sql_by_resource_id_needs_the_grant(site: Site) -> None:
    resource = catalogue_uuid("resource", f"{SECRET}/wages")
    body = {"sql": f'SELECT * FROM "{resource}"'}
    with site.client() as anonymous:
        refused = anonymous.post("/api/3/action/datastore_search_sql", json=body).json()
    with site.client(site.tokens.granted) as granted:
        found = granted.post("/api/3/action/datastore_search_sql", json=body).json()
    assert refused["success"] is False and not has_secret(str(refused))
    assert found["success"] is True and has_secret(str(found["result"]["records"]))


def test_open_views_stay_readable_beside_a_conditional_one(site: Site) -> None:
    with site.client() as client:
        response = _sql(client, f"SELECT count(*) AS n FROM {OPEN_VIEW}")
    assert response.status_code == 200 and response.json()["rows"] == [{"n": 3}]


def test_the_id_view_of_a_conditional_table_is_withheld_as_its_view(site: Site) -> None:
    """datastore_search_sql's table of a resource id is `<view>#_id` (CKAN's `_id` first):
    named directly, without the grant, it is refused as its view is, with the way to apply."""
    body = {"sql": f'SELECT * FROM "{VIEW}#_id"'}
    with site.client() as anonymous:
        refused = anonymous.post("/api/3/action/datastore_search_sql", json=body)
    assert refused.status_code == 403 and not has_secret(refused.content)
    assert refused.json()["error"]["message"].endswith(f"Apply for it at /dataset/{SECRET}/apply")
    with site.client(site.tokens.granted) as granted:
        found = granted.post("/api/3/action/datastore_search_sql", json=body).json()
    assert found["result"]["fields"][0] == {"id": "_id", "type": "int4"}
