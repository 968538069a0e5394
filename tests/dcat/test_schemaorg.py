"""schema.org/Dataset JSON-LD: every property Google lists as required or recommended."""

from __future__ import annotations

import httpx
import pytest

from tests.dcat.conftest import BASE_URL, History

pytestmark = pytest.mark.anyio

# developers.google.com/search/docs/appearance/structured-data/dataset: required, then recommended
# (Dataset, DataCatalog and DataDownload sections).
GOOGLE_REQUIRED = ("name", "description")
GOOGLE_RECOMMENDED = (
    "alternateName",
    "creator",
    "citation",
    "funder",
    "hasPart",
    "isAccessibleForFree",
    "isBasedOn",
    "isPartOf",
    "identifier",
    "keywords",
    "license",
    "measurementTechnique",
    "measurementMethod",
    "sameAs",
    "spatialCoverage",
    "temporalCoverage",
    "variableMeasured",
    "version",
    "url",
    "includedInDataCatalog",
    "distribution",
)
ISSUE_ALSO = ("dateModified", "publisher")


async def test_schemaorg_every_dataset_has_google_properties(
    client: httpx.AsyncClient, history: History
) -> None:
    for slug in sorted(history.served):
        response = await client.get(f"/api/v1/datasets/{slug}/schemaorg")
        assert response.headers["content-type"].startswith("application/ld+json")
        document = response.json()
        assert document["@type"] == "Dataset"
        for name in (*GOOGLE_REQUIRED, *GOOGLE_RECOMMENDED, *ISSUE_ALSO):
            assert document.get(name) not in (None, "", [], {}), f"{slug}: no {name}"
        assert 50 <= len(document["description"]) <= 5000
        assert document["creator"]["name"]
        assert document["isAccessibleForFree"] is True
        assert document["url"] == f"{BASE_URL}/dataset/{slug}"
        for download in document["distribution"]:
            assert download["@type"] == "DataDownload"
            assert download["contentUrl"].startswith(f"{BASE_URL}/api/v1/datasets/{slug}/")
            assert download["encodingFormat"]


async def test_schemaorg_carries_both_languages_and_units(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/datasets/series-03/schemaorg")).json()
    assert "合成测试数据" in document["description"]
    assert "Synthetic data for tests" in document["description"]
    assert "Synthetic test data series-03" in document["alternateName"]
    units = {v["name"]: v.get("unitText") for v in document["variableMeasured"]}
    assert units == {"year": None, "value": "万人"}
    assert document["temporalCoverage"] == "2020-01-01/2021-12"
    assert document["spatialCoverage"][0]["identifier"]["value"] == "000000"
    open_ended = (await client.get("/api/v1/datasets/series-04/schemaorg")).json()
    assert open_ended["temporalCoverage"] == "2020/.."
    formats = {d["encodingFormat"] for d in document["distribution"]}
    assert formats >= {"text/csv", "application/json", "application/vnd.apache.parquet"}


async def test_schemaorg_of_withdrawn_dataset_is_gone(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/datasets/series-07/schemaorg")).status_code == 410
