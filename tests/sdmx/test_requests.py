"""SDMX-REST at the XML level: formats chosen by `Accept`, keys, periods and references, and
every error an SDMX-ML `Error` with the standard code, bounded, and free of server detail.
Public means hostile: each attack here is answered 4xx or 501, never 500."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import httpx
import pytest

from catalog.sdmx import (
    ERROR_TYPE,
    GENERIC_TYPE,
    MAX_ALTERNATIVES,
    MAX_KEY_CHARS,
    SPECIFIC_TYPE,
    STRUCTURE_TYPE,
)

pytestmark = pytest.mark.anyio

MES = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"
GEN = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic}"
STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
FLOW = "national-hrss-bulletin"
DATA = f"/sdmx/data/{FLOW}"


def error_code(answer: httpx.Response) -> str:
    assert answer.headers["content-type"].startswith(ERROR_TYPE)
    root = ET.fromstring(answer.content)
    assert root.tag == f"{MES}Error"
    message = root.find(f"{MES}ErrorMessage")
    assert message is not None
    for secret in ("/tmp", "store", "duckdb", "Traceback", ".parquet"):
        assert secret not in answer.text
    return message.get("code", "")


def times(answer: httpx.Response) -> list[str]:
    return [v.get("value", "") for v in ET.fromstring(answer.content).iter(f"{GEN}ObsDimension")]


async def test_data_is_generic_by_default_and_structure_specific_on_request(
    web: httpx.AsyncClient,
) -> None:
    generic = await web.get(f"{DATA}/all")
    assert generic.status_code == 200
    assert generic.headers["content-type"] == GENERIC_TYPE
    assert ET.fromstring(generic.content).tag == f"{MES}GenericData"
    for accept in (
        "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
        "application/vnd.sdmx.genericdata+xml;version=2.1;q=0.5, "
        "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    ):
        specific = await web.get(f"{DATA}/all", headers={"Accept": accept})
        assert specific.headers["content-type"] == SPECIFIC_TYPE
        assert ET.fromstring(specific.content).tag == f"{MES}StructureSpecificData"


@pytest.mark.parametrize(
    "accept",
    ["text/csv", "application/json", "application/vnd.sdmx.data+json;version=1.0.0",
     "application/vnd.sdmx.genericdata+xml;version=3.0.0", "*/*;q=0"],
)  # fmt: skip
async def test_an_unacceptable_format_is_406(web: httpx.AsyncClient, accept: str) -> None:
    answer = await web.get(f"{DATA}/all", headers={"Accept": accept})
    assert answer.status_code == 406
    assert error_code(answer) == "1000"


async def test_structures_answer_their_own_type(web: httpx.AsyncClient) -> None:
    answer = await web.get("/sdmx/codelist/GZHRSS/CL_PERIOD_TYPE/latest")
    assert answer.headers["content-type"] == STRUCTURE_TYPE
    codes = [c.get("id") for c in ET.fromstring(answer.content).iter(f"{STR}Code")]
    assert {"annual", "year_end", "half_year", "year_to_date"} <= set(codes)
    names = ET.fromstring(answer.content).iter(f"{STR}Codelist")
    version = re.compile(r"1\.[1-9][0-9]{8}")  # derived from the content (SDMX 2.1 X.Y form)
    assert all(
        c.get("agencyID") == "GZHRSS" and version.fullmatch(c.get("version", "")) for c in names
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/sdmx/dataflow", {"Dataflow": 9}),
        (f"/sdmx/dataflow/GZHRSS/{FLOW}/latest?references=all",
         {"Dataflow": 1, "DataStructure": 1, "Codelist": 4, "ConceptScheme": 1}),
        (f"/sdmx/datastructure/all/{FLOW}/latest?references=parents",
         {"Dataflow": 1, "DataStructure": 1}),
        (f"/sdmx/datastructure/GZHRSS/{FLOW}/latest?references=codelist",
         {"DataStructure": 1, "Codelist": 4}),
        ("/sdmx/codelist/GZHRSS/CL_UNIT+CL_REGION/latest", {"Codelist": 2}),
        ("/sdmx/conceptscheme/GZHRSS/all/latest?references=parents",
         {"ConceptScheme": 1, "DataStructure": 9}),
    ],
)  # fmt: skip
async def test_structure_paths_and_references(
    web: httpx.AsyncClient, path: str, expected: dict[str, int]
) -> None:
    answer = await web.get(path)
    assert answer.status_code == 200, answer.text
    root = ET.fromstring(answer.content)
    found = {
        kind: len(list(root.iter(f"{STR}{kind}")))
        for kind in ("Dataflow", "DataStructure", "Codelist", "ConceptScheme")
    }
    assert {k: v for k, v in found.items() if v} == expected


async def test_keys_and_periods_select_observations(web: httpx.AsyncClient) -> None:
    key = "urban_new_jobs+urban_registered_unemployment_rate.000000.annual+year_end"
    everything = times(await web.get(f"{DATA}/{key}"))
    assert everything
    answer = await web.get(f"{DATA}/{key}?startPeriod=2015&endPeriod=2017-06")
    assert sorted(set(times(answer))) == [
        p for p in sorted(set(everything)) if "2015" <= p <= "2017"
    ]
    none = await web.get(f"/sdmx/data/GZHRSS,{FLOW},latest/urban_new_jobs.520000.annual")
    assert none.status_code == 404
    assert error_code(none) == "100"


async def test_dimension_at_observation_and_detail(web: httpx.AsyncClient) -> None:
    by_region = await web.get(f"{DATA}/urban_new_jobs..?dimensionAtObservation=REGION")
    series = ET.fromstring(by_region.content).findall(f".//{GEN}SeriesKey")
    assert series and all(
        {v.get("id") for v in s} == {"INDICATOR", "PERIOD_TYPE", "TIME_PERIOD"} for s in series
    )
    keys_only = await web.get(f"{DATA}/all?detail=serieskeysonly")
    assert not list(ET.fromstring(keys_only.content).iter(f"{GEN}Obs"))
    flat = await web.get(f"{DATA}/all?dimensionAtObservation=AllDimensions&detail=dataonly")
    assert not list(ET.fromstring(flat.content).iter(f"{GEN}Attributes"))


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/sdmx/data/no-such-flow/all", 404, "100"),
        ("/sdmx/data/OTHER,national-hrss-bulletin,1.0/all", 404, "100"),
        ("/sdmx/data/GZHRSS,national-hrss-bulletin,9.9/all", 404, "100"),
        (f"{DATA}/all/SOMEONE", 404, "100"),
        ("/sdmx/dataflow/GZHRSS/no-such-flow/latest", 404, "100"),
        ("/sdmx/dataflow/ECB/all/latest", 404, "100"),
        ("/sdmx/codelist/GZHRSS/CL_INDICATOR/2.0", 404, "100"),
        ("/sdmx/nonsense", 404, "100"),
        (f"{DATA}/a.b", 400, "140"),
        (f"{DATA}/a.b.c.d", 400, "140"),
        (f"{DATA}/<script>..", 400, "140"),
        (f"{DATA}/x'%20OR%201=1--..", 400, "140"),
        ("/sdmx/data/..%2F..%2Fetc%2Fpasswd/all", 404, "100"),  # decoded: no route
        ("/sdmx/data/a,b,c,d/all", 400, "140"),
        (f"{DATA}/all?startPeriod=yesterday", 400, "140"),
        (f"{DATA}/all?startPeriod=2019-13", 400, "140"),
        (f"{DATA}/all?startPeriod=2019&endPeriod=2018", 400, "140"),
        (f"{DATA}/all?dimensionAtObservation=NOPE", 400, "140"),
        (f"{DATA}/all?detail=everything", 400, "140"),
        ("/sdmx/dataflow/GZHRSS/all/latest?references=cousins", 400, "140"),
        ("/sdmx/dataflow/GZHRSS/bad$%25id%3C/latest", 400, "140"),
        (f"{DATA}/all?updatedAfter=2020-01-01T00:00:00", 501, "501"),
        (f"{DATA}/all?lastNObservations=1", 501, "501"),
        (f"{DATA}/all?includeHistory=true", 501, "501"),
        ("/sdmx/dataflow/all/all/latest?detail=allstubs", 501, "501"),
        ("/sdmx/categoryscheme/all/all/latest", 501, "501"),
        ("/sdmx/availableconstraint/national-hrss-bulletin", 501, "501"),
    ],
)
async def test_errors_are_sdmx_messages_with_standard_codes(
    web: httpx.AsyncClient, path: str, status: int, code: str
) -> None:
    answer = await web.get(path)
    assert answer.status_code == status, answer.text
    assert error_code(answer) == code


async def test_unknown_query_parameters_are_ignored(web: httpx.AsyncClient) -> None:
    answer = await web.get(f"{DATA}/all?colour=blue&references=none")
    assert answer.status_code == 200


async def test_keys_are_bounded_in_length_and_alternatives(web: httpx.AsyncClient) -> None:
    long = await web.get(f"{DATA}/{'a' * (MAX_KEY_CHARS + 1)}..")
    assert long.status_code in (400, 414)
    many = "+".join(f"i{n}" for n in range(MAX_ALTERNATIVES + 1))
    answer = await web.get(f"{DATA}/{many}..")
    assert answer.status_code == 400
    assert error_code(answer) == "140"
    references = "+".join(f"x{n}" for n in range(51))
    listed = await web.get(f"/sdmx/codelist/GZHRSS/{references}/latest")
    assert listed.status_code == 400


async def test_answers_past_the_observation_cap_are_refused_whole(
    web: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.sdmx.observations.MAX_OBSERVATIONS", 10)
    answer = await web.get(f"{DATA}/all")
    assert answer.status_code == 413
    assert error_code(answer) == "510"
    small = await web.get(f"{DATA}/urban_new_jobs.000000.annual")
    assert small.status_code == 200


async def test_answers_past_the_byte_cap_are_refused(
    web: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.sdmx.service.MAX_BYTES", 1000)
    answer = await web.get("/sdmx/codelist/GZHRSS/CL_REGION/latest")
    assert answer.status_code == 413
    assert error_code(answer) == "510"


async def test_openapi_lists_the_sdmx_endpoints(web: httpx.AsyncClient) -> None:
    paths = (await web.get("/openapi.json")).json()["paths"]
    assert "/sdmx/data/{flow}/{key}" in paths
    assert "/sdmx/dataflow/{agency}/{resource_id}/{version}" in paths
    assert "/sdmx/datastructure/{agency}/{resource_id}/{version}" in paths


@pytest.mark.parametrize(
    "path",
    [
        "/sdmx/dataflow/all/all/latest",
        "/sdmx/datastructure/GZHRSS/national-hrss-bulletin/latest?references=children",
        "/sdmx/data/national-hrss-bulletin/registered_unemployment_rate.000000./all?startPeriod=2015",
    ],
)
async def test_a_trailing_slash_names_the_same_resource(web: httpx.AsyncClient, path: str) -> None:
    """R's rsdmx ends every SDMX 2.1 path with `/` (before the query)."""
    plain = await web.get(path)
    base, _, query = path.partition("?")
    slashed = await web.get(f"{base}/" + (f"?{query}" if query else ""))
    assert plain.status_code == slashed.status_code == 200
    header = re.compile(rb"<mes:Header>.*?</mes:Header>", re.S)  # its id and time differ
    assert header.sub(b"", plain.content) == header.sub(b"", slashed.content)


@pytest.mark.parametrize(
    "path",
    [
        "/sdmx/data/national-hrss-bulletin/a%0a..",
        "/sdmx/dataflow/GZHRSS/national-hrss-bulletin%0A/1.0",
        "/sdmx/data/national-hrss-bulletin%0A/all",
    ],
)
async def test_an_identifier_ending_in_a_newline_is_bad_syntax(
    web: httpx.AsyncClient, path: str
) -> None:
    answer = await web.get(path)
    assert answer.status_code == 400 and b"\n</" not in answer.content
