"""/data.json against the DCAT-US 1.1 (Project Open Data) schema, and its paging."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest

from tests.dcat.conftest import BASE_URL, PAGE_SIZE, History

pytestmark = pytest.mark.anyio

# The facts of the DCAT-US 1.1 JSON schema (project-open-data.cio.gov/v1.1/schema: catalog.json,
# dataset.json, distribution.json, organization.json, vcard.json), written out here. bureauCode
# and programCode are left out: the specification requires them of US federal agencies only.
ISO_DATE = (
    r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?"
)
NUMBER = r"\d+(\.\d+)?"
ISO_DURATION = (
    f"P({NUMBER}Y)?({NUMBER}M)?({NUMBER}W)?({NUMBER}D)?(T({NUMBER}H)?({NUMBER}M)?({NUMBER}S)?)?"
)
URI = r"^[a-z][a-z0-9+.-]*:\S+$"
MEDIA_TYPE = r"^[-\w]+/[-\w]+(\.[-\w]+)*([+][-\w]+)?$"
NULLABLE_URI = {"anyOf": [{"type": "string", "pattern": URI}, {"type": "null"}]}
NULLABLE_TEXT = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}]}

DISTRIBUTION: dict[str, Any] = {
    "type": "object",
    "dependencies": {"downloadURL": {"required": ["mediaType"]}},
    "properties": {
        "@type": {"enum": ["dcat:Distribution"]},
        "downloadURL": {"type": "string", "pattern": URI},
        "mediaType": {"anyOf": [{"type": "string", "pattern": MEDIA_TYPE}, {"type": "null"}]},
        "format": NULLABLE_TEXT,
        "accessURL": NULLABLE_URI,
        "description": NULLABLE_TEXT,
        "title": NULLABLE_TEXT,
        "conformsTo": NULLABLE_URI,
        "describedBy": NULLABLE_URI,
        "describedByType": {"anyOf": [{"type": "string", "pattern": MEDIA_TYPE}, {"type": "null"}]},
    },
}
DATASET: dict[str, Any] = {
    "type": "object",
    "required": [
        "title",
        "description",
        "keyword",
        "modified",
        "publisher",
        "contactPoint",
        "identifier",
        "accessLevel",
    ],
    "properties": {
        "@type": {"enum": ["dcat:Dataset"]},
        "accessLevel": {"enum": ["public", "restricted public", "non-public"]},
        "rights": {
            "anyOf": [{"type": "string", "minLength": 1, "maxLength": 255}, {"type": "null"}]
        },
        "accrualPeriodicity": {
            "anyOf": [
                {"enum": ["irregular"]},
                {"type": "string", "pattern": f"^R/{ISO_DURATION}$"},
                {"type": "null"},
            ]
        },
        "contactPoint": {
            "type": "object",
            "required": ["fn", "hasEmail"],
            "properties": {
                "@type": {"enum": ["vcard:Contact"]},
                "fn": {"type": "string", "minLength": 1},
                "hasEmail": {"type": "string", "pattern": r"^mailto:([\w.-]+@[\w.-]+\.[\w.-]+)?$"},
            },
        },
        "conformsTo": NULLABLE_URI,
        "describedBy": NULLABLE_URI,
        "describedByType": {"anyOf": [{"type": "string", "pattern": MEDIA_TYPE}, {"type": "null"}]},
        "description": {"type": "string", "minLength": 1},
        "distribution": {
            "anyOf": [
                {"type": "array", "items": DISTRIBUTION, "minItems": 1, "uniqueItems": True},
                {"type": "null"},
            ]
        },
        "identifier": {"type": "string", "minLength": 1},
        "issued": {"anyOf": [{"type": "string", "pattern": f"^{ISO_DATE}$"}, {"type": "null"}]},
        "keyword": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "landingPage": NULLABLE_URI,
        "language": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
                },
                {"type": "null"},
            ]
        },
        "license": NULLABLE_URI,
        "modified": {"type": "string", "pattern": f"^(R\\d*/)?({ISO_DATE}|{ISO_DURATION})$"},
        "publisher": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "@type": {"enum": ["org:Organization"]},
                "name": {"type": "string", "minLength": 1},
            },
        },
        "references": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": URI},
                    "minItems": 1,
                    "uniqueItems": True,
                },
                {"type": "null"},
            ]
        },
        "spatial": NULLABLE_TEXT,
        "temporal": {
            "anyOf": [
                {"type": "string", "pattern": f"^{ISO_DATE}/({ISO_DATE}|{ISO_DURATION})$"},
                {"type": "null"},
            ]
        },
        "theme": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "minItems": 1,
                    "uniqueItems": True,
                },
                {"type": "null"},
            ]
        },
        "title": {"type": "string", "minLength": 1},
    },
}
CATALOG: dict[str, Any] = {
    "type": "object",
    "required": ["conformsTo", "dataset"],
    "dependencies": {"@type": ["@context"]},
    "properties": {
        "@context": {"type": "string", "pattern": URI},
        "@id": {"type": "string", "pattern": URI},
        "@type": {"enum": ["dcat:Catalog"]},
        "conformsTo": {"enum": ["https://project-open-data.cio.gov/v1.1/schema"]},
        "describedBy": {"type": "string", "pattern": URI},
        "dataset": {"type": "array", "items": DATASET},
    },
}


def check(document: dict[str, Any]) -> None:
    jsonschema.Draft4Validator.check_schema(CATALOG)
    errors = sorted(jsonschema.Draft4Validator(CATALOG).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


async def test_datajson_validates_against_dcat_us_schema(
    client: httpx.AsyncClient, history: History
) -> None:
    response = await client.get("/data.json")
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    check(document)
    identifiers = [d["identifier"] for d in document["dataset"]]
    assert len(identifiers) == len(set(identifiers)) == len(history.served)
    assert set(identifiers) == {f"{BASE_URL}/dataset/{slug}" for slug in history.served}


async def test_datajson_maps_access_level_and_periodicity(client: httpx.AsyncClient) -> None:
    datasets = {d["landingPage"]: d for d in (await client.get("/data.json")).json()["dataset"]}
    conditional = datasets[f"{BASE_URL}/dataset/series-01"]
    assert conditional["accessLevel"] == "restricted public"
    assert conditional["rights"]
    assert conditional["accrualPeriodicity"] == "R/P1D"
    assert datasets[f"{BASE_URL}/dataset/wages-test"]["accrualPeriodicity"] == "R/P1Y"


async def test_datajson_pages_cover_every_dataset_once(
    client: httpx.AsyncClient, history: History
) -> None:
    seen: list[str] = []
    url: str | None = "/data.json?page=1"
    while url is not None:
        response = await client.get(url)
        document = response.json()
        check(document)
        assert len(document["dataset"]) <= PAGE_SIZE
        seen += [d["identifier"] for d in document["dataset"]]
        following = response.links.get("next", {}).get("url")
        url = following.removeprefix(BASE_URL) if following else None
    assert sorted(seen) == sorted(f"{BASE_URL}/dataset/{slug}" for slug in history.served)
    last = await client.get("/data.json?page=3")
    assert last.links["first"]["url"] == f"{BASE_URL}/data.json?page=1"
    assert last.links["prev"]["url"] == f"{BASE_URL}/data.json?page=2"
    assert (await client.get("/data.json?page=4")).status_code == 404
