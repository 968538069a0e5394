"""Findings of the SDMX review, each pinned: extreme years, `Accept` parameters and `q=0`,
repeated parameters, other methods, and the perimeter's refusals, all answered in SDMX."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx
import pytest

from catalog.sdmx import GENERIC_TYPE, SPECIFIC_TYPE, negotiate

pytestmark = pytest.mark.anyio

MES = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"
GEN = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic}"
DATA = "/sdmx/data/national-hrss-bulletin"
OFFERED = {"genericdata": GENERIC_TYPE, "structurespecificdata": SPECIFIC_TYPE}


def sdmx_error(answer: httpx.Response) -> tuple[str, str]:
    """The code and text of an SDMX-ML Error message (the body must be one)."""
    assert answer.headers["content-type"].startswith("application/xml"), answer.text
    message = ET.fromstring(answer.content).find(f"{MES}ErrorMessage")
    assert message is not None
    return message.get("code", ""), "".join(message.itertext())


def observation_count(answer: httpx.Response) -> int:
    return len(list(ET.fromstring(answer.content).iter(f"{GEN}Obs")))


@pytest.mark.parametrize("bound", ["endPeriod=9999", "endPeriod=9999-12", "endPeriod=9999-Q4",
                                   "endPeriod=9999-S2", "endPeriod=9999-12-31",
                                   "startPeriod=0001", "startPeriod=0001-01"])  # fmt: skip
async def test_the_calendars_extreme_years_are_the_whole_range(
    web: httpx.AsyncClient, bound: str
) -> None:
    everything = await web.get(f"{DATA}/all")
    answer = await web.get(f"{DATA}/all?{bound}")
    assert answer.status_code == 200, answer.text
    assert observation_count(answer) == observation_count(everything)


async def test_a_start_in_the_last_year_finds_nothing(web: httpx.AsyncClient) -> None:
    answer = await web.get(f"{DATA}/all?startPeriod=9999-Q4")
    assert answer.status_code == 404
    assert sdmx_error(answer)[0] == "100"


@pytest.mark.parametrize(
    "bound",
    ["startPeriod=0000", "startPeriod=99999", "startPeriod=-5", "endPeriod=-0001",
     "endPeriod=10000-01", "endPeriod=0000-Q1"],
)  # fmt: skip
async def test_years_outside_the_calendar_are_400_naming_the_parameter(
    web: httpx.AsyncClient, bound: str
) -> None:
    answer = await web.get(f"{DATA}/all?{bound}")
    assert answer.status_code == 400
    code, text = sdmx_error(answer)
    assert code == "140" and bound.split("=")[0] in text


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ('application/vnd.sdmx.genericdata+xml;version="2.1"', GENERIC_TYPE),
        ('application/vnd.sdmx.structurespecificdata+xml; version="2.1"', SPECIFIC_TYPE),
        ("Application/VND.SDMX.StructureSpecificData+XML ; Version = 2.1", SPECIFIC_TYPE),
        ('application/vnd.sdmx.structurespecificdata+xml;version="2.1";q="1"', SPECIFIC_TYPE),
        ("application/vnd.sdmx.genericdata+xml;version=2.1;q=0, "
         "application/vnd.sdmx.structurespecificdata+xml;version=2.1", SPECIFIC_TYPE),
        ("application/vnd.sdmx.genericdata+xml;q=0, */*", SPECIFIC_TYPE),
        ("application/vnd.sdmx.structurespecificdata+xml;version=2.1;q=0, */*", GENERIC_TYPE),
        ("*/*", GENERIC_TYPE),
        ("", GENERIC_TYPE),
        ("application/xml", GENERIC_TYPE),
        ('text/html, application/vnd.sdmx.structurespecificdata+xml;x="a,b;c";version=2.1',
         SPECIFIC_TYPE),
    ],
)  # fmt: skip
async def test_accept_parameters_are_parsed_and_q_0_refuses(
    web: httpx.AsyncClient, accept: str, chosen: str
) -> None:
    assert negotiate(accept, OFFERED) == chosen
    answer = await web.get(f"{DATA}/urban_new_jobs.000000.annual", headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == chosen


@pytest.mark.parametrize(
    "accept",
    ['application/vnd.sdmx.genericdata+xml;version="3.0.0"',
     "application/vnd.sdmx.genericdata+xml;q=0, application/vnd.sdmx.structurespecificdata+xml;q=0",
     "*/*;q=0", "application/*;q=0.0", "application/vnd.sdmx.genericdata+xml;q=2"],
)  # fmt: skip
async def test_nothing_acceptable_is_406(web: httpx.AsyncClient, accept: str) -> None:
    answer = await web.get(f"{DATA}/all", headers={"Accept": accept})
    assert answer.status_code == 406
    assert sdmx_error(answer)[0] == "1000"


async def test_a_parameter_repeated_with_other_values_is_400(web: httpx.AsyncClient) -> None:
    answer = await web.get(f"{DATA}/all?startPeriod=2018&startPeriod=2020")
    assert answer.status_code == 400
    assert "startPeriod" in sdmx_error(answer)[1]
    same = await web.get(f"{DATA}/all?detail=dataonly&detail=dataonly&colour=a&colour=b")
    assert same.status_code == 200
    twice = await web.get("/sdmx/dataflow/all/all/latest?references=all&references=none")
    assert twice.status_code == 400


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405_in_sdmx(web: httpx.AsyncClient, method: str) -> None:
    for path in ("/sdmx/dataflow", f"{DATA}/all", "/sdmx/nonsense"):
        answer = await web.request(method, path)
        assert answer.status_code == 405
        assert "GET" in answer.headers["allow"]
        assert sdmx_error(answer)[0] == "501"


async def test_the_perimeters_refusals_are_sdmx_errors(web: httpx.AsyncClient) -> None:
    many = "+".join(f"i{n}" for n in range(5000))
    long_url = await web.get(f"{DATA}/{many}..")
    assert long_url.status_code == 414
    assert sdmx_error(long_url)[0] == "140"
    huge_accept = ",".join(["text/html;q=0.1"] * 3000)
    headers = await web.get(f"{DATA}/all", headers={"Accept": huge_accept})
    assert headers.status_code == 431
    assert sdmx_error(headers)[0] == "140"
