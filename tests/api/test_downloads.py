"""Downloads: each format holds exactly the rows /rows gives for the same filters and sort."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.errors import StoreError
from catalog.query import ZipMember, csv_header, text_csv_chunks, zip_chunks
from tests.api.conftest import AppFactory
from tests.api.downloaddata import FORMULA_LABELS, add_events, add_formulas
from tests.querydata import stored_file

pytestmark = pytest.mark.anyio

WAGES = "/api/v1/datasets/wages-test/resources/wages"
CELLS = "/api/v1/datasets/formulas-test/resources/cells"
QUERY = {"year__gte": "1820", "region_code__in": "520100,520300", "sort": "-year"}


@pytest.fixture
async def http(query_store: Path, make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    add_formulas(query_store)
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def rows_of(http: httpx.AsyncClient, path: str, query: dict[str, str]) -> list[Any]:
    response = await http.get(f"{path}/rows", params={**query, "limit": "10000"})
    assert response.status_code == 200, response.text
    rows: list[Any] = response.json()["rows"]
    return rows


def as_text(value: Any) -> str:
    """A /rows JSON value as the CSV download writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def test_downloads_csv_holds_the_rows_of_rows_as_text(http: httpx.AsyncClient) -> None:
    expected = await rows_of(http, WAGES, QUERY)
    response = await http.get(f"{WAGES}.csv", params=QUERY)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert not response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert table[0] == list(expected[0])
    parsed = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert len(expected) == 60
    assert parsed == [
        {k: as_text(v) if k != "avg_wage" else f"{Decimal(str(v)):.2f}" for k, v in row.items()}
        for row in expected
    ]


async def test_downloads_csv_with_bom_starts_with_the_utf8_mark(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{WAGES}.csv", params={"bom": "true", "year": "1800"})
    assert response.content.startswith(b"\xef\xbb\xbf" + b"region_code,year,")
    text = response.content.decode("utf-8-sig")
    assert "贵州省" in text


async def test_downloads_json_and_ndjson_equal_rows(http: httpx.AsyncClient) -> None:
    expected = await rows_of(http, WAGES, QUERY)
    as_array = await http.get(f"{WAGES}.json", params=QUERY)
    assert as_array.headers["content-type"] == "application/json"
    assert as_array.json() == expected
    lines = await http.get(f"{WAGES}.ndjson", params=QUERY)
    assert lines.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(line) for line in lines.text.splitlines()] == expected


