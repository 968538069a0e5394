"""The query engine over an S3 store reads the Parquet in place, by byte ranges.

One store is written as a folder (tests/querydata.py, plus a 3,000-row resource in ten row
groups) and uploaded key for key under a fresh prefix of the moto server; an engine over
each answers rows, offsets, aggregates, totals, datastore_search and SQL, and the answers
must be equal. Queries over the bucket copy no Parquet into the store's cache folder, and
the SQL sandbox's workers read exactly the current files there: another key, another
bucket, a withdrawn version are refused by DuckDB itself, below the sandbox's own rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.ckan import DataStore
from catalog.errors import QueryForbidden
from catalog.query import AggregateRequest, QueryEngine, RowsRequest
from catalog.sandbox.worker import Limits, Worker
from catalog.settings import Settings
from catalog.store import FolderStore, S3Store, Store
from catalog.store.s3 import S3Location
from tests.querydata import WAGE_SCHEMA, build_store, wage_rows, walk, write_resource
from tests.s3.conftest import BUCKET, fresh_location, s3_options

BIG = "big-test"
OTHER_BUCKET = "opendata-other"
FILTERS = [
    (),
    (("workers__isnull", "false"),),
    (("region_code__in", "520100,520400"),),
    (("year__gte", "1900"),),
    (("ratio__lt", "0.5"), ("year__lt", "2100")),
]
SORTS = [None, "year", "-year,region_code", "workers,region_code,year", "-avg_wage,year"]


@dataclass(frozen=True)
class Pair:
    folder: QueryEngine
    s3: QueryEngine
    s3_store: S3Store
    location: str


def write_big(root: Path) -> None:
    """`big-test`: 3,000 rows in row groups of 300 (the footers locate offset pages)."""
    folder = root / BIG / "v1"
    folder.mkdir(parents=True)
    described = write_resource(folder, "wages", WAGE_SCHEMA, wage_rows(3000))
    table = pq.read_table(folder / "wages.parquet")
    pq.write_table(table, folder / "wages.parquet", row_group_size=300)
    descriptor = {"name": BIG, "version": "v1", "resources": [described]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (root / BIG / "CURRENT").write_text("v1\n", encoding="utf-8")


def upload(client: Any, root: Path, location: str) -> None:
    """Every file of the folder store `root` as an object under the location's prefix."""
    where = S3Location.parse(location)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            client.upload_file(str(path), where.bucket, where.key(*path.relative_to(root).parts))


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[Pair]:
    root = build_store(tmp_path_factory.mktemp("ranges") / "store")
    write_big(root)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    location = fresh_location()
    upload(client, root, location)
    client.create_bucket(Bucket=OTHER_BUCKET)
    client.upload_file(str(root / BIG / "v1" / "wages.parquet"), OTHER_BUCKET, "wages.parquet")
    cache = tmp_path_factory.mktemp("cache")
    s3_store = S3Store(S3Location.parse(location), s3_options(s3_endpoint, cache))
    settings = Settings(store=root, sql_workers=1, query_timeout_seconds=30.0)
    folder = QueryEngine(FolderStore(root), settings)
    s3 = QueryEngine(s3_store, settings)
    try:
        yield Pair(folder, s3, s3_store, location)
    finally:
        folder.close()
        s3.close()


def parquet_copies(store: Store) -> list[Path]:
    return sorted(store.readable_root().rglob("*.parquet"))


def answer(engine: QueryEngine, slug: str, request: RowsRequest) -> tuple[Any, ...]:
    page = engine.rows(slug, "wages", request)
    return [json.loads(row) for row in page.rows], page.total, page.total_exact, page.next


def test_ranges_the_engine_reads_objects_in_place(pair: Pair) -> None:
    resource = pair.s3.resource(BIG, "wages")
    assert resource.place == f"{pair.location}/{BIG}/v1/wages.parquet"
    assert pair.s3.footer(resource).num_row_groups == 10
    assert pair.s3.file_size(resource) == pair.folder.file_size(pair.folder.resource(BIG, "wages"))
    assert parquet_copies(pair.s3_store) == []


