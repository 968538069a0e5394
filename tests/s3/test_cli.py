"""The commands that open the store (`build`, `versions`, `withdraw`) work on an s3:// store."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.errors import Gone
from catalog.store import open_store
from tests.conftest import write_regions, write_wages
from tests.s3.conftest import fresh_location, s3_options
from tests.s3.served import opendata

pytestmark = pytest.mark.slow


def test_cli_builds_lists_and_withdraws_on_an_s3_store(s3_endpoint: str, tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    write_regions(datasets)
    write_wages(datasets)
    location = fresh_location()
    env = {
        "OPENDATA_S3_ENDPOINT_URL": s3_endpoint,
        "OPENDATA_STORE": location,
        "OPENDATA_DATASETS": str(datasets),
        "OPENDATA_STATE": str(tmp_path / "state"),
    }
    opendata("build", env=env)
    store = open_store(location, s3=s3_options(s3_endpoint, tmp_path / "reader"))
    version = store.current("wages-test")
    assert version is not None
    assert version in opendata("versions", "wages-test", env=env).stdout
    assert (tmp_path / "state" / "store-cache").is_dir()  # the copies went under the state
    opendata("withdraw", "wages-test", "--reason", "synthetic", env=env)
    with pytest.raises(Gone):
        store.served_version("wages-test")
    assert store.withdrawals("wages-test")[0].reason == "synthetic"
    opendata("build", env=env)
    assert store.current("wages-test") is None  # a build of everything keeps it withdrawn
