"""`/openapi.json` as the routes declare it, and `/docs` from local files under our CSP."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.anyio
PROBLEM = {"$ref": "#/components/schemas/Problem"}


async def test_docs_starter_script_loads_the_local_spec_without_a_validator(
    api: httpx.AsyncClient,
) -> None:
    page = await api.get("/docs")
    starter = re.search(r'<script src="(docs/assets/starter\.js\?v=\w+)">', page.text)
    assert starter is not None, page.text
    script = await api.get("/" + starter[1])
    assert script.headers["content-type"].startswith("text/javascript")
    assert "url: 'openapi.json'" in script.text
    assert '"validatorUrl": null' in script.text


async def test_openapi_problems_refer_to_one_schema_and_no_422_is_left(
    api: httpx.AsyncClient,
) -> None:
    spec = (await api.get("/openapi.json")).json()
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert "422" not in operation["responses"]
            for response in operation["responses"].values():
                problem = response.get("content", {}).get("application/problem+json")
                assert problem is None or problem["schema"] == PROBLEM


async def test_openapi_every_operation_documents_the_refusals_of_its_causes(
    api: httpx.AsyncClient,
) -> None:
    spec = (await api.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            expected = {"400"}
            if path not in ("/healthz", "/readyz"):  # never rate-limited nor queued
                expected |= {"429", "503"}
            if set(re.findall(r"{(\w+)}", path)) - {"extension"}:
                expected |= {"404", "410"}  # a dataset, version or resource unknown or withdrawn
            elif "{" in path:  # a format that is not served (the register's .{extension})
                expected.add("404")
            if method == "post":
                expected.add("413")
            assert expected <= statuses, f"{method} {path}: {sorted(expected - statuses)}"