@pytest.mark.parametrize("slug", ["wages-test", BIG])
def test_ranges_rows_offsets_and_walks_equal_the_folder(pair: Pair, slug: str) -> None:
    for filters in FILTERS:
        for sort in SORTS:
            for offset in (0, 7, 1234):
                request = RowsRequest(filters=filters, sort=sort, offset=offset, limit=25)
                assert answer(pair.s3, slug, request) == answer(pair.folder, slug, request)
    walked = walk(pair.s3, slug, "wages", sort="-year", limit=400, filters=FILTERS[1])
    assert walked == walk(pair.folder, slug, "wages", sort="-year", limit=400, filters=FILTERS[1])
    assert parquet_copies(pair.s3_store) == []


def test_ranges_aggregates_and_totals_equal_the_folder(pair: Pair) -> None:
    requests = [
        AggregateRequest(group_by="region_code", measures={"sum": "workers", "count": "*"}),
        AggregateRequest(filters=FILTERS[3], measures={"avg": "avg_wage", "max": "year"}),
        AggregateRequest(group_by="fiscal_year", measures={"min": "ratio"}, sort="-fiscal_year"),
    ]
    for request in requests:
        assert pair.s3.aggregate(BIG, "wages", request) == pair.folder.aggregate(
            BIG, "wages", request
        )
    for mode in ("exact", "estimate", "auto"):
        request = RowsRequest(filters=FILTERS[2], total=mode, limit=1)
        assert answer(pair.s3, BIG, request) == answer(pair.folder, BIG, request)
    assert parquet_copies(pair.s3_store) == []


def test_ranges_datastore_search_and_sql_equal_the_folder(pair: Pair) -> None:
    searches: list[dict[str, Any]] = [
        {"resource_id": "r", "limit": 20, "offset": 2900, "sort": "year desc"},
        {"resource_id": "r", "filters": {"region_code": "520200"}, "q": "", "limit": 5},
        {"resource_id": "r", "fields": "year,workers", "distinct": True, "limit": 50},
    ]
    stores = [DataStore(engine, lambda _: (BIG, "wages")) for engine in (pair.s3, pair.folder)]
    for data in searches:
        assert stores[0].search(dict(data)) == stores[1].search(dict(data))
    info = [store.info({"resource_id": "r"}) for store in stores]
    assert info[0] == info[1]
    text = (
        "SELECT region_code, count(*) AS n, sum(workers) AS w FROM big_test__wages"
        " JOIN wages_test__notes ON true WHERE score = 1 GROUP BY 1 ORDER BY 1"
    )
    assert pair.s3.sql(text) == pair.folder.sql(text)
    assert parquet_copies(pair.s3_store) == []


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    filters=st.sampled_from(FILTERS),
    sort=st.sampled_from(SORTS),
    offset=st.integers(0, 3100),
    limit=st.integers(1, 300),
    total=st.sampled_from(["auto", "exact", "estimate", "none"]),
)
def test_ranges_any_page_equals_the_folder(
    pair: Pair, filters: Any, sort: str | None, offset: int, limit: int, total: str
) -> None:
    request = RowsRequest(filters=filters, sort=sort, offset=offset, limit=limit, total=total)
    assert answer(pair.s3, BIG, request) == answer(pair.folder, BIG, request)


# -- the sandbox ------------------------------------------------------------------------------


