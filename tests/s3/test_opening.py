"""Which store an s3:// location opens, how it is refused when malformed or unreachable, and
that a server over a folder never loads boto3."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from catalog.errors import StoreError
from catalog.settings import Settings
from catalog.store import S3Options, S3Store, open_store
from tests.conftest import REPO
from tests.s3.conftest import BUCKET, fresh_location, s3_options


def test_opening_an_s3_location_gives_an_s3_store(s3_endpoint: str, tmp_path: Path) -> None:
    store = open_store(fresh_location(), s3=s3_options(s3_endpoint, tmp_path))
    assert isinstance(store, S3Store)
    assert store.slugs() == [] and store.readable_root().is_relative_to(tmp_path)


def test_stores_opened_alike_share_one_client_and_other_credentials_get_their_own(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Making a client costs 0.1-1 s (each boto3 session reads the service model anew): the
    # tests open a store per test and per app, and paid it every time.
    first = open_store(fresh_location(), s3=s3_options(s3_endpoint, tmp_path / "a"))
    second = open_store(fresh_location(), s3=s3_options(s3_endpoint, tmp_path / "b"))
    assert isinstance(first, S3Store) and isinstance(second, S3Store)
    assert first.objects._client is second.objects._client
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "another-key")
    third = open_store(fresh_location(), s3=s3_options(s3_endpoint, tmp_path / "c"))
    assert isinstance(third, S3Store) and third.objects._client is not first.objects._client
    assert third.slugs() == []  # signed with the credentials given now


def test_opening_settings_give_the_store_its_server_and_cache(tmp_path: Path) -> None:
    settings = Settings(
        store="s3://bucket/a/b",
        state=tmp_path / "state",
        s3_endpoint_url="http://127.0.0.1:9000",
        s3_addressing_style="path",
    )
    options = settings.s3_options
    assert options.cache == tmp_path / "state" / "store-cache"
    assert (options.endpoint_url, options.addressing_style) == ("http://127.0.0.1:9000", "path")
    assert S3Options.from_env({"OPENDATA_STATE": "/x"}).cache == Path("/x/store-cache")


@pytest.mark.parametrize(
    "location",
    ["s3://", "s3://B/prefix", "s3://bucket/../up", "s3://bucket/a b", "s3://a/p", "s3://bu_ck/p"],
)
def test_opening_a_malformed_s3_location_is_refused_by_name(location: str) -> None:
    with pytest.raises(StoreError, match="s3://"):
        open_store(location, s3=S3Options(endpoint_url="http://127.0.0.1:9"))


def test_opening_an_unreachable_server_fails_as_a_store_error_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-key")
    port = _closed_port()
    store = open_store(f"s3://{BUCKET}/x", s3=s3_options(f"http://127.0.0.1:{port}", tmp_path))
    with pytest.raises(StoreError) as failed:
        store.current("wages-test")
    assert "very-secret-key" not in str(failed.value) and "object store" in str(failed.value)


def test_opening_a_missing_bucket_fails_as_a_store_error(s3_endpoint: str, tmp_path: Path) -> None:
    store = open_store("s3://no-such-bucket/x", s3=s3_options(s3_endpoint, tmp_path))
    with pytest.raises(StoreError, match="NoSuchBucket"):
        store.slugs()


def test_opening_a_folder_store_or_the_app_never_imports_boto3() -> None:
    code = (
        "import sys, api, catalog.store, cli; catalog.store.open_store('store');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    command = [sys.executable, "-c", code]
    env = {"PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _closed_port() -> int:
    from benchmarks import free_port

    return free_port()  # nobody listens there: the connection is refused
