"""`opendata build` leaves a CKAN draft alone: a dataset created with `state: "draft"` (CKAN's
draft → active sequence, or an `opendata push` stopped half way) has its folder and files
under `datasets/`, marked `.draft`, and is published only when a write sets it active."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.store import DRAFT_MARKER
from tests.ckan.test_writes import NEW_CSV, WAGES_SCHEMA, Site, make_token, package_fields
from tests.conftest import write_regions, write_wages
from tests.servers import OPENDATA, open_test_store, serving, state_of, store_location

pytestmark = pytest.mark.slow
SLUG = "half-pushed"


def opendata(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    store = site.root / "store"
    places = ["--datasets", str(site.root / "datasets"), "--store", store_location(store)]
    return subprocess.run(
        [OPENDATA, *places, "--state", str(state_of(store)), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A served catalogue with the regions only: wages-test is a folder never built yet."""
    root = tmp_path_factory.mktemp("drafts")
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    token = make_token(root / "store", "steward")
    with serving(root / "store", env={"OPENDATA_DATASETS": str(root / "datasets")}) as server:
        yield Site(server.url, root, token)


def half_pushed(site: Site, tmp_path: Path) -> Path:
    """A dataset a client created as a draft and gave a file: complete on disk, unpublished."""
    remote = site.remote(site.token)
    assert remote.action.package_create(**package_fields(SLUG), state="draft")["state"] == "draft"
    data = tmp_path / "wages.csv"
    data.write_text(NEW_CSV, encoding="utf-8")
    with data.open("rb") as upload:
        remote.action.resource_create(
            package_id=SLUG, table="wages", schema=json.dumps(WAGES_SCHEMA), upload=upload
        )
    folder = site.root / "datasets" / SLUG
    assert (folder / DRAFT_MARKER).is_file()
    assert (folder / "datapackage.yaml").is_file()
    return folder


def test_build_skips_a_draft_folder_and_names_it(site: Site, tmp_path: Path) -> None:
    folder = half_pushed(site, tmp_path)
    done = opendata(site, "build")
    assert done.returncode == 0, done.stderr
    assert f"{SLUG}: skipped, a draft (.draft)" in done.stderr
    assert "wages-test: published" in done.stdout  # the others build as ever
    store = open_test_store(site.root / "store")
    assert store.current(SLUG) is None
    assert store.current("wages-test") is not None
    # Named, it is refused (exit 1), not published.
    named = opendata(site, "build", SLUG)
    assert named.returncode == 1
    assert f"{SLUG}: NOT published: {SLUG} is a draft (.draft)" in named.stderr
    assert store.current(SLUG) is None
    # Set active through CKAN, it publishes, and the marker is gone.
    site.remote(site.token).action.package_patch(id=SLUG, state="active")
    assert not (folder / DRAFT_MARKER).exists()
    assert store.current(SLUG) is not None
    assert "skipped" not in opendata(site, "build").stderr
