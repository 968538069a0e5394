"""CKAN write actions on a server whose dataset folders the system will not change (the
shipped systemd unit mounts the checkout read-only; a folder may be missing): a real server,
a real read-only mount. Each write answers CKAN's error dict with 503 naming the cause, no
path and no 500, and the version served before keeps serving."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.store import Publisher
from tests.ckan.test_writes import make_token
from tests.conftest import write_regions, write_wages
from tests.servers import open_test_store, serving

pytestmark = pytest.mark.slow


@contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """`folder` made read-only by the system itself: a read-only bind mount of it onto itself
    (what systemd's ProtectSystem does), else the immutable attribute; how, as a word."""
    if subprocess.run(["mount", "--bind", "-o", "ro", folder, folder], check=False).returncode:
        if subprocess.run(["chattr", "+i", folder], check=False).returncode:
            pytest.skip("neither a read-only bind mount nor chattr is permitted here")
        try:
            yield "immutable"
        finally:
            subprocess.run(["chattr", "-i", folder], check=True)
        return
    try:
        yield "mount"
    finally:
        subprocess.run(["umount", folder], check=True)


def published(root: Path) -> Path:
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    publisher = Publisher(open_test_store(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return root / "store"


def action(url: str, token: str, name: str, data: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": token}
    return httpx.post(f"{url}/api/3/action/{name}", json=data, headers=headers, timeout=60)


def assert_refused(answer: httpx.Response, cause: str, root: Path) -> None:
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Service Unavailable"
    assert cause in body["error"]["message"]
    assert "dataset folders" in body["error"]["message"]
    assert str(root) not in answer.text


def notes(url: str) -> str:
    answer = httpx.get(f"{url}/api/3/action/package_show", params={"id": "wages-test"})
    return str(answer.json()["result"]["notes"])


def test_writes_to_read_only_dataset_folders_answer_503_and_change_nothing(
    tmp_path: Path,
) -> None:
    store = published(tmp_path)
    token = make_token(store, "steward")
    datasets = tmp_path / "datasets"
    before = sorted(p.relative_to(datasets) for p in datasets.rglob("*"))
    with (
        serving(store, env={"OPENDATA_DATASETS": str(datasets)}) as server,
        read_only(datasets) as how,
    ):
        served = notes(server.url)
        cause = "read-only file system" if how == "mount" else "permission denied"
        writes = [
            ("package_patch", {"id": "wages-test", "notes": "changed"}),
            ("package_update", {"name": "wages-test", "title": "changed"}),
            ("package_create", {"name": "new-one", "title": "New"}),
            ("package_delete", {"id": "wages-test"}),
        ]
        for name, data in writes:
            assert_refused(action(server.url, token, name, data), cause, tmp_path)
        assert notes(server.url) == served
        assert httpx.get(f"{server.url}/api/3/action/package_list").json()["result"] == [
            "regions-test",
            "wages-test",
        ]
    assert sorted(p.relative_to(datasets) for p in datasets.rglob("*")) == before


def test_writes_to_a_missing_datasets_folder_answer_503(tmp_path: Path) -> None:
    store = published(tmp_path)
    token = make_token(store, "steward")
    (tmp_path / "file").write_text("not a folder")
    env = {"OPENDATA_DATASETS": str(tmp_path / "file" / "datasets")}
    with serving(store, env=env) as server:
        answer = action(server.url, token, "package_create", {"name": "new-one", "title": "N"})
        assert_refused(answer, "a folder is missing", tmp_path)
