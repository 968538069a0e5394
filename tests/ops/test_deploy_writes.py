"""The nginx site sends every CKAN write action to the one replica that owns the dataset
folders (`upstream opendata_writer`), reads to all: two real replicas over one store, each
with its own dataset folders, behind the shipped site on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from catalog.store import Publisher
from tests.ckan.test_writes import make_token
from tests.conftest import write_regions, write_wages
from tests.ops.test_deploy import nginx_in_front, port_of, tls
from tests.servers import open_test_store, serving

pytestmark = pytest.mark.slow

WRITES = 6


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_nginx_in_front_sends_write_actions_to_the_writer_replica_only(tmp_path: Path) -> None:
    owned, other = tmp_path / "owned", tmp_path / "other"
    write_regions(owned)
    write_wages(owned)
    publisher = Publisher(open_test_store(tmp_path / "store"), owned)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    shutil.copytree(owned, other)
    before = files(other)
    token = make_token(tmp_path / "store", "steward")
    trusted = {"OPENDATA_TRUST_FORWARDED_HEADERS": "true"}
    with (
        serving(tmp_path / "store", env={**trusted, "OPENDATA_DATASETS": str(owned)}) as writer,
        serving(tmp_path / "store", env={**trusted, "OPENDATA_DATASETS": str(other)}) as reader,
        nginx_in_front(tmp_path, [port_of(writer), port_of(reader)], port_of(writer)) as url,
        httpx.Client(base_url=url, verify=tls(tmp_path), timeout=60) as client,
    ):
        # Round robin would send every other write to the reader: none reaches it. (New
        # datasets without resources: they are written, not published.)
        for number in range(WRITES):
            answer = client.post(
                "/api/3/action/package_create",
                json={"name": f"new-{number}", "title": f"New {number}"},
                headers={"Authorization": token},
            )
            assert answer.status_code == 200, answer.text
        deleted = client.post(
            "/api/3/action/package_delete",
            json={"id": "wages-test"},
            headers={"Authorization": token},
        )
        assert deleted.status_code == 200, deleted.text
    assert files(other) == before
    created = {f"new-{number}" for number in range(WRITES)}
    assert created <= {path.name for path in owned.iterdir()}
    assert not (owned / "wages-test").exists()  # set aside by package_delete, on the writer
