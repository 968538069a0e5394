"""CKAN 2.12's own package schema accepts every dataset we serve, as CKANHarvester's import
stage validates it; and the ckanapi command line reads the real catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import ckanapi
import pytest

from tests.harvest.conftest import Harvest

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def test_import_ckans_package_schema_accepts_every_dataset(
    harvest: Harvest, real_server: str
) -> None:
    validated = harvest("ckan_validate")
    site = ckanapi.RemoteCKAN(real_server)
    assert sorted(validated) == sorted(site.action.package_list())
    assert {name: v["errors"] for name, v in validated.items() if v["errors"]} == {}
    assert [tag for v in validated.values() for tag in v["refused_tags"]] == []
    region_codes = validated["region-codes"]
    assert "GB-T 2260" in region_codes["tags"]
    assert {v["license_id"] for v in validated.values()} == {"cc-by"}
    shown = site.action.package_show(id="national-hrss-bulletin")
    bulletin = validated["national-hrss-bulletin"]
    assert bulletin["tags"] == [tag["name"] for tag in shown["tags"]]
    assert bulletin["version"] == shown["version"]
    assert bulletin["resource_formats"] == [r["format"] for r in shown["resources"]]


def ckanapi_cli(*args: str) -> list[Any]:
    """The ckanapi command line (its dump workers are `ckanapi` processes found on PATH)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(BIN / "ckanapi"), *args], capture_output=True, env=env, timeout=300, check=True
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_ckanapi_cli_action_package_search_on_the_real_catalogue(real_server: str) -> None:
    site = ckanapi.RemoteCKAN(real_server)
    wages = sorted(
        name
        for name in site.action.package_list()
        if "wages" in {g["name"] for g in site.action.package_show(id=name)["groups"]}
    )
    [found] = ckanapi_cli(
        "action", "package_search", "fq=groups:wages", "rows=100", "sort=name asc",
        "facet.field=[\"license_id\",\"groups\"]", "-r", real_server, "-j",
    )  # fmt: skip
    assert found["count"] == len(wages)
    assert [p["name"] for p in found["results"]] == wages
    assert found["facets"]["license_id"] == {"cc-by": len(wages)}
    assert found["facets"]["groups"]["wages"] == len(wages)


def test_ckanapi_cli_dump_datasets_all_equals_package_show(real_server: str) -> None:
    dumped = ckanapi_cli("dump", "datasets", "--all", "-r", real_server, "-q")
    site = ckanapi.RemoteCKAN(real_server)
    names = site.action.package_list()
    assert sorted(p["name"] for p in dumped) == sorted(names)
    by_name = {p["name"]: p for p in dumped}
    assert by_name["region-codes"] == site.action.package_show(id="region-codes")
    assert [t["name"] for t in by_name["region-codes"]["tags"]] == [
        "GB-T 2260", "Guizhou", "administrative division codes", "行政区划代码", "贵州"
    ]  # fmt: skip
    assert by_name["region-codes"]["license_id"] == "cc-by"
