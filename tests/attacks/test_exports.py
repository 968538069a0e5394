"""Attacks on downloads and dumps: SQL in `sort`, `fields` and filters, formula cells in every
spreadsheet-bound format, gzip and `Range` mixes, and conditional-request tricks.

The store holds `wages-test` (tests.querydata) and `formulas-test/cells` (text cells that a
spreadsheet would run as formulas, beside negative numbers). Each attempt asserts the
refusal (a 4xx naming what was wrong) or the exact bytes a correct answer holds, and then the
server's health. The data is SYNTHETIC.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pyarrow.parquet as pq
import pytest

from catalog.search import catalogue_uuid
from catalog.sql import neutralised
from tests.api.downloaddata import FORMULA_LABELS, add_formulas
from tests.attacks.conftest import assert_healthy, assert_problem
from tests.querydata import build_store
from tests.servers import Server

pytestmark = pytest.mark.slow

WAGES = "/api/v1/datasets/wages-test/resources/wages"
CELLS = "/api/v1/datasets/formulas-test/resources/cells"
CELLS_ID = catalogue_uuid("resource", "formulas-test/cells")
WAGES_ID = catalogue_uuid("resource", "wages-test/wages")
# The formula labels with the leading `'` a spreadsheet-bound format must add.
SAFE_LABELS = [neutralised(label) for label in FORMULA_LABELS]
WORKERS = [-5 * i for i in range(len(FORMULA_LABELS))]


@pytest.fixture(scope="module")
def attack_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = build_store(tmp_path_factory.mktemp("exports") / "store")
    add_formulas(store)
    return store


# -- SQL where only names belong ---------------------------------------------------------------

SORTS = [
    "nope",
    "year;DROP TABLE wages",
    "year desc",
    "year--",
    '"year"',
    "1",
    "(SELECT 1)",
    "lower(name_zh)",
    "year,year",
    "file_row_number",
    "year) UNION SELECT * FROM read_csv('/etc/passwd') --",
]


# Not `.parquet`: `assert_problem` takes the `instance` of a Parquet URL for a leaked path.
@pytest.mark.parametrize("extension", ["csv", "json", "xlsx"])
@pytest.mark.parametrize("sort", SORTS)
def test_attack_sort_takes_column_names_only(
    server: Server, client: httpx.Client, sort: str, extension: str
) -> None:
    answer = client.get(f"{WAGES}.{extension}", params={"sort": sort})
    body = assert_problem(answer, 400)
    assert "sort" in json.dumps(body)
    assert_healthy(server)


@pytest.mark.parametrize(
    "fields",
    [
        "*",
        'year,"workers"',
        "year) FROM read_csv('/etc/passwd') --",
        "file_row_number",
        "year,year",
        # Huge lists, as long as the URL limit (8 KB, then 414) lets through:
        ",".join(["year"] * 1000),  # every name twice or more
        ",".join(f"c{i}" for i in range(800)),  # names that do not exist
    ],
    ids=["star", "quoted", "injection", "row-number", "twice", "huge-repeated", "huge-unknown"],
)
def test_attack_fields_take_known_names_only(
    server: Server, client: httpx.Client, fields: str
) -> None:
    answer = client.get(f"{WAGES}.csv", params={"fields": fields})
    body = assert_problem(answer, 400)
    assert "fields" in json.dumps(body)
    assert_healthy(server)


@pytest.mark.parametrize(
    "query",
    [
        {"year": "2021 OR 1=1"},
        {"year__gt": "1; DROP TABLE wages"},
        {"workers__in": "1,2) OR (1=1"},
        {"published": "2020-01-01' OR '1'='1"},
        {"year;--": "1"},
        {"year__like": "%"},
    ],
)
def test_attack_filters_with_sql_are_refused(
    server: Server, client: httpx.Client, query: dict[str, str]
) -> None:
    assert_problem(client.get(f"{WAGES}.csv", params=query), 400)
    assert_healthy(server)


@pytest.mark.parametrize(
    "query",
    [
        {"name_zh": "' OR '1'='1"},
        {"region_code__in": "520000') OR ('1'='1"},
        {"name_zh__contains": "%' OR 1=1 --"},
    ],
)
def test_attack_text_filters_are_values_not_sql(
    server: Server, client: httpx.Client, query: dict[str, str]
) -> None:
    # Bound as a parameter, the text matches no row: the header and nothing else.
    answer = client.get(f"{WAGES}.csv", params=query)
    assert answer.status_code == 200
    assert answer.text.count("\n") == 1 and answer.text.startswith("region_code,")
    assert_healthy(server)


def test_attack_a_huge_in_list_is_answered_exactly(server: Server, client: httpx.Client) -> None:
    years = ",".join(str(year) for year in range(1780, 2680))  # within the 8 KB URL limit
    answer = client.get(f"{WAGES}.csv", params={"year__in": years, "fields": "year"})
    assert answer.status_code == 200
    found = [int(row["year"]) for row in csv.DictReader(io.StringIO(answer.text))]
    assert len(found) == 250 and set(found) == set(range(1800, 1850))
    assert_healthy(server)


@pytest.mark.parametrize(
    "sort",
    ["year;DROP TABLE x", "(SELECT 1)", "year desc; --", "nope", 'year" desc, "x', "year sideways"],
)
def test_attack_dump_sort_takes_field_names_only(
    server: Server, client: httpx.Client, sort: str
) -> None:
    answer = client.get(f"/datastore/dump/{WAGES_ID}", params={"sort": sort})
    assert answer.status_code == 400
    assert answer.text.startswith("400 Bad Request: sort:")
    assert "duckdb" not in answer.text.lower() and "/tmp" not in answer.text
    assert_healthy(server)


@pytest.mark.parametrize("sort", ["year; DROP TABLE x", "lower(name_zh)", "_id) --"])
def test_attack_datastore_search_sort_is_a_validation_error(
    server: Server, client: httpx.Client, sort: str
) -> None:
    answer = client.post(
        "/api/3/action/datastore_search", json={"resource_id": WAGES_ID, "sort": sort}
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["__type"] == "Validation Error"
    assert "sort" in answer.json()["error"]
    assert_healthy(server)


# -- formula cells -----------------------------------------------------------------------------


def csv_rows(text: str, dialect: type[csv.Dialect] = csv.excel) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), dialect=dialect))


def test_attack_formulas_are_neutralised_in_csv(server: Server, client: httpx.Client) -> None:
    for query in ({}, {"sort": "-workers"}, {"bom": "true"}):
        answer = client.get(f"{CELLS}.csv", params=query)
        assert answer.status_code == 200
        rows = sorted(csv_rows(answer.content.decode("utf-8-sig")), key=lambda r: int(r["year"]))
        assert [row["name_zh"] for row in rows] == SAFE_LABELS
        assert [int(row["workers"]) for row in rows] == WORKERS  # numbers stay numbers
    assert_healthy(server)


def test_attack_formulas_are_neutralised_in_xlsx(server: Server, client: httpx.Client) -> None:
    answer = client.get(f"{CELLS}.xlsx")
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet  # no cell holds a formula
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    book.close()
    # openpyxl leaves OOXML's escape of a carriage return (`_x000D_`) as it is.
    assert [(row[1] or "").replace("_x000D_", "\r") for row in rows] == SAFE_LABELS
    assert [row[2] for row in rows] == WORKERS
    assert [row[3] for row in rows] == [-0.25 * i for i in range(len(rows))]
    assert_healthy(server)


def test_attack_formulas_are_neutralised_in_zip_members(
    server: Server, client: httpx.Client
) -> None:
    answer = client.get("/api/v1/datasets/formulas-test.zip")
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        [member] = [name for name in archive.namelist() if name.endswith("cells.csv")]
        rows = csv_rows(archive.read(member).decode())
    assert [row["name_zh"] for row in rows] == SAFE_LABELS
    assert [int(row["workers"]) for row in rows] == WORKERS
    assert_healthy(server)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_attack_formulas_are_neutralised_in_datastore_dumps(
    server: Server, client: httpx.Client, fmt: str
) -> None:
    answer = client.get(f"/datastore/dump/{CELLS_ID}", params={"format": fmt})
    assert answer.status_code == 200
    dialect = csv.excel_tab if fmt == "tsv" else csv.excel
    rows = csv_rows(answer.content.decode(), dialect)
    assert [row["name_zh"] for row in rows] == SAFE_LABELS
    assert [int(row["workers"]) for row in rows] == WORKERS
    assert [float(row["ratio"]) for row in rows] == [-0.25 * i for i in range(len(rows))]
    assert_healthy(server)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_attack_formulas_are_neutralised_in_datastore_search_records(
    server: Server, client: httpx.Client, fmt: str
) -> None:
    answer = client.post(
        "/api/3/action/datastore_search",
        json={"resource_id": CELLS_ID, "records_format": fmt, "fields": "name_zh,workers"},
    )
    assert answer.status_code == 200
    dialect = csv.excel_tab if fmt == "tsv" else csv.excel
    text = answer.json()["result"]["records"]
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect=dialect))
    assert [row[0] for row in rows] == SAFE_LABELS
    assert [int(row[1]) for row in rows] == WORKERS
    assert_healthy(server)


def test_attack_data_formats_keep_the_values_as_published(
    server: Server, client: httpx.Client
) -> None:
    # JSON, NDJSON, Parquet and the JSON dump are data, not spreadsheets: values unaltered.
    rows = client.get(f"{CELLS}.json").json()
    assert [row["name_zh"] for row in rows] == FORMULA_LABELS
    lines = client.get(f"{CELLS}.ndjson").text.split("\n")
    assert [json.loads(line)["name_zh"] for line in lines if line] == FORMULA_LABELS
    table = pq.read_table(io.BytesIO(client.get(f"{CELLS}.parquet?year__gte=0").content))
    assert table.column("name_zh").to_pylist() == FORMULA_LABELS
    dump = client.get(f"/datastore/dump/{CELLS_ID}", params={"format": "json"}).json()
    assert [record[2] for record in dump["records"]] == FORMULA_LABELS
    assert_healthy(server)


# -- gzip, Range and conditional requests ------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Range": "bytes=0-9", "Accept-Encoding": "gzip"}, 206),
        ({"Range": "bytes=-4", "Accept-Encoding": "gzip, deflate, br"}, 206),
        ({"Range": "bytes=0-1,4-5,0-3", "Accept-Encoding": "gzip"}, 206),
        ({"Range": "bytes=99999999-"}, 416),
        # RFC 9110 14.2: a unit the server does not know MUST be ignored, and an invalid
        # ranges-specifier may be: the whole file, never an error a cache could keep.
        ({"Range": "bytes=abc"}, 200),
        ({"Range": "lines=0-9"}, 200),
        ({"Range": "bytes=5-2"}, 200),
        ({"Range": "bytes=" + ",".join(f"{i}-{i}" for i in range(500))}, 200),
    ],
)
def test_attack_ranges_on_the_stored_parquet(
    server: Server,
    client: httpx.Client,
    attack_store: Path,
    headers: dict[str, str],
    status: int,
) -> None:
    stored = (attack_store / "wages-test" / "v2" / "wages.parquet").read_bytes()
    answer = client.get(f"{WAGES}.parquet", headers=headers)
    assert answer.status_code == status
    assert "content-encoding" not in answer.headers  # never gzip over a byte range
    if status == 200:
        assert answer.content == stored
    if headers["Range"] == "bytes=0-9":
        assert answer.content == stored[:10]
    if headers["Range"] == "bytes=-4":
        assert answer.content == stored[-4:]
    assert_healthy(server)


def test_attack_range_on_a_streamed_csv_gets_the_whole_body(
    server: Server, client: httpx.Client
) -> None:
    whole = client.get(f"{WAGES}.csv", headers={"Accept-Encoding": "gzip"})
    for ranged in ("bytes=0-9", "bytes=-1", "bytes=abc"):
        answer = client.get(f"{WAGES}.csv", headers={"Range": ranged, "Accept-Encoding": "gzip"})
        assert answer.status_code == 200
        assert answer.content == whole.content
        assert answer.headers["etag"] == whole.headers["etag"]
        assert answer.headers["etag"].startswith("W/")  # gzip: a weak tag
    assert_healthy(server)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{WAGES}.csv", 200),
        (f"{WAGES}.csv?sort=nope", 400),
        ("/api/v1/datasets/wages-test/resources/nothing.csv", 404),
        ("/api/v1/datasets/no-such-dataset.zip", 404),
        (f"{WAGES}.parquet", 200),
    ],
)
@pytest.mark.parametrize("condition", ["*", "W/*", '"x", *', "*,*"])
def test_attack_if_none_match_star_never_hides_an_answer(
    server: Server, client: httpx.Client, url: str, status: int, condition: str
) -> None:
    """`*` stands for a body that exists (RFC 9110 13.1.2): 304 for it, never for an error.
    `W/*` is no `*` (and names no tag)."""
    answer = client.get(url, headers={"If-None-Match": condition})
    star = status == 200 and condition != "W/*"
    assert answer.status_code == (304 if star else status)
    assert_healthy(server)


def test_attack_if_none_match_with_many_tags(server: Server, client: httpx.Client) -> None:
    first = client.get(f"{WAGES}.csv", headers={"Accept-Encoding": "identity"})
    tags = ", ".join(f'"{i:040x}"' for i in range(300))
    assert client.get(f"{WAGES}.csv", headers={"If-None-Match": tags}).status_code == 200
    matched = client.get(
        f"{WAGES}.csv", headers={"If-None-Match": tags + ", " + first.headers["etag"]}
    )
    assert matched.status_code == 304 and matched.content == b""
    assert_healthy(server)


def test_attack_a_tag_of_one_url_does_not_validate_another(
    server: Server, client: httpx.Client
) -> None:
    asc = client.get(f"{WAGES}.csv", params={"sort": "year"})
    desc = client.get(
        f"{WAGES}.csv", params={"sort": "-year"}, headers={"If-None-Match": asc.headers["etag"]}
    )
    assert desc.status_code == 200 and desc.content != asc.content
    assert_healthy(server)
