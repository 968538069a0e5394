"""DataStore records keep their numbers as printed: `datastore_search` (objects, lists, JSONP),
`datastore_search_sql` and the JSON and XML dumps write `88000.50` and an 18-digit value as
the table holds them, never as floats (`88000.5`, digits lost)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api import create_app
from catalog.search import catalogue_uuid
from catalog.settings import Settings
from catalog.store import Publisher
from tests.conftest import write_regions, write_wages
from tests.servers import open_test_store, store_location

pytestmark = pytest.mark.anyio
WAGES = catalogue_uuid("resource", "wages-test/wages")
CSV = (
    "region_code,year,workers,avg_wage,published\n"
    "520000,2021,1000,88000.50,2022-06-01\n"
    "520100,2021,400,1234567890123456.78,2022-06-01\n"
)
PRINTED = ["88000.50", "1234567890123456.78"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exact")
    write_regions(root / "datasets")
    write_wages(root / "datasets", CSV)
    publisher = Publisher(open_test_store(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return root / "store"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(store: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        store=store_location(store), datasets=store / "none", base_url="http://ckan.test"
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://ckan.test") as http:
        yield http


async def test_search_writes_the_records_numbers_as_printed(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/api/3/action/datastore_search?resource_id={WAGES}")
    records = answer.json(parse_float=str)["result"]["records"]
    assert [r["avg_wage"] for r in records] == PRINTED
    # Spliced in as DuckDB wrote them (compact, as CKAN's PostgreSQL writes its records).
    assert '"avg_wage":88000.50,' in answer.text


async def test_lists_jsonp_and_sql_write_them_as_printed(client: httpx.AsyncClient) -> None:
    lists = await client.get(
        f"/api/3/action/datastore_search?resource_id={WAGES}&records_format=lists"
    )
    assert [r[4] for r in lists.json(parse_float=str)["result"]["records"]] == PRINTED
    jsonp = await client.get(f"/api/3/action/datastore_search?resource_id={WAGES}&callback=cb")
    assert "88000.50," in jsonp.text and "1234567890123456.78," in jsonp.text
    sql = f'SELECT avg_wage FROM "{WAGES}" ORDER BY year, workers DESC'
    found = await client.post("/api/3/action/datastore_search_sql", json={"sql": sql})
    assert [r["avg_wage"] for r in found.json(parse_float=str)["result"]["records"]] == PRINTED


async def test_jsonp_escapes_the_records_text_it_splices_in(client: httpx.AsyncClient) -> None:
    regions = catalogue_uuid("resource", "regions-test/regions")
    asked = f"/api/3/action/datastore_search?resource_id={regions}"
    answer = await client.get(asked)
    jsonp = await client.get(asked + "&callback=cb")
    assert '"name_zh":"贵州省"' in answer.text  # the records as DuckDB wrote them
    assert jsonp.text.isascii() and jsonp.text.startswith("cb(")
    padded, plain = json.loads(jsonp.text[3:-2])["result"], answer.json()["result"]
    assert padded["records"] == plain["records"] and padded["fields"] == plain["fields"]
    assert [r["name_zh"] for r in plain["records"]] == ["贵州省", "贵阳市", "六盘水市"]


async def test_json_and_xml_dumps_write_them_as_printed(client: httpx.AsyncClient) -> None:
    dumped = await client.get(f"/datastore/dump/{WAGES}?format=json")
    assert [r[4] for r in json.loads(dumped.text, parse_float=str)["records"]] == PRINTED
    xml = await client.get(f"/datastore/dump/{WAGES}?format=xml")
    assert [row.findtext("avg_wage") for row in ET.fromstring(xml.text)] == PRINTED
