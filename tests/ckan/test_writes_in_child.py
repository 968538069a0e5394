"""A CKAN write validates and publishes in a child process (`catalog.ckan.publishing`): the
server that took the write never imports numpy, pandas, Frictionless or the validation's
readers and checks, though it refuses numpy and pandas as `opendata serve` does (`cli`), and
the write's answers are those of a publish in one process: the upload published, a schema
inferred, an invalid upload's 409 with the report naming row and field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.search import catalogue_uuid
from tests.api.test_server_memory import SERVED_VALIDATION
from tests.ckan.test_writes import NEW_CSV, WAGES_SCHEMA, make_token
from tests.conftest import build_all, write_regions, write_wages
from tests.servers import state_of, store_location

pytestmark = pytest.mark.slow

# The app in a fresh interpreter, started as `opendata serve` starts (numpy and pandas
# refused before anything imports pyarrow, and pyarrow's S3 filesystem unless the store
# is a URL), takes three writes through its own ASGI stack, then lists what it imported of
# the libraries a publish needs.
WRITES = """
import json, sys
store, datasets, token, wages, schema = json.loads(input())
sys.argv = ["opendata", "--store", store, "serve"]
import cli
from fastapi.testclient import TestClient
from api import create_app
from catalog.query import memory_for_serving
from catalog.settings import Settings
memory_for_serving()
app = create_app(Settings(store=store, datasets=datasets))
answers = []
with TestClient(app) as client:
    def write(name, data, files):
        url = "/api/3/action/" + name
        got = client.post(url, data=data, files=files, headers={"Authorization": token})
        answers.append([got.status_code, got.json()])
    write("resource_create", {"package_id": "wages-test", "name": "counts"},
          {"upload": ("counts.csv", "region,count\\n贵阳,10\\n遵义,12\\n")})
    made = answers[-1][1].get("result") or {}
    found = client.get("/api/3/action/datastore_search",
                       params={"resource_id": made.get("id"), "sort": "count desc"})
    answers.append([found.status_code, found.json()])
    write("resource_update", {"id": wages, "schema": schema},
          {"upload": ("wages.csv", "region_code,year,workers,avg_wage,published\\n"
                      "520000,twenty,1,1.00,2022-06-01\\n")})
    write("resource_update", {"id": wages}, {"upload": ("wages.csv", sys.stdin.read())})
WATCHED = ("numpy", "pandas", "frictionless", "validation")
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in WATCHED)
print(json.dumps({"answers": answers, "loaded": loaded}))
"""


def test_a_server_takes_writes_without_importing_what_validation_needs(tmp_path: Path) -> None:
    write_regions(tmp_path / "datasets")
    write_wages(tmp_path / "datasets")
    build_all(tmp_path / "store", tmp_path / "datasets")
    token = make_token(tmp_path / "store", "steward")
    wages = catalogue_uuid("resource", "wages-test/wages")
    given = [store_location(tmp_path / "store"), str(tmp_path / "datasets"), token, wages]
    request = json.dumps([*given, json.dumps(WAGES_SCHEMA)]) + "\n" + NEW_CSV
    done = subprocess.run(
        [sys.executable, "-c", WRITES],
        input=request,
        capture_output=True,
        text=True,
        env={**os.environ, "OPENDATA_STATE": str(state_of(tmp_path / "store"))},
        cwd=Path(__file__).parents[2],
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    (inferred, rows, invalid, valid) = found["answers"]
    assert inferred[0] == 200, inferred
    assert rows[1]["result"]["records"][0] == {"_id": 2, "region": "遵义", "count": 12}, rows
    assert invalid[0] == 409, invalid
    error = invalid[1]["error"]
    assert error["__type"] == "Validation Error"
    assert error["report"]["valid"] is False
    faults = [e for task in error["report"]["tasks"] for e in task["errors"]]
    assert any(e.get("fieldName") == "year" and e.get("rowNumber") == 2 for e in faults), faults
    assert valid[0] == 200, valid
    assert valid[1]["result"]["rows"] == 1
    loaded = set(found["loaded"])
    assert not {m for m in loaded if m.partition(".")[0] in ("numpy", "pandas", "frictionless")}
    assert {m for m in loaded if m.startswith("validation")} <= SERVED_VALIDATION
