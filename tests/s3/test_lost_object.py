"""One Parquet object a published version lists, missing from the store (an object lost, a
restore that brought the descriptors back first): what reads it is refused 503 with
Retry-After, everything else is served, the replica stays ready, and once the object is back
it is served again without a publish or a restart (issue 17).

Found by the outage attack: a replica that first read such a file answered 500 (the range
reader's FileNotFoundError, DuckDB's `No files found`). Refusing those 503 the plain way then
left the replica unready, since its catalogue index reads what every dataset's rows hold:
one lost object would have taken every replica over the store out of the load balancer."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from benchmarks.s3server import s3_client
from catalog.store.s3 import S3Location
from tests.ops.running import on_a_thread
from tests.s3.test_operations import published, serving_app, wait_ready
from tests.s3.test_outage import (
    DATASETS,
    FLOW,
    SERIES,
    assert_refused,
    published_from_repository,
    replica,
)

pytestmark = pytest.mark.slow

WAGES = "/api/v1/datasets/wages-test/resources/wages"
SQL = "/api/v1/sql"
HELD = {"q": "520200"}  # a region code only the rows of wages-test hold
# A series another dataset than FLOW prints (Guizhou's, where FLOW's are the nation's).
ELSEWHERE = "indicator=agri_labour_transfer&region=520000"


def test_a_lost_object_refuses_only_what_reads_it_and_is_served_again_once_back(
    s3_endpoint: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    location = published(s3_endpoint, tmp_path)
    where = S3Location.parse(location)
    client = s3_client(s3_endpoint)
    app = serving_app(location, s3_endpoint, tmp_path, s3_timeout_seconds=1, refresh_seconds=0.5)
    version = app.state.store.served_version("wages-test")  # the listing names the file
    key = f"{where.prefix}/wages-test/{version}/wages.parquet"
    kept = client.get_object(Bucket=where.bucket, Key=key)["Body"].read()
    client.delete_object(Bucket=where.bucket, Key=key)
    with on_a_thread(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        wait_ready(url)  # the index loaded without what wages-test's rows hold
        shown = http.get("/api/3/action/package_show", params={"id": "wages-test"})
        resource = shown.json()["result"]["resources"][0]["id"]
        refused = [
            http.get(f"{WAGES}/rows"),
            http.get(f"{WAGES}.ndjson"),
            http.post("/api/3/action/datastore_info", json={"id": resource}),
            http.post(SQL, json={"sql": "SELECT count(*) FROM wages_test__wages"}),
        ]
        other = http.post(SQL, json={"sql": "SELECT count(*) AS n FROM regions_test__regions"})
        searched = http.get("/api/v1/datasets", params=HELD).json()
        client.put_object(Bucket=where.bucket, Key=key, Body=kept)
        back = poll(http, f"{WAGES}/rows")
        found = poll_search(http)
        counted = http.post(SQL, json={"sql": "SELECT count(*) AS n FROM wages_test__wages"})
    assert shown.status_code == 200
    for answer in refused:
        assert_refused(answer, location)
    assert other.status_code == 200 and other.json()["rows"] == [{"n": 3}], other.text
    assert "wages-test" not in [d["name"] for d in searched["results"]]
    assert back.status_code == 200 and len(back.json()["rows"]) == 3
    assert "wages-test" in found, found
    assert counted.status_code == 200, counted.text
    escaped = [r.getMessage() for r in caplog.records if "ASGI" in r.getMessage()]
    assert not escaped, escaped


def test_sql_over_other_views_is_served_when_a_view_s_object_is_lost_before_its_worker_builds(
    s3_endpoint: str, tmp_path: Path
) -> None:
    # Found by the outage rerun: a replica that knew the file (its size read at start), a SQL
    # worker that built its views after the object was lost: the build failed as the store
    # failing, and every SQL query answered 503 until the object was back.
    location = published(s3_endpoint, tmp_path)
    where = S3Location.parse(location)
    client = s3_client(s3_endpoint)
    app = serving_app(location, s3_endpoint, tmp_path, s3_timeout_seconds=1, refresh_seconds=0.5)
    count = "SELECT count(*) AS n FROM {}"
    with on_a_thread(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        wait_ready(url)
        assert http.get(f"{WAGES}/rows").status_code == 200  # the file is known, then lost
        version = app.state.store.served_version("wages-test")
        key = f"{where.prefix}/wages-test/{version}/wages.parquet"
        kept = client.get_object(Bucket=where.bucket, Key=key)["Body"].read()
        client.delete_object(Bucket=where.bucket, Key=key)
        try:
            other = http.post(SQL, json={"sql": count.format("regions_test__regions")})
            lost = http.post(SQL, json={"sql": count.format("wages_test__wages")})
        finally:
            client.put_object(Bucket=where.bucket, Key=key, Body=kept)
        back = poll_sql(http, count.format("wages_test__wages"))
    assert other.status_code == 200 and other.json()["rows"] == [{"n": 3}], other.text
    assert_refused(lost, location)
    assert back.status_code == 200 and back.json()["rows"] == [{"n": 3}], back.text


def poll_sql(http: httpx.Client, sql: str) -> httpx.Response:
    """The answer to `sql` once it is 200, or the last one after 10 s."""
    deadline = time.monotonic() + 10
    while (answer := http.post(SQL, json={"sql": sql})).status_code != 200:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return answer


def poll(http: httpx.Client, path: str) -> httpx.Response:
    """`path` once it answers 200, or its last answer after 10 s."""
    deadline = time.monotonic() + 10
    while (answer := http.get(path)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    return answer


def poll_search(http: httpx.Client) -> list[str]:
    """The datasets the held region code finds, asked again until the index has read what
    wages-test holds (its retry comes at most a refresh after the object is back), 10 s."""
    deadline = time.monotonic() + 10
    while True:
        found = [d["name"] for d in http.get("/api/v1/datasets", params=HELD).json()["results"]]
        if "wages-test" in found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_lost_table_refuses_the_series_it_may_print_and_serves_the_others(
    s3_endpoint: str, tmp_path: Path
) -> None:
    # The series catalogue lists every table's series: one table's missing file took every
    # series request down (503) while it was missing; now only those it may print.
    slugs = (*DATASETS, "guizhou-hrss-indicators")
    location = published_from_repository(tmp_path / "store", s3_endpoint, slugs)
    where = S3Location.parse(location)
    client = s3_client(s3_endpoint)
    with (
        replica(location, s3_endpoint, tmp_path, refresh_seconds=0.5, s3_kept_mb=0) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        wait_ready(url)
        version = http.get(f"/api/v1/datasets/{FLOW}").json()["version"]
        key = f"{where.prefix}/{FLOW}/{version}/observations.parquet"
        kept = client.get_object(Bucket=where.bucket, Key=key)["Body"].read()
        client.delete_object(Bucket=where.bucket, Key=key)
        try:
            during = http.get(f"/api/v1/series?{SERIES}")
            elsewhere = http.get(f"/api/v1/series?{ELSEWHERE}")
            sdmx = http.get("/sdmx/data/guizhou-hrss-indicators/agri_labour_transfer.520000.")
            ready = http.get("/readyz")
        finally:
            client.put_object(Bucket=where.bucket, Key=key, Body=kept)
        back = poll(http, f"/api/v1/series?{SERIES}")
    assert_refused(during, location)
    assert elsewhere.status_code == 200, elsewhere.text[:300]
    assert sdmx.status_code == 503, sdmx.text[:300]  # its code lists read every table
    assert ready.status_code == 200, ready.text
    assert back.status_code == 200, back.text[:300]
