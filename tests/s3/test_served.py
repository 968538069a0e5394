"""`opendata build` into an s3:// store, then `opendata serve` from it: a real server answers
every read path with the bytes the folder store serves for the same versions.

The folder store compared with is the bucket copied key by key into a folder: the same
layout, so the same versions (a second build would name other ones) and an analyst's copy.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.s3.conftest import fresh_location
from tests.s3.served import mirror, opendata, serving_s3
from tests.servers import serving

pytestmark = pytest.mark.slow

ROWS = "/api/v1/datasets/wages-test/resources/wages/rows"
PATHS = [
    ROWS,
    ROWS + "?year__gt=2021&sort=-workers",
    "/api/v1/datasets/wages-test/resources/wages.csv",
    "/api/v1/datasets/wages-test/resources/wages.parquet",
    "/api/v1/datasets/wages-test/resources/wages.json",
    f"/api/3/action/datastore_search?resource_id={catalogue_uuid('resource', 'wages-test/wages')}",
    "/api/3/action/package_show?id=wages-test",
    "/api/v1/datasets/wages-test/resources/wages/aggregate?group_by=year",
    "/api/v1/sql?sql=SELECT%20year%2C%20count(*)%20AS%20n%20FROM%20wages_test__wages"
    "%20GROUP%20BY%20year%20ORDER%20BY%20year",
    "/api/v1/datasets/wages-test",
    "/dataset/wages-test",
]


class Servers(NamedTuple):
    s3: str
    folder: str
    state: Path  # the s3 server's state folder, its local copies under it

    @property
    def both(self) -> tuple[str, str]:
        return self.s3, self.folder


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[Servers]:
    """A server of an s3:// store built by `opendata build`, and one of its folder copy."""
    from tests.conftest import write_regions, write_wages

    scratch = tmp_path_factory.mktemp("served")
    datasets = scratch / "datasets"
    write_regions(datasets)
    write_wages(datasets)
    location = fresh_location()
    env = {
        "OPENDATA_S3_ENDPOINT_URL": s3_endpoint,
        "OPENDATA_STORE": location,
        "OPENDATA_DATASETS": str(datasets),
        "OPENDATA_STATE": str(scratch / "s3-state"),
    }
    opendata("build", env=env)
    folder = mirror(s3_endpoint, location, scratch / "copy" / "store")
    with serving_s3(env, log=scratch / "s3.log") as s3, serving(folder) as local:
        yield Servers(s3.url, local.url, scratch / "s3-state")


@pytest.mark.parametrize("path", PATHS)
def test_served_s3_store_answers_the_same_bytes_as_the_folder(
    two_servers: Servers, path: str
) -> None:
    s3, folder = (httpx.get(server + path, timeout=30) for server in two_servers.both)
    assert s3.status_code == folder.status_code == 200, s3.text[:300]
    # Absolute links name each server's own port; everything else is the same bytes.
    assert s3.content.replace(two_servers.s3.encode(), b"<server>") == folder.content.replace(
        two_servers.folder.encode(), b"<server>"
    )
    # Validators may differ (they may stamp when the store changed); presence may not.
    assert ("etag" in s3.headers) == ("etag" in folder.headers)


def test_served_s3_store_answers_ranges_and_zips_alike(two_servers: Servers) -> None:
    csv = "/api/v1/datasets/wages-test/resources/wages.csv"
    ranged = [
        httpx.get(server + csv, headers={"Range": "bytes=10-99"}, timeout=30)
        for server in two_servers.both
    ]
    assert [r.status_code for r in ranged] == [206, 206]
    assert ranged[0].content == ranged[1].content and len(ranged[0].content) == 90
    zipped = "/api/v1/datasets/wages-test.zip"
    zips = [httpx.get(server + zipped, timeout=30) for server in two_servers.both]
    members = [_members(answer.content) for answer in zips]
    assert members[0] == members[1] and "datapackage.json" in str(members[0].keys())


@pytest.mark.parametrize("path", [ROWS, PATHS[2], "/api/v1/datasets/wages-test.zip"])
def test_served_s3_store_copies_again_what_it_let_go(two_servers: Servers, path: str) -> None:
    # The local copies may be let go (evicted) while the server runs: it copies them again
    # at the next use, instead of answering from a path that is no longer there.
    first = httpx.get(two_servers.s3 + path, timeout=30)
    copies = list(two_servers.state.glob("store-cache/*/wages-test"))
    assert copies, "the server kept no local copy"
    for folder in copies:
        shutil.rmtree(folder)
    again = httpx.get(two_servers.s3 + path, timeout=30)
    assert first.status_code == again.status_code == 200, again.text[:300]
    assert _same(first, again)


def _same(first: httpx.Response, again: httpx.Response) -> bool:
    if first.headers["content-type"].startswith("application/zip"):
        return _members(first.content) == _members(again.content)
    return first.content == again.content


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
