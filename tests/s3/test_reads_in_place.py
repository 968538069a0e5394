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

import httpx
import pytest

from tests.s3.conftest import fresh_location
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
]


class Servers(NamedTuple):
    s3: str
    folder: str
    cache: Path  # the replica's store-cache folder


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
        yield Servers(s3.url, local.url, scratch / "replica" / "store-cache")


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
