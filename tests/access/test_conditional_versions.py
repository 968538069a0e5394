"""A dataset published open and then made conditional closes its older versions too: every
path that takes `version=` refuses the old version without a grant (403, private, no 304
before the check) and serves it to a token granted the dataset, against a real server.

Synthetic data: `later-closed` is published open (version OLD), then republished with
`access_level: conditional` (the current version)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.access.conftest import CONDITIONAL, SECRET_CSV, SECRET_WORKERS, has_secret
from tests.conftest import WAGE_FIELDS, descriptor, write_dataset
from tests.servers import serving, state_database

pytestmark = pytest.mark.slow

SLUG = "later-closed"
V1 = f"/api/v1/datasets/{SLUG}"
ROWS = f"{V1}/resources/wages"
# Every path that takes a version, `{v}` the old version's name; (name, method, url, text).
VERSIONED = [
    ("rows", "GET", f"{ROWS}/rows?limit=2&version={{v}}", True),
    ("aggregate", "GET", f"{ROWS}/aggregate?group_by=region_code&sum=workers&version={{v}}", True),
    ("stored csv", "GET", f"{ROWS}.csv?version={{v}}", True),
    ("csv with a filter", "GET", f"{ROWS}.csv?year=2021&version={{v}}", True),
    ("csv with a bom", "GET", f"{ROWS}.csv?bom=true&version={{v}}", True),
    ("json", "GET", f"{ROWS}.json?version={{v}}", True),
    ("ndjson", "GET", f"{ROWS}.ndjson?version={{v}}", True),
    ("xlsx", "GET", f"{ROWS}.xlsx?version={{v}}", False),
    ("parquet", "GET", f"{ROWS}.parquet?version={{v}}", False),
    ("HEAD of the csv", "HEAD", f"{ROWS}.csv?version={{v}}", False),
    ("zip", "GET", f"/api/v1/datasets/{SLUG}.zip?version={{v}}", False),
    ("HEAD of the zip", "HEAD", f"/api/v1/datasets/{SLUG}.zip?version={{v}}", False),
    ("validation report", "GET", f"{V1}/validation?version={{v}}", False),
]


@dataclass(frozen=True)
class Closed:
    url: str
    old: str
    granted: str


def _resource() -> dict[str, object]:
    schema = {"fields": WAGE_FIELDS, "primaryKey": ["region_code", "year"]}
    return {"name": "wages", "path": "data/wages.csv", "format": "csv", "schema": schema}


def _publish(root: Path, datasets: Path, clock: object) -> None:
    from catalog.query import PublishedDownloads, QueryEngine
    from catalog.settings import Settings
    from catalog.store import FolderStore, Publisher

    store = FolderStore(root, clock=clock)  # type: ignore[arg-type]
    engine = QueryEngine(store, Settings(store=root, datasets=datasets))
    try:
        publisher = Publisher(store, datasets, downloads=PublishedDownloads(engine))
        for source in publisher.plan(list(publisher.sources().values())):
            publisher.build(source)
        assert publisher.broken == {}
    finally:
        engine.close()


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Closed]:
    from catalog.store import FolderStore, ManualClock

    folder = tmp_path_factory.mktemp("closed-later")
    datasets, root = folder / "datasets", folder / "store"
    clock = ManualClock(datetime.now(UTC))
    write_dataset(datasets, SLUG, {"wages.csv": SECRET_CSV}, descriptor(SLUG, [_resource()]))
    _publish(root, datasets, clock)
    old = FolderStore(root).current(SLUG)
    clock.advance(timedelta(seconds=1))
    meta = descriptor(SLUG, [_resource()], **CONDITIONAL)
    write_dataset(datasets, SLUG, {"wages.csv": SECRET_CSV}, meta)
    _publish(root, datasets, clock)
    assert old is not None and FolderStore(root).current(SLUG) != old
    with state_database(root) as state:
        granted = state.tokens.create("researcher", [f"read-dataset:{SLUG}"])[1]
    with serving(root) as running:
        yield Closed(running.url, old, granted)


def _ask(closed: Closed, method: str, url: str, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=closed.url, timeout=60) as client:
        return client.request(method, url.replace("{v}", closed.old), headers=headers)


def _bearer(closed: Closed) -> dict[str, str]:
    return {"Authorization": f"Bearer {closed.granted}"}


@pytest.mark.parametrize(("name", "method", "url", "text"), VERSIONED, ids=lambda p: str(p))
def test_an_older_open_version_is_refused_once_the_dataset_is_conditional(
    closed: Closed, name: str, method: str, url: str, text: bool
) -> None:
    response = _ask(closed, method, url)
    assert response.status_code == 403, (name, response.text)
    assert response.headers["cache-control"] == "private, no-store"
    assert not has_secret(response.content)


@pytest.mark.parametrize(("name", "method", "url", "text"), VERSIONED, ids=lambda p: str(p))
def test_a_grant_of_the_dataset_reads_its_older_versions_privately(
    closed: Closed, name: str, method: str, url: str, text: bool
) -> None:
    response = _ask(closed, method, url, **_bearer(closed))
    assert response.status_code == 200, (name, response.text)
    assert response.headers["cache-control"] == "private, no-store"
    assert "authorization" in response.headers["vary"].lower()
    if text:
        assert SECRET_WORKERS in response.text


def test_no_304_and_no_range_of_an_older_version_before_the_grant_is_checked(
    closed: Closed,
) -> None:
    url = f"{ROWS}.parquet?version={{v}}"
    granted = _ask(closed, "GET", url, **_bearer(closed))
    tag = granted.headers["etag"]
    for headers in ({"If-None-Match": tag}, {"Range": "bytes=0-3"}):
        anonymous = _ask(closed, "GET", url, **headers)
        assert anonymous.status_code == 403 and "etag" not in anonymous.headers
    again = _ask(closed, "GET", url, **{"If-None-Match": tag}, **_bearer(closed))
    assert again.status_code == 304
    assert again.headers["cache-control"] == "private, no-store"


def test_its_versions_stay_listed_and_described(closed: Closed) -> None:
    """Metadata stays public: the version list and each version's descriptor."""
    listed = _ask(closed, "GET", f"{V1}/versions")
    described = _ask(closed, "GET", f"{V1}/versions/{closed.old}")
    assert listed.status_code == 200 and closed.old in listed.text
    assert described.status_code == 200 and not has_secret(described.content)
