"""Withdrawn means gone: every data path answers 410 for a withdrawn dataset or version.

The store holds `gone-test` (withdrawn, with both its versions), `wages-test` whose
superseded v1 was withdrawn alone, and datasets that the tests withdraw while the server
runs, after a client has read them (a `next` cursor, an `ETag` to revalidate). Each attempt
asserts the refusal and then the server's health; the tombstone (change feed, withdrawals)
stays.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from catalog.query import Cursor
from catalog.search import catalogue_uuid
from catalog.store import FolderStore
from tests.attacks.conftest import assert_healthy, assert_problem
from tests.querydata import WAGE_SCHEMA, build_store, wage_rows, write_version
from tests.servers import Server

pytestmark = pytest.mark.slow

ROWS = "/api/v1/datasets/{slug}/resources/wages/rows"
DYNAMIC = ("cursor-test", "etag-test", "current-etag-test", "head-test")


@pytest.fixture(scope="module")
def attack_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_store(tmp_path_factory.mktemp("withdrawn") / "store")
    for slug in ("gone-test", *DYNAMIC):
        for version, rows in (("v1", 40), ("v2", 50)):
            write_version(root, slug, version, {"wages": (WAGE_SCHEMA, wage_rows(rows))})
    store = FolderStore(root)
    store.withdraw("gone-test", "synthetic withdrawal")
    store.withdraw("wages-test", "synthetic withdrawal of one version", version="v1")
    return root


GONE_PATHS = [
    "/api/v1/datasets/gone-test/resources/wages/rows",
    "/api/v1/datasets/gone-test/resources/wages/rows?version=v1",
    "/api/v1/datasets/gone-test/resources/wages/rows?version=v2&limit=1",
    "/api/v1/datasets/gone-test/resources/wages/aggregate?group_by=year&count=*",
    "/api/v1/datasets/gone-test/resources/wages/aggregate?count=*&version=v1",
    "/api/v1/datasets/gone-test/resources/wages.csv",
    "/api/v1/datasets/gone-test/resources/wages.json",
    "/api/v1/datasets/gone-test/resources/wages.ndjson",
    "/api/v1/datasets/gone-test/resources/wages.parquet",
    "/api/v1/datasets/gone-test/resources/wages.xlsx",
    "/api/v1/datasets/gone-test/resources/wages.csv?version=v1",
    "/api/v1/datasets/gone-test/resources/wages.parquet?version=v2",
    "/api/v1/datasets/gone-test.zip",
    "/api/v1/datasets/gone-test.zip?version=v1",
    "/api/v1/datasets/gone-test",
    "/api/v1/datasets/gone-test/versions/v1",
    "/api/v1/datasets/gone-test/versions/v2",
    "/api/v1/datasets/gone-test/resources/wages/schema?version=v1",
    "/api/v1/datasets/gone-test/validation?version=v2",
    "/api/v1/datasets/wages-test/resources/wages/rows?version=v1",
    "/api/v1/datasets/wages-test/resources/wages/aggregate?count=*&version=v1",
    "/api/v1/datasets/wages-test/resources/wages.csv?version=v1",
    "/api/v1/datasets/wages-test/resources/wages.xlsx?version=v1",
    "/api/v1/datasets/wages-test.zip?version=v1",
    "/api/v1/datasets/wages-test/versions/v1",
    "/api/v1/datasets/wages-test/resources/wages/schema?version=v1",
]


@pytest.mark.parametrize("path", GONE_PATHS)
def test_withdrawn_data_path_answers_410(server: Server, client: httpx.Client, path: str) -> None:
    assert_gone(client.get(path))
    assert_healthy(server)


def assert_gone(answer: httpx.Response) -> None:
    """A 410 problem saying the data was withdrawn, with nothing private in it."""
    if ".parquet" in answer.url.path:
        # `assert_problem` reads any `.parquet` as a leaked file name; here it is the URL
        # asked for, echoed as the problem's `instance`: check the rest without it.
        assert answer.status_code == 410, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        body = answer.json()
        assert body["instance"] == answer.url.path
        text = str({k: v for k, v in body.items() if k != "instance"})
        assert not any(leak in text for leak in ("/tmp/", "store/", ".parquet", "uckDB"))
    else:
        body = assert_problem(answer, 410)
    assert "withdrawn" in str(body["detail"])


@pytest.mark.parametrize("path", GONE_PATHS[5:14])
def test_withdrawn_download_head_answers_410(
    server: Server, client: httpx.Client, path: str
) -> None:
    assert client.head(path).status_code == 410
    assert_healthy(server)


def test_withdrawn_version_named_by_a_forged_cursor_is_gone(
    server: Server, client: httpx.Client
) -> None:
    cursor = Cursor(version="v1", sort="", values=()).encode()
    answer = client.get(ROWS.format(slug="wages-test"), params={"next": cursor})
    assert_problem(answer, 410)
    assert_healthy(server)


def test_withdrawn_version_after_a_cursor_was_handed_out(
    server: Server, client: httpx.Client, attack_store: Path
) -> None:
    page = client.get(ROWS.format(slug="cursor-test"), params={"version": "v1", "limit": 5})
    assert page.status_code == 200
    cursor = page.json()["next"]
    assert cursor
    FolderStore(attack_store).withdraw("cursor-test", version="v1")
    answer = client.get(ROWS.format(slug="cursor-test"), params={"next": cursor})
    assert_problem(answer, 410)
    assert client.get(ROWS.format(slug="cursor-test")).status_code == 200  # v2 still serves
    assert_healthy(server)


def test_withdrawn_version_is_not_revalidated_with_304(
    server: Server, client: httpx.Client, attack_store: Path
) -> None:
    url = ROWS.format(slug="etag-test")
    first = client.get(url, params={"version": "v1"})
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert (
        client.get(url, params={"version": "v1"}, headers={"If-None-Match": tag}).status_code == 304
    )
    FolderStore(attack_store).withdraw("etag-test", version="v1")
    again = client.get(url, params={"version": "v1"}, headers={"If-None-Match": tag})
    assert_problem(again, 410)
    since = client.get(
        url, params={"version": "v1"}, headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert_problem(since, 410)
    assert_healthy(server)


def test_withdrawn_dataset_is_not_revalidated_with_304(
    server: Server, client: httpx.Client, attack_store: Path
) -> None:
    url = "/api/v1/datasets/current-etag-test/resources/wages.csv"
    first = client.get(url)
    assert first.status_code == 200
    tag = first.headers["etag"]
    FolderStore(attack_store).withdraw("current-etag-test")
    assert_problem(client.get(url, headers={"If-None-Match": tag}), 410)
    assert_problem(client.get(url, headers={"If-None-Match": "*"}), 410)
    assert_healthy(server)


def test_withdrawn_while_served_stops_every_format(
    server: Server, client: httpx.Client, attack_store: Path
) -> None:
    base = "/api/v1/datasets/head-test"
    assert client.get(f"{base}/resources/wages.ndjson").status_code == 200
    FolderStore(attack_store).withdraw("head-test")
    for path in (f"{base}/resources/wages.ndjson", f"{base}.zip", f"{base}/resources/wages/rows"):
        assert_problem(client.get(path), 410)
    assert_healthy(server)


GONE_RESOURCE = catalogue_uuid("resource", "gone-test/wages")


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("datastore_search", {"resource_id": GONE_RESOURCE}),
        ("datastore_search", {"resource_id": GONE_RESOURCE, "q": "贵州", "limit": 5}),
        ("datastore_info", {"id": GONE_RESOURCE}),
        ("resource_show", {"id": GONE_RESOURCE}),
        ("package_show", {"id": "gone-test"}),
    ],
)
def test_withdrawn_ckan_reads_are_not_found(
    server: Server, client: httpx.Client, action: str, data: dict[str, object]
) -> None:
    answer = client.post(f"/api/3/action/{action}", json=data)
    assert answer.status_code == 404, answer.text
    body = answer.json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"
    assert_healthy(server)


def test_withdrawn_datastore_dump_is_not_found(server: Server, client: httpx.Client) -> None:
    for fmt in ("csv", "tsv", "json", "xml"):
        answer = client.get(f"/datastore/dump/{GONE_RESOURCE}", params={"format": fmt})
        assert answer.status_code == 404
        assert "wages" not in answer.text and "region" not in answer.text
    assert_healthy(server)


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT * FROM "gone_test__wages"',
        f'SELECT * FROM "{GONE_RESOURCE}"',
        "SELECT count(*) FROM gone_test__wages",
    ],
)
def test_withdrawn_dataset_has_no_sql_view(server: Server, client: httpx.Client, sql: str) -> None:
    answer = client.get("/api/v1/sql", params={"sql": sql})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    ckan = client.post("/api/3/action/datastore_search_sql", json={"sql": sql})
    assert 400 <= ckan.status_code < 500 and ckan.json()["success"] is False
    assert_healthy(server)


def test_withdrawn_tombstone_stays(server: Server, client: httpx.Client) -> None:
    changes = client.get("/api/v1/changes").json()["changes"]
    withdrawn = [c for c in changes if c["dataset"] == "gone-test"]
    assert withdrawn and "withdraw" in str(withdrawn[-1])
    listed = client.get("/api/v1/datasets/gone-test/versions")
    assert listed.status_code == 200
    assert [v["version"] for v in listed.json()["versions"]] == ["v1", "v2"]
    assert [v["withdrawn"] for v in listed.json()["versions"]] == [True, True]
    partly = client.get("/api/v1/datasets/wages-test/versions").json()["versions"]
    assert [(v["version"], v["withdrawn"]) for v in partly] == [("v1", True), ("v2", False)]
    assert client.get("/dataset/gone-test.jsonld").status_code == 410
    assert client.get(ROWS.format(slug="wages-test"), params={"version": "v2"}).status_code == 200
    assert_healthy(server)


def test_withdrawn_dataset_page_is_a_410_tombstone(server: Server, client: httpx.Client) -> None:
    for lang, words in (("zh", "数据集已撤回"), ("en", "Dataset withdrawn")):
        page = client.get("/dataset/gone-test", params={"lang": lang})
        assert page.status_code == 410
        assert words in page.text
        assert "synthetic withdrawal" in page.text  # the reason
    never = client.get("/dataset/never-published")
    assert never.status_code == 404
    assert_healthy(server)