async def test_downloads_json_of_nothing_is_an_empty_array(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{WAGES}.json", params={"year__gt": "9999"})
    assert response.json() == []
    empty = await http.get(f"{WAGES}.ndjson", params={"year__gt": "9999"})
    assert empty.content == b""


async def test_downloads_fields_choose_the_columns(http: httpx.AsyncClient) -> None:
    query = {**QUERY, "fields": "year,name_zh"}
    expected = await rows_of(http, WAGES, query)
    response = await http.get(f"{WAGES}.json", params=query)
    assert response.json() == expected
    assert list(expected[0]) == ["year", "name_zh"]


async def test_downloads_filtered_parquet_is_typed_as_the_stored_file(
    http: httpx.AsyncClient, query_store: Path
) -> None:
    expected = await rows_of(http, WAGES, QUERY)
    response = await http.get(f"{WAGES}.parquet", params=QUERY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    assert "accept-ranges" not in response.headers
    table = pq.read_table(io.BytesIO(response.content))
    stored = pq.read_schema(stored_file(query_store, "wages-test", "v2", "wages.parquet"))
    assert table.schema.remove_metadata() == stored.remove_metadata()
    assert table.column("year").to_pylist() == [row["year"] for row in expected]
    assert table.column("avg_wage").to_pylist() == [
        Decimal(str(row["avg_wage"])).quantize(Decimal("0.01")) for row in expected
    ]
    assert table.column("published").to_pylist() == [
        date.fromisoformat(row["published"]) for row in expected
    ]


async def test_downloads_whole_parquet_is_the_stored_file(
    http: httpx.AsyncClient, query_store: Path
) -> None:
    response = await http.get(f"{WAGES}.parquet")
    assert response.headers["accept-ranges"] == "bytes"
    stored = stored_file(query_store, "wages-test", "v2", "wages.parquet")
    assert response.content == stored.read_bytes()
    pinned = await http.get(f"{WAGES}.parquet", params={"version": "v1"})
    stored = stored_file(query_store, "wages-test", "v1", "wages.parquet")
    assert pinned.content == stored.read_bytes()


async def test_downloads_xlsx_holds_typed_cells(http: httpx.AsyncClient) -> None:
    expected = await rows_of(http, WAGES, QUERY)
    response = await http.get(f"{WAGES}.xlsx", params=QUERY)
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert int(response.headers["content-length"]) == len(response.content)
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    assert table[0] == list(expected[0])
    for got, want in zip(table[1:], expected, strict=True):
        row = dict(zip(table[0], got, strict=True))
        assert row["year"] == want["year"]
        assert row["workers"] == want["workers"]
        assert row["avg_wage"] == pytest.approx(want["avg_wage"])
        assert row["name_zh"] == want["name_zh"]
        assert row["published"] == datetime.fromisoformat(want["published"])
        assert row["updated"] == datetime.fromisoformat(want["updated"])
        assert row["audited"] == want["audited"]


async def test_downloads_neutralise_formulas_in_csv_and_xlsx_only(
    http: httpx.AsyncClient,
) -> None:
    safe = [
        ("'" + label if label[:1] in ("=", "+", "-", "@", "\t", "\r") else label)
        for label in FORMULA_LABELS
    ]
    text = (await http.get(f"{CELLS}.csv")).content.decode()
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["name_zh"] for row in table] == safe
    assert [row["workers"] for row in table] == [str(-5 * i) for i in range(len(FORMULA_LABELS))]
    book = openpyxl.load_workbook(io.BytesIO((await http.get(f"{CELLS}.xlsx")).content))
    cells = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    # openpyxl leaves OOXML's escape of a carriage return (`_x000D_`) as it is.
    assert [(row[1] or "").replace("_x000D_", "\r") for row in cells] == safe
    assert [row[2] for row in cells] == [-5 * i for i in range(len(FORMULA_LABELS))]
    assert [row[3] for row in cells] == [-0.25 * i for i in range(len(FORMULA_LABELS))]
    raw = (await http.get(f"{CELLS}.json")).json()
    assert [row["name_zh"] for row in raw] == FORMULA_LABELS


async def test_downloads_name_the_file_in_content_disposition(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{WAGES}.ndjson", params={"version": "v1"})
    assert response.headers["content-disposition"] == (
        'attachment; filename="wages-test-wages-v1.ndjson"; '
        "filename*=UTF-8''wages-test-wages-v1.ndjson"
    )
    zipped = await http.get("/api/v1/datasets/wages-test.zip")
    assert 'filename="wages-test-v2.zip"' in zipped.headers["content-disposition"]


def test_downloads_attachment_falls_back_to_ascii_for_chinese_names() -> None:
    from api.routes.downloads import attachment

    assert attachment('工资"表.csv') == (
        "attachment; filename=\"____.csv\"; filename*=UTF-8''%E5%B7%A5%E8%B5%84%22%E8%A1%A8.csv"
    )


async def test_downloads_zip_holds_every_resource_and_the_descriptor(
    http: httpx.AsyncClient, query_store: Path
) -> None:
    response = await http.get("/api/v1/datasets/wages-test.zip")
    assert response.headers["content-type"] == "application/zip"
    assert "content-encoding" not in response.headers
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == [
        f"wages-test-v2/{name}"
        for name in (
            "datapackage.json",
            "notes.csv",
            "notes.parquet",
            "validation.json",
            "wages.csv",
            "wages.parquet",
        )
    ]
    for name in ("wages.parquet", "datapackage.json", "validation.json"):
        stored = stored_file(query_store, "wages-test", "v2", name)
        assert archive.read(f"wages-test-v2/{name}") == stored.read_bytes()
    wages_csv = (await http.get(f"{WAGES}.csv")).content
    assert archive.read("wages-test-v2/wages.csv") == wages_csv


async def test_downloads_refuse_bom_outside_csv(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{WAGES}.json", params={"bom": "true"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "bom"


async def test_downloads_refuse_unknown_filters_and_formats(http: httpx.AsyncClient) -> None:
    bad = await http.get(f"{WAGES}.csv", params={"nope__gt": "1"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["parameter"] == "nope__gt"
    unknown = await http.get(f"{WAGES}.txt")
    assert unknown.status_code in (400, 404)
    missing = await http.get("/api/v1/datasets/wages-test/resources/nothing.csv")
    assert missing.status_code == 404


async def test_downloads_head_answers_headers_without_a_body(http: httpx.AsyncClient) -> None:
    response = await http.head(f"{WAGES}.csv")
    assert response.status_code == 200
    assert response.content == b""
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["etag"]


async def test_downloads_xlsx_refuses_more_rows_than_excel_holds(
    query_store: Path, make_app: AppFactory
) -> None:
    add_events(query_store, 1_048_576)
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        events = "/api/v1/datasets/big-test/resources/events"
        whole = await http.get(f"{events}.xlsx")
        assert whole.status_code == 400
        assert whole.json()["type"].endswith("/problems/too-many-rows")
        filtered = await http.get(f"{events}.xlsx", params={"id__gte": "0"})
        assert filtered.status_code == 400
        small = await http.get(f"{events}.xlsx", params={"id__lt": "10"})
        assert small.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(small.content), read_only=True)
        assert book.worksheets[0].max_row == 11
        book.close()


def test_downloads_csv_header_quotes_only_the_names_that_need_it() -> None:
    names = ["id", "年份", 'a"b', "x,y", "", "line\nbreak", " lead"]
    header = csv_header(names)
    assert header == b'id,\xe5\xb9\xb4\xe4\xbb\xbd,"a""b","x,y","","line\nbreak"," lead"\n'
    assert next(csv.reader(io.StringIO(header.decode()))) == names


@pytest.mark.parametrize("published", [{"size": 3}, {"sha256": "0" * 64}], ids=["size", "checksum"])
def test_downloads_zip_member_unlike_the_published_file_ends_in_an_error(
    tmp_path: Path, published: dict[str, Any]
) -> None:
    stored = tmp_path / "data.parquet"
    stored.write_bytes(b"PAR1" + bytes(range(256)) * 8 + b"PAR1")
    member = ZipMember("data.parquet", path=stored, compress=False, **published)
    chunks = zip_chunks([member], datetime(2024, 1, 1))
    sent = b""
    with pytest.raises(StoreError):
        for chunk in chunks:
            sent += chunk
    # What went out before the error is the start of a zip, never its central directory.
    assert sent.startswith(b"PK\x03\x04") and b"PK\x05\x06" not in sent


def test_downloads_zip_member_like_the_published_file_is_sent(tmp_path: Path) -> None:
    stored = tmp_path / "data.parquet"
    stored.write_bytes(b"PAR1" * 100)
    digest = hashlib.sha256(stored.read_bytes()).hexdigest()
    member = ZipMember("data.parquet", path=stored, size=400, sha256=digest)
    archive = b"".join(zip_chunks([member], datetime(2024, 1, 1)))
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.read("data.parquet") == stored.read_bytes()


async def test_downloads_csv_quotes_only_the_cells_that_need_it(http: httpx.AsyncClient) -> None:
    lines = (await http.get(f"{CELLS}.csv")).content.decode().split("\n")
    assert lines[0] == "year,name_zh,workers,ratio"
    # Numbers bare; text bare unless it holds a quote, comma or line break, starts or ends
    # with a space or tab, or is empty (kept apart from a null cell); formulas get a `'`.
    assert lines[1] == "0,'=1+1,0,-0.0"
    assert lines[4] == "3,'@SUM(A1),-15,-0.75"
    assert lines[5] == "4,'\tindent,-20,-1.0"
    assert lines[6] == '5,"\'\rreturn",-25,-1.25'
    assert lines[7:9] == ["6,plain,-30,-1.5", "7,a=b,-35,-1.75"]
    assert lines[9:] == ['8,"",-40,-2.0', ""]


def test_downloads_csv_cells_are_quoted_as_rfc_4180_needs() -> None:
    texts = ["plain", "a,b", 'say "hi"', "two\nlines", "cr\rhere", " lead", "trail\t", "", None]
    batch = pa.record_batch({"n": pa.array([str(i) for i in range(9)]), "t": pa.array(texts)})
    body = b"".join(text_csv_chunks(iter([batch]), b"n,t\n", [False, True]))
    assert body.decode() == (
        'n,t\n0,plain\n1,"a,b"\n2,"say ""hi"""\n3,"two\nlines"\n4,"cr\rhere"\n'
        '5," lead"\n6,"trail\t"\n7,""\n8,\n'
    )
    assert [row[1] for row in csv.reader(io.StringIO(body.decode(), newline=""))][1:] == [
        t or "" for t in texts
    ]
    lone = pa.record_batch({"t": pa.array(["x", None, ""])})
    assert b"".join(text_csv_chunks(iter([lone]), b"t\n", [False])) == b't\nx\n""\n""\n'
