"""The `sdmx1` client, unchanged, against a real server: it lists the dataflows, reads each
structure, and fetches every indicator dataset into pandas with the values, units, sources
and periods of every row `/api/v1` serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pandas as pd
import pytest
import sdmx

from catalog.sdmx import AGENCY, sdmx_period, unit_code

pytestmark = pytest.mark.slow

# What the brief lists today; the service finds them by schema, and must find at least these.
INDICATOR_DATASETS = {
    "national-hrss-bulletin",
    "guizhou-hrss-indicators",
    "guizhou-prefecture-indicators",
    "guizhou-hrss-disclosure-2018",
    "provincial-social-insurance-yearbook",
    "average-wage-by-province-and-ownership-2002",
    "guizhou-prefecture-average-wage-2016",
    "maternity-insurance-by-province-2010",
    "soe-employment-and-wages-by-province-2008",
}
GEN = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic}"


@pytest.fixture(scope="module")
def client(real_server: str) -> Iterator[sdmx.Client]:
    sdmx.add_source(
        {"id": AGENCY, "url": f"{real_server}/sdmx", "name": "HRSS Open Data"}, override=True
    )
    yield sdmx.Client(AGENCY)


def api_rows(server: str, slug: str) -> list[dict[str, Any]]:
    """Every row of the dataset's observations, paged by cursor, numbers as exact decimals."""
    rows: list[dict[str, Any]] = []
    url: str | None = f"{server}/api/v1/datasets/{slug}/resources/observations/rows?limit=10000"
    while url:
        page = json.loads(httpx.get(url, timeout=30).text, parse_float=Decimal)
        rows += page["rows"]
        url = page["next_url"]
    return rows


def test_the_client_lists_every_indicator_dataset_as_a_dataflow(client: sdmx.Client) -> None:
    flows = client.dataflow().dataflow
    assert set(flows) == INDICATOR_DATASETS
    bulletin = flows["national-hrss-bulletin"]
    assert str(bulletin.name.localizations["zh"]).startswith("全国人力资源")
    assert "bulletin" in str(bulletin.name.localizations["en"])


def test_the_client_reads_each_structure_with_its_code_lists(client: sdmx.Client) -> None:
    for flow in INDICATOR_DATASETS:
        message = client.dataflow(flow)  # sdmx1 asks references=all
        dsd = message.dataflow[flow].structure
        assert [d.id for d in dsd.dimensions] == [
            "INDICATOR",
            "REGION",
            "PERIOD_TYPE",
            "TIME_PERIOD",
        ]
        assert dsd.measures[0].id == "OBS_VALUE"
        assert {"UNIT_MEASURE", "PERIOD_AS_PUBLISHED", "SOURCE_ID"} <= {
            a.id for a in dsd.attributes
        }
        assert set(message.codelist) == {"CL_INDICATOR", "CL_REGION", "CL_PERIOD_TYPE", "CL_UNIT"}
        regions = message.codelist["CL_REGION"]
        assert str(regions["520000"].name.localizations["zh"]) == "贵州省"
        assert regions["520100"].parent.id == "520000"
        direct = client.datastructure(flow, params={"references": "children"})
        assert flow in direct.structure


def test_the_client_fetches_every_row_of_every_indicator_dataset(
    client: sdmx.Client, real_server: str
) -> None:
    units = {
        code.id: str(code.name.localizations["zh"])
        for code in client.codelist("CL_UNIT").codelist["CL_UNIT"]
    }
    for flow in sorted(INDICATOR_DATASETS):
        frame = sdmx.to_pandas(client.data(flow), attributes="o").reset_index()
        rows = api_rows(real_server, flow)
        assert len(frame) == len(rows), flow
        # SDMX keeps one observation per series key and time period.
        assert not frame.duplicated(["INDICATOR", "REGION", "PERIOD_TYPE", "TIME_PERIOD"]).any()
        served = {
            (r["INDICATOR"], r["REGION"], r["PERIOD_TYPE"], r["PERIOD_AS_PUBLISHED"]): r
            for r in frame.to_dict("records")
        }
        for row in rows:
            key = (row["indicator_code"], row["region_code"], row["period_type"], row["period"])
            got = served[key]
            assert got["value"] == float(row["value"]), key
            assert got["TIME_PERIOD"] == sdmx_period(row["period"], row["year"])
            assert got["UNIT_MEASURE"] == unit_code(row["unit"]) and got["UNIT_MEASURE"] in units
            assert _text(got.get("SOURCE_ID")) == (row["source_id"] or "")
            assert _text(got.get("FLAGS")) == (row["flags"] or "")
            assert _text(got.get("VALUE_AS_PRINTED")) == (row["value_as_printed"] or "")


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def test_values_are_the_printed_decimals_digit_for_digit(real_server: str) -> None:
    """sdmx1 reads floats; the XML itself must carry the exact decimal the API serves."""
    for flow in sorted(INDICATOR_DATASETS):
        answer = httpx.get(
            f"{real_server}/sdmx/data/{flow}/all?dimensionAtObservation=AllDimensions", timeout=30
        )
        observed = {}
        for obs in ET.fromstring(answer.content).iter(f"{GEN}Obs"):
            key = {v.get("id"): v.get("value") for v in obs.iter(f"{GEN}Value")}
            text = obs.find(f"{GEN}ObsValue")
            assert text is not None
            observed[
                (key["INDICATOR"], key["REGION"], key["PERIOD_TYPE"], key["PERIOD_AS_PUBLISHED"])
            ] = text.get("value")
        for row in api_rows(real_server, flow):
            key = (row["indicator_code"], row["region_code"], row["period_type"], row["period"])
            assert observed[key] == str(row["value"]), key


def test_the_client_reads_structure_specific_data_with_the_structure(client: sdmx.Client) -> None:
    flow = "national-hrss-bulletin"
    dsd = client.dataflow(flow).dataflow[flow].structure
    accept = {"Accept": "application/vnd.sdmx.structurespecificdata+xml;version=2.1"}
    specific = sdmx.to_pandas(client.data(flow, dsd=dsd, headers=accept))
    generic = sdmx.to_pandas(client.data(flow))
    assert len(specific) == len(generic)
    assert specific.sort_index().tolist() == generic.sort_index().tolist()
    keyed = client.data(flow, key={"INDICATOR": ["urban_new_jobs"]}, params={"startPeriod": "2015"})
    years = sdmx.to_pandas(keyed).index.get_level_values("TIME_PERIOD")
    assert len(years) and all(year >= "2015" for year in years)
