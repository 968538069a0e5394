"""Findings of the attack review of /sdmx, each pinned: `If-None-Match: *` on nothing, HEAD's
headers under gzip, hostile characters echoed into error messages, loose digits, and methods
no route lists."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx
import pytest

from catalog.sdmx import error_message

pytestmark = pytest.mark.anyio

MES = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"
DATA = "/sdmx/data/national-hrss-bulletin"
YEARBOOK = "/sdmx/data/provincial-social-insurance-yearbook"
STAR = {"If-None-Match": "*"}


def error_of(answer: httpx.Response) -> tuple[str, str]:
    """The code and text of an SDMX-ML Error message, parsed by an XML parser."""
    assert answer.headers["content-type"].startswith("application/xml"), answer.text
    message = ET.fromstring(answer.content).find(f"{MES}ErrorMessage")
    assert message is not None
    return message.get("code", ""), "".join(message.itertext())


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_if_none_match_star_matches_only_data_that_exists(
    web: httpx.AsyncClient, method: str
) -> None:
    nothing = await web.request(method, f"{DATA}/nonexistent..", headers=STAR)
    assert nothing.status_code == 404
    assert (await web.request(method, f"{DATA}/nonexistent..")).status_code == 404
    assert (await web.request(method, f"{DATA}/all", headers=STAR)).status_code == 304
    # If-Match: * on nothing is no 412 either: the 404 is what the URL answers.
    refused = await web.request(method, f"{DATA}/nonexistent..", headers={"If-Match": "*"})
    assert refused.status_code == 404


@pytest.mark.parametrize("path", [f"{DATA}/all", "/sdmx/dataflow/all/all/latest"])
async def test_head_carries_the_headers_of_get_under_gzip(
    web: httpx.AsyncClient, path: str
) -> None:
    for encoding in ("gzip", "identity"):
        headers = {"Accept-Encoding": encoding}
        got = await web.get(path, headers=headers)
        head = await web.head(path, headers=headers)
        assert (got.status_code, head.status_code) == (200, 200)
        assert head.content == b""
        for name in ("etag", "content-encoding", "content-type", "content-length", "vary"):
            assert head.headers.get(name) == got.headers.get(name), (encoding, name)
    assert got.headers["etag"].startswith('"')
    zipped = await web.head(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"].startswith('W/"')


HOSTILE = ["%01%02%1B", "%EF%BF%BE", "%EF%BF%BF", "%00", "a%0Bb%0C", "%ED%A0%80", "%7F%C2%80"]


@pytest.mark.parametrize("text", HOSTILE)
async def test_every_error_answer_is_well_formed_xml(web: httpx.AsyncClient, text: str) -> None:
    paths = [
        f"{YEARBOOK}/all/{text}",  # the provider, echoed
        f"/sdmx/data/{text}/all",  # the flow
        f"{DATA}/{text}",  # the key
        f"/sdmx/dataflow/{text}/all/latest",  # the agency, echoed
        f"/sdmx/dataflow/GZHRSS/{text}/latest",
        f"/sdmx/codelist/GZHRSS/all/{text}",
        f"/sdmx/{text}",
        f"{DATA}/all?startPeriod={text}",
        f"{DATA}/all?detail={text}",
        f"/sdmx/dataflow?references={text}",
    ]
    for path in paths:
        answer = await web.get(path)
        assert answer.status_code >= 400, path
        code, message = error_of(answer)  # raises ParseError on a forbidden character
        assert code and message, path


def test_error_message_escapes_what_xml_forbids() -> None:
    for text in ("\x00\x01\x1b", "\ufffe\uffff", "\ud800", "\x0b\x0c"):
        body = error_message(100, f"No {text}.")
        ET.fromstring(body)
        assert text.encode("utf-8", "surrogatepass") not in body
    kept = ET.fromstring(error_message(100, "tab\tand 贵州 😀"))
    assert "tab\tand 贵州 😀" in "".join(kept.itertext())


@pytest.mark.parametrize(
    "value",
    [
        "２０１８",  # full-width
        "٢٠١٨",  # Arabic-Indic
        "۲۰۱۸",  # extended Arabic-Indic
        "2018-０６",
        "2018-Q２",
    ],
)
async def test_periods_take_ascii_digits_only(web: httpx.AsyncClient, value: str) -> None:
    for name in ("startPeriod", "endPeriod"):
        answer = await web.get(f"{DATA}/all", params={name: value})
        assert answer.status_code == 400, (name, value)
        code, text = error_of(answer)
        assert code == "140" and name in text


@pytest.mark.parametrize("value", ["", " "])
async def test_an_empty_period_is_refused_naming_it(web: httpx.AsyncClient, value: str) -> None:
    for name in ("startPeriod", "endPeriod"):
        answer = await web.get(f"{DATA}/all", params={name: value})
        assert answer.status_code == 400, (name, value)
        assert name in error_of(answer)[1]


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "MKCOL", "FOO", "POST", "DELETE"])
@pytest.mark.parametrize("path", ["/sdmx/dataflow", f"{DATA}/all", "/sdmx/nothing", "/sdmx"])
async def test_every_method_but_get_and_head_gets_the_sdmx_405(
    web: httpx.AsyncClient, method: str, path: str
) -> None:
    answer = await web.request(method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"
    assert error_of(answer)[0] == "501"
