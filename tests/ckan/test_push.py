"""`opendata push` from one running instance to another, through ckanapi."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import ckanapi
import pytest

from catalog.store import load_dataset
from tests.ckan.test_writes import make_token
from tests.conftest import build_all, descriptor, write_dataset, write_regions, write_wages
from tests.servers import OPENDATA, open_test_store, serving, store_location

pytestmark = pytest.mark.slow

# What the target decides itself: where it serves, and when and as which version it published.
PUBLICATION = {"version", "metadata_modified", "created", "last_modified"}
CHECKS = [{"type": "non_negative", "resource": "wages", "fields": ["workers"]}]


def comparable(value: Any, url: str) -> Any:
    """`value` without its site's URLs and publication facts."""
    if isinstance(value, dict):
        return {
            key: comparable(item, url)
            for key, item in value.items()
            if key not in PUBLICATION and key != "embedded_from"
        }
    if isinstance(value, list):
        return [comparable(item, url) for item in value]
    if isinstance(value, str):
        return value.replace(url, "<site>")
    return value


def push(store: Path, url: str, token: str) -> list[str]:
    done = subprocess.run(
        [OPENDATA, "--store", store_location(store), "push", "--to", url, "--api-key", token],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return sorted(line for line in done.stdout.splitlines() if re.match(r"^[a-z0-9-]+: ", line))


def write_pair(datasets: Path) -> None:
    """A dataset of two tables (synthetic): a new one must arrive as one version."""
    fields = [{"name": "code", "type": "string"}, {"name": "n", "type": "integer"}]
    resources = [
        {"name": name, "path": f"data/{name}.csv", "format": "csv", "schema": {"fields": fields}}
        for name in ("first", "second")
    ]
    files = {"first.csv": "code,n\na,1\n", "second.csv": "code,n\nb,2\nc,3\n"}
    write_dataset(datasets, "pair-test", files, descriptor("pair-test", resources))


def test_push_makes_the_catalogues_equal_and_twice_changes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "prefecture"
    write_regions(source / "datasets")
    write_wages(source / "datasets", checks=CHECKS)
    write_pair(source / "datasets")
    build_all(source / "store", source / "datasets")  # as `opendata build`: downloads rendered
    target = tmp_path / "province"
    (target / "datasets").mkdir(parents=True)
    token = make_token(target / "store", "prefecture")
    env = {"OPENDATA_DATASETS": str(target / "datasets")}
    with serving(source / "store") as ours, serving(target / "store", env=env) as theirs:
        assert push(source / "store", theirs.url, token) == [
            "pair-test: created",
            "regions-test: created",
            "wages-test: created",
        ]
        mine, other = ckanapi.RemoteCKAN(ours.url), ckanapi.RemoteCKAN(theirs.url)
        names = mine.action.package_list()
        assert other.action.package_list() == names
        first = {name: other.action.package_show(id=name) for name in names}
        for name in names:
            assert comparable(first[name], theirs.url) == comparable(
                mine.action.package_show(id=name), ours.url
            )
        assert [r["name"] for r in first["pair-test"]["resources"]] == ["first", "second"]
        wages = first["wages-test"]["resources"][0]["id"]
        assert other.action.datastore_search(resource_id=wages) == mine.action.datastore_search(
            resource_id=wages
        )
        # The target validates the same rules, and published each dataset once.
        pushed = open_test_store(target / "store")
        assert pushed.package("wages-test").as_dict()["checks"] == CHECKS
        assert load_dataset(target / "datasets" / "wages-test").descriptor["checks"] == CHECKS
        assert {name: len(pushed.versions(name)) for name in names} == dict.fromkeys(names, 1)
        assert push(source / "store", theirs.url, token) == [
            "pair-test: unchanged",
            "regions-test: unchanged",
            "wages-test: unchanged",
        ]
        assert {name: other.action.package_show(id=name) for name in names} == first
