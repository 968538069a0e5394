"""Printed precision end to end: a yearbook table drafted by `opendata init`, published by
`opendata build` and served by a real server shows every value with the decimals it was
printed with, after normalisation, alike in /rows JSON, CSV, NDJSON, XLSX, CKAN's
`datastore_search` and the DataStore's CSV dump (`802.1` 万人 → `8021000`). The table is
served as printed (万人, 亿元: every value whole after normalisation) and with its money in 元,
where each keeps its printed decimal, a trailing zero too (`239.0`)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import openpyxl
import pytest

from catalog.search import catalogue_uuid
from tests.conftest import REPO
from tests.drafting import yearbook
from tests.servers import OPENDATA, serving, store_location

pytestmark = pytest.mark.slow

REFERENCES = ("region-codes", "indicator-codes", "hrss-sources", "guizhou-hrss-indicators")
FACTORS = {"万人": Decimal(10_000), "亿元": Decimal(100_000_000), "元": Decimal(1)}
MONEY = {"单位：万人、亿元": "亿元", "单位：万人、元": "元"}
RESOURCE = "/api/v1/datasets/yb/resources/observations"
Row = tuple[str, str, str]  # value_as_printed, unit_as_printed, value as served


def opendata(datasets: Path, store: Path, *args: str) -> None:
    command = [OPENDATA, "--datasets", str(datasets), "--store", store_location(store), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=os.environ)
    assert done.returncode == 0, done.stdout + done.stderr


def write_table(path: Path, unit_line: str) -> Path:
    """The yearbook form as a desktop spreadsheet saves it (GB18030, CRLF), with `unit_line`."""
    lines = [[unit_line, *line[1:]] if n == 1 else line for n, line in enumerate(yearbook.lines())]
    path.write_bytes(("\r\n".join(",".join(line) for line in lines) + "\r\n").encode("gb18030"))
    return path


@pytest.fixture(scope="module", params=list(MONEY))
def unit_line(request: pytest.FixtureRequest) -> str:
    line: str = request.param
    return line


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, unit_line: str) -> Iterator[str]:
    root = tmp_path_factory.mktemp("printed")
    datasets, store = root / "datasets", root / "store"
    datasets.mkdir()
    for name in REFERENCES:
        (datasets / name).symlink_to(REPO / "datasets" / name)
    table = write_table(root / "表22-42.csv", unit_line)
    opendata(datasets, store, "init", str(table), "--slug", "yb")
    opendata(datasets, store, "build")
    with serving(store) as running:
        yield running.url


def normalised(printed: str, unit: str) -> str:
    """The value as printed, normalised, with the decimals left after the unit's factor."""
    places = len(printed.partition(".")[2])
    shift = len(str(FACTORS[unit])) - 1
    value = Decimal(printed) * FACTORS[unit]
    return f"{value:.{max(0, places - shift)}f}"


def of_objects(objects: list[dict[str, str]]) -> list[Row]:
    return [(o["value_as_printed"], o["unit_as_printed"], o["value"]) for o in objects]


def texts(body: str) -> dict[str, list[dict[str, str]]]:
    """A JSON body with every number as its text."""
    found: dict[str, list[dict[str, str]]] = json.loads(body, parse_float=str, parse_int=str)
    return found


def of_csv(body: str) -> list[Row]:
    return of_objects(list(csv.DictReader(io.StringIO(body))))


def of_xlsx(body: bytes) -> list[Row]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    names = [cell.value for cell in sheet[1]]
    rows = []
    for line in sheet.iter_rows(min_row=2):
        cells = dict(zip(names, line, strict=True))
        value = cells["value"]
        places = len(value.number_format.partition(".")[2])
        shown = f"{Decimal(str(value.value)):.{places}f}"
        rows.append(
            (str(cells["value_as_printed"].value), str(cells["unit_as_printed"].value), shown)
        )
    return rows


def served_rows(server: str) -> dict[str, list[Row]]:
    with httpx.Client(base_url=server, timeout=60) as client:
        search = client.get(
            "/api/3/action/datastore_search",
            params={"resource_id": catalogue_uuid("resource", "yb/observations"), "limit": 1000},
        )
        dump = client.get(f"/datastore/dump/{catalogue_uuid('resource', 'yb/observations')}")
        ndjson = client.get(RESOURCE + ".ndjson").text.splitlines()
        return {
            "rows": of_objects(texts(client.get(RESOURCE + "/rows?limit=1000").text)["rows"]),
            "csv": of_csv(client.get(RESOURCE + ".csv").text),
            "ndjson": of_objects([texts(line) for line in ndjson]),  # type: ignore[misc]
            "xlsx": of_xlsx(client.get(RESOURCE + ".xlsx").content),
            "datastore_search": of_objects(texts(search.text)["result"]["records"]),  # type: ignore[index]
            "datastore_dump": of_csv(dump.text),
        }


def test_every_format_serves_the_printed_value_normalised(server: str, unit_line: str) -> None:
    units = ["万人"] * 3 + [MONEY[unit_line]] * 2
    printed = {
        pair
        for values in yearbook.figures().values()
        for pair in zip(values.values(), units, strict=True)
    }
    expected = [(p, u, normalised(p, u)) for p, u in sorted(printed)]
    for name, rows in served_rows(server).items():
        assert sorted(set(rows)) == expected, name
        assert len(rows) == 5 * len(yearbook.figures()), name


def test_the_figures_of_the_issue() -> None:
    figures = [("802.1", "万人"), ("239.0", "元"), ("9740.2", "亿元")]
    assert [normalised(*figure) for figure in figures] == ["8021000", "239.0", "974020000000"]


def test_the_datastore_types_the_value_as_exact(server: str) -> None:
    resource_id = catalogue_uuid("resource", "yb/observations")
    answer = httpx.get(f"{server}/api/3/action/datastore_search?resource_id={resource_id}&limit=0")
    types = {f["id"]: f["type"] for f in answer.json()["result"]["fields"]}
    assert (types["value"], types["value_decimals"]) == ("numeric", "int8")
