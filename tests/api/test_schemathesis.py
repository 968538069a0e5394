"""schemathesis over `/openapi.json`: every documented operation, fuzzed against a real server.

A real `opendata serve` on 127.0.0.1 serves a store built from the real `datasets/`.
schemathesis draws requests from each operation's declared parameters and bodies, valid and
invalid, and checks every answer: no 5xx, a documented status code, a documented content
type, and a body that matches the declared schema. Path parameters and `version` are drawn
from the store's real slugs, resources, versions and resource ids most of the time (a
schemathesis dictionary), so the fuzzing reaches real rows, downloads and DCAT, not only 404s.

The run is bounded (a fixed number of examples per operation) and deterministic (Hypothesis
derandomized, one worker), so CI replays the same requests every time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api import create_app
from catalog.ckan import WRITE_ACTIONS
from catalog.search import catalogue_uuid
from catalog.settings import Settings
from tests.conftest import publish_real_datasets
from tests.servers import open_test_store, serving, store_location

pytestmark = pytest.mark.slow

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# Per operation and phase; the whole run takes under a minute on a 2-core machine.
EXAMPLES_PER_OPERATION = 25
# The DCAT catalogue pages cost ~0.3 s each (rdflib): fewer of them keep the run short.
SLOW_OPERATIONS = "^/catalog"
SLOW_EXAMPLES = 8
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# How often a parameter takes a real value rather than a generated one.
REAL_VALUE_SHARE = 0.8
# Queries over the real views that return rows of every column type, for `/api/v1/sql`.
SQL = [
    "SELECT * FROM minimum_wage_standards__guizhou_standards",
    "SELECT * FROM region_codes__regions ORDER BY code LIMIT 5",
    "SELECT year, count(*) AS n, sum(value) AS total FROM national_hrss_bulletin__observations"
    " GROUP BY year ORDER BY year",
    "SELECT * FROM provincial_social_insurance_yearbook__observations",
    "SELECT 1 AS one, 'x' AS text, NULL AS nothing, 1.5::DOUBLE AS ratio, DATE '2026-01-01' AS d",
]
# Column names many real resources share, for `sort`, `fields` and `group_by`.
COLUMNS = ["region_code", "year", "-year", "tier", "indicator_code", "value", "code", "name_zh"]


@pytest.fixture(scope="module")
def store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_real_datasets(tmp_path_factory.mktemp("schemathesis") / "store")


@pytest.fixture(scope="module")
def served_url(store_root: Path) -> Iterator[str]:
    with serving(store_root) as server:
        yield server.url


def real_values(root: Path) -> dict[str, list[str]]:
    """The names a request can carry that reach real data: slugs, resources, versions, ids."""
    store = open_test_store(root)
    found: dict[str, set[str]] = {"slug": set(), "resource": set(), "version": set()}
    found["resource_id"] = set()
    for slug in store.slugs():
        found["slug"].add(slug)
        found["version"].update(v.version for v in store.versions(slug))
        for resource in store.descriptor(slug)["resources"]:
            found["resource"].add(resource["name"])
            found["resource_id"].add(catalogue_uuid("resource", f"{slug}/{resource['name']}"))
    app = create_app(Settings(store=store_location(root), datasets=root / "none"))
    found["name"] = set(app.state.ckan.actions) | set(WRITE_ACTIONS)
    return {key: sorted(values) for key, values in found.items()}


# Parameter → the dictionary its real values come from.
BINDINGS = {
    "path.slug": "slug",
    "path.resource": "resource",
    "path.version": "version",
    "path.resource_id": "resource_id",
    "path.name": "name",
    "query.version": "version",
    "query.sql": "sql",
    "body.sql": "sql",
    "query.sort": "column",
    "query.fields": "column",
    "query.group_by": "column",
}


def config(values: dict[str, list[str]]) -> str:
    """A schemathesis.toml drawing the parameters of `BINDINGS` from real values."""
    dictionaries = {**values, "sql": SQL, "column": COLUMNS}
    lines = ["[generation]", f"max-examples = {EXAMPLES_PER_OPERATION}"]
    for name, listed in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(listed, ensure_ascii=False)}"]
    lines.append("[parameters]")
    for parameter, name in BINDINGS.items():
        binding = f'{{ dictionary = "{name}", probability = {REAL_VALUE_SHARE} }}'
        lines.append(f'"{parameter}" = {binding}')
    lines += [
        "[[operations]]",
        f'include-path-regex = "{SLOW_OPERATIONS}"',
        f"generation.max-examples = {SLOW_EXAMPLES}",
    ]
    return "\n".join(lines) + "\n"


def test_api_answers_as_documented(served_url: str, store_root: Path, tmp_path: Path) -> None:
    """Every phase (examples, coverage, fuzzing, stateful links); one worker, derandomized."""
    settings = tmp_path / "schemathesis.toml"
    settings.write_text(config(real_values(store_root)), encoding="utf-8")
    command = [
        SCHEMATHESIS,
        f"--config-file={settings}",
        "run",
        f"{served_url}/openapi.json",
        f"--checks={','.join(CHECKS)}",
        "--generation-deterministic",
        # One worker: Python 3.11's ast.parse is not thread-safe, and Hypothesis calls it.
        "--workers=1",
        "--request-timeout=60",
        "--continue-on-failure",
        "--no-color",
        "--output-truncate=false",
    ]
    # The CLI, not the pytest plugin: the plugin's lazy-fixture loader reads a pytest 9 private
    # attribute that is gone.
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-30000:] + run.stderr[-3000:]


def test_openapi_declares_every_status_the_error_handler_renders(served_url: str) -> None:
    """Request validation answers 400 problem+json, so no operation documents FastAPI's 422."""
    spec = httpx.get(f"{served_url}/openapi.json", timeout=30).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "422" not in statuses, (method, path)
            assert "400" in statuses, (method, path)
