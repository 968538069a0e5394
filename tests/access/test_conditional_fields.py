"""A conditional dataset's data dictionary is public, its rows are not (issue 14, fix14c):
`datastore_search` with `limit=0` and nothing that counts matching rows answers its fields
(what `ckanapi dump --datastore-fields` asks), anything that would count stays 403, and the
register states no unit read from its rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.access.conftest import INDICATORS, OPEN, SECRET, Site, has_secret

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
SEARCH = "/api/3/action/datastore_search"


def resource_of(client: httpx.Client, slug: str) -> dict[str, Any]:
    shown: dict[str, Any] = client.get(f"/api/3/action/package_show?id={slug}").json()["result"]
    return next(r for r in shown["resources"] if r["table"] in ("wages", "observations"))


def test_ckanapi_dump_keeps_a_conditional_datasets_fields(site: Site) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = ["dump", "datasets", "--all", "--datastore-fields", "-q", "-r", site.url]
    done = subprocess.run(
        [str(BIN / "ckanapi"), *command],
        capture_output=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert not has_secret(done.stdout)
    dumped = {d["name"]: d for d in map(json.loads, done.stdout.splitlines())}
    with site.client() as client:
        for slug in (SECRET, OPEN):
            resource = resource_of(client, slug)
            info = client.get("/api/3/action/datastore_info", params={"id": resource["id"]})
            fields = [f["id"] for f in info.json()["result"]["fields"]]
            kept = next(r for r in dumped[slug]["resources"] if r["id"] == resource["id"])
            assert [f["id"] for f in kept["datastore_fields"]] == ["_id", *fields], slug


def test_limit_zero_answers_the_fields_and_the_public_row_count(site: Site) -> None:
    with site.client() as client:
        resource = resource_of(client, SECRET)
        answer = client.get(SEARCH, params={"resource_id": resource["id"], "limit": 0})
        assert answer.status_code == 200, answer.text
        result = answer.json()["result"]
        assert result["records"] == []
        assert [f["id"] for f in result["fields"]] == ["_id", "region_code", "year", "workers",
                                                       "avg_wage", "published"]  # fmt: skip
        assert result["total"] == resource["rows"] == 2  # package_show says it to anyone
        assert not has_secret(answer.content)
        as_csv = {"resource_id": resource["id"], "limit": 0, "records_format": "csv"}
        assert client.get(SEARCH, params=as_csv).json()["result"]["records"] == ""


@pytest.mark.parametrize(
    "asked",
    [
        {"limit": 1},
        {"limit": 0, "q": "77777"},
        {"limit": 0, "filters": json.dumps({"year": 2021})},
        {"limit": 0, "distinct": "true", "fields": "year"},
    ],
)
def test_what_would_count_matching_rows_stays_refused(site: Site, asked: dict[str, Any]) -> None:
    with site.client() as client:
        resource = resource_of(client, SECRET)
        answer = client.get(SEARCH, params={"resource_id": resource["id"], **asked})
        assert answer.status_code == 403, answer.text
        assert not has_secret(answer.content)


def test_the_register_reads_no_unit_from_a_conditional_datasets_rows(site: Site) -> None:
    with site.client() as client:
        resources = client.get("/catalog/register.json").json()["resources"]
    secret = next(r for r in resources if r["dataset"] == INDICATORS)
    units = {i["identifier"]: i["unit"] for i in secret["items"]}
    assert units["value"] == ""  # its rows say 万人; the descriptor declares none
