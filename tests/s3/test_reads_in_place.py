"""Serving an s3:// store copies no Parquet: the catalogue index's holdings, the series and
SDMX read the published Parquet in place, by byte ranges, as the query engine does.

`opendata build` publishes the indicator datasets and their code lists into a fresh prefix of
the moto server; a replica that never built (a state folder of its own, so nothing adopted
from a build's staging) serves it, and a folder server serves the bucket copied key by key.
After searches (the index reads every resource's codes and the code lists' names), a series
and its page, SDMX data and code lists, the replica's cache folder holds no `.parquet`, and
every answer equals the folder server's.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import duckdb
import httpx
import pyarrow.parquet as pq
import pytest

from catalog.search import small_connection
from catalog.store import S3Store
from catalog.store.s3 import S3Location
from tests.s3.conftest import BUCKET, fresh_location, s3_options
from tests.s3.served import mirror, opendata, serving_s3
from tests.servers import serving

pytestmark = pytest.mark.slow

# An indicator dataset (its series, its SDMX dataflow) and the lists it refers to.
DATASETS = ("indicator-codes", "region-codes", "hrss-sources", "national-hrss-bulletin")
FLOW = "national-hrss-bulletin"
SERIES = "indicator=employed_persons_urban&region=000000"
PATHS = [
    # The catalogue index: what each dataset's rows hold, named by the code lists.
    "/api/3/action/package_search?q=employed_persons_urban",
    "/api/3/action/package_search?q=%E5%9F%8E%E9%95%87%E5%B0%B1%E4%B8%9A",  # 城镇就业
    "/api/v1/datasets?q=%E5%85%A8%E5%9B%BD",  # 全国: a region name, from region-codes
    f"/api/v1/series?{SERIES}",
    f"/api/v1/series?{SERIES}&format=csv",
    "/series/employed_persons_urban/000000",
    f"/sdmx/data/{FLOW}/all?dimensionAtObservation=AllDimensions",
    f"/sdmx/data/{FLOW}/employed_persons_urban.000000.",
    "/sdmx/codelist",
    "/catalog/register.json",  # 计量单位: distinct units read from the rows
]


class Servers(NamedTuple):
    s3: str
    folder: str
    cache: Path  # the replica's store-cache folder
    store: S3Store  # the bucket's store, in this process
    mirror: Path  # the bucket copied into a folder (the folder server's store)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[Servers]:
    from tests.conftest import REPO  # as test_served: the suite's hooks load without it

    scratch = tmp_path_factory.mktemp("reads")
    datasets = scratch / "datasets"
    for slug in DATASETS:
        shutil.copytree(REPO / "datasets" / slug, datasets / slug)
    location = fresh_location()
    env = {"OPENDATA_S3_ENDPOINT_URL": s3_endpoint, "OPENDATA_STORE": location}
    opendata(
        "build", env={**env, "OPENDATA_DATASETS": str(datasets), "OPENDATA_STATE": str(scratch)}
    )
    folder = mirror(s3_endpoint, location, scratch / "copy" / "store")
    # A replica that never built: its cache holds only what serving put there.
    replica = {
        **env,
        "OPENDATA_STATE": str(scratch / "replica"),
        "OPENDATA_DATASETS": str(scratch / "none"),
    }
    with serving_s3(replica, log=scratch / "s3.log") as s3, serving(folder) as local:
        store = S3Store(S3Location.parse(location), s3_options(s3_endpoint, scratch / "mine"))
        yield Servers(s3.url, local.url, scratch / "replica" / "store-cache", store, folder)


def parquet_copies(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.parquet"))


def same_answer(servers: Servers, path: str) -> bytes:
    """The replica's answer to `path`, checked equal to the folder server's."""
    s3, folder = (httpx.get(server + path, timeout=60) for server in (servers.s3, servers.folder))
    assert s3.status_code == folder.status_code == 200, (path, s3.text[:300])
    # Absolute links name each server's own port; everything else is the same bytes (an
    # SDMX message's ID and Prepared too: they follow from what it holds).
    mine = s3.content.replace(servers.s3.encode(), b"<server>")
    assert mine == folder.content.replace(servers.folder.encode(), b"<server>"), path
    return mine


@pytest.mark.parametrize("path", PATHS)
def test_reads_in_place_answers_equal_the_folder_and_copy_no_parquet(
    servers: Servers, path: str
) -> None:
    same_answer(servers, path)
    assert parquet_copies(servers.cache) == []


def test_reads_in_place_read_the_rows_they_answer_from(servers: Servers) -> None:
    # Not empty answers that match: the holdings, series and observations were read.
    found = same_answer(servers, "/api/3/action/package_search?q=employed_persons_urban")
    assert FLOW.encode() in found
    assert len(json.loads(same_answer(servers, f"/api/v1/series?{SERIES}"))["points"]) >= 5
    observations = same_answer(servers, f"/sdmx/data/{FLOW}/employed_persons_urban.000000.")
    assert observations.count(b"<gen:Obs>") >= 5
    assert parquet_copies(servers.cache) == []


def test_reads_in_place_a_download_is_still_copied_whole(servers: Servers) -> None:
    # The documented exception: a download is streamed from a local copy of its file.
    same_answer(servers, f"/api/v1/datasets/{FLOW}/resources/observations.parquet")
    copies = parquet_copies(servers.cache)
    assert copies and {p.name for p in copies} == {"observations.parquet"}
    assert all(FLOW in p.parts for p in copies)


def test_reads_in_place_small_connection_reads_only_the_store(
    servers: Servers, tmp_path: Path
) -> None:
    # What the holdings, series and SDMX read on: the store's places and nothing else, its
    # settings locked (a column name or a code never reaches SQL, but a bug must not reach
    # the bucket, the disk or the network either).
    store = servers.store
    version = store.current(FLOW) or ""
    place = store.place(FLOW, version, "observations.parquet")
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    with small_connection(store.files()) as con:
        copy = servers.mirror / FLOW / version / "observations.parquet"
        rows = con.execute("SELECT count(*) FROM read_parquet(?)", [place]).fetchone()
        assert rows == (pq.read_metadata(copy).num_rows,)
        refused: list[tuple[str, type[Exception], str]] = [
            (f"SELECT * FROM read_csv('{outside}')", duckdb.PermissionException, "disabled"),
            (
                f"SELECT * FROM read_parquet('s3://{BUCKET}/elsewhere/x.parquet')",
                duckdb.PermissionException,
                "disabled",
            ),
            # Inside the store's root, DuckDB would write: the filesystem refuses it.
            (f"COPY (SELECT 1 AS a) TO '{place}.csv'", duckdb.Error, "read only"),
            ("SET enable_external_access = true", duckdb.InvalidInputException, "locked"),
        ]
        for sql, error, says in refused:
            with pytest.raises(error, match=says):
                con.execute(sql)
    assert parquet_copies(store.readable_root()) == []