def test_ranges_sandbox_reads_only_the_current_objects(pair: Pair) -> None:
    views, _token, _withheld = pair.s3._resources.readable_views()
    places = {name: place for name, (_, _, place) in views.items()}
    assert sorted(places) == ["big_test__wages", "wages_test__notes", "wages_test__wages"]
    worker = Worker(Limits(memory_mb=512, duckdb_mb=256))
    request = {"sql": "SELECT 1", "timeout": 5, "row_cap": 1, "byte_cap": 99, "views": places}
    worker.answer({**request, "files": pair.s3_store.files().spec()})
    con = worker.con
    try:
        assert con.execute("SELECT count(*) FROM big_test__wages").fetchone() == (3000,)
        allowed = con.execute("SELECT current_setting('allowed_paths')").fetchone()
        assert allowed is not None and sorted(allowed[0]) == sorted(places.values())
        prefix = pair.location
        for place in (
            f"{prefix}/wages-test/v1/wages.parquet",  # an older version
            f"{prefix}/{BIG}/v1/../../wages-test/v1/wages.parquet",
            f"{prefix}/{BIG}/v1/*.parquet",
            f"s3://{OTHER_BUCKET}/wages.parquet",  # another bucket
            f"s3://{BUCKET}/elsewhere.parquet",
        ):
            with pytest.raises(duckdb.PermissionException):
                con.execute(f"SELECT count(*) FROM read_parquet('{place}')").fetchall()
        for text in (
            f"SELECT * FROM read_text('{prefix}/{BIG}/v1/datapackage.json')",  # another key
            f"COPY (SELECT 1) TO '{prefix}/{BIG}/v1/x.csv'",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(text).fetchall()
    finally:
        con.close()
    assert parquet_copies(pair.s3_store) == []


def test_ranges_sandbox_refuses_a_withdrawn_version(pair: Pair, s3_endpoint: str) -> None:
    # A store of its own: withdrawing must not change what the other tests read.
    root = Path(pair.folder.store.readable_root())
    location = fresh_location()
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    upload(client, root, location)
    store = S3Store(S3Location.parse(location), s3_options(s3_endpoint, root.parent / "w"))
    engine = QueryEngine(store, Settings(store=root, sql_workers=1, query_timeout_seconds=30.0))
    try:
        assert engine.sql("SELECT count(*) AS n FROM big_test__wages").rows == ['{"n":3000}']
        old = store.place(BIG, "v1", "wages.parquet")
        store.withdraw(BIG, "withdrawn by the test")
        with pytest.raises(QueryForbidden):
            engine.sql(f"SELECT count(*) FROM read_parquet('{old}')")
        assert "big_test__wages" not in engine.views()
        worker = Worker(Limits(memory_mb=512, duckdb_mb=256))
        views = {n: p for n, (_, _, p) in engine._resources.readable_views()[0].items()}
        request = {"sql": "SELECT 1", "timeout": 5, "row_cap": 1, "byte_cap": 99}
        worker.answer({**request, "views": views, "files": store.files().spec()})
        with pytest.raises(duckdb.PermissionException):
            worker.con.execute(f"SELECT count(*) FROM read_parquet('{old}')").fetchall()
        worker.con.close()
    finally:
        engine.close()


def test_ranges_objects_are_read_by_ranges_and_never_written(pair: Pair) -> None:
    """A footer is read from the end of the object; the filesystem DuckDB is given writes
    nothing, whatever DuckDB's own settings would let through."""
    files = pair.s3_store.files()
    place = pair.s3.resource(BIG, "wages").place
    size = files.size(place)
    assert size is not None and files.size(place + ".missing") is None
    with files.open(place) as source:
        assert isinstance(source, pa.NativeFile)
        assert pq.read_metadata(source).num_rows == 3000
        source.seek(size - 4)
        assert source.read(4) == b"PAR1"
    con = duckdb.connect()  # external access on, no allowed list: only the filesystem stops it
    files.attach(con)
    try:
        with pytest.raises(duckdb.Error, match="read only"):
            con.execute(f"COPY (SELECT 1 AS a) TO 's3://{BUCKET}/written.csv'")
    finally:
        con.close()
    client = boto3.client("s3", endpoint_url=files.spec()["endpoint_url"], region_name="us-east-1")
    assert client.list_objects_v2(Bucket=BUCKET, Prefix="written").get("KeyCount") == 0
