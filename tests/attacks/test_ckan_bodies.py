"""Attacks on the CKAN Action API's request parsing: JSONP callbacks that are code, bodies
nested 100,000 deep, lone surrogates, invalid UTF-8, JSON that is not an object, wrong and
lying content types, oversized bodies. Each is refused in CKAN's words (a 400 string, or a
409/413 envelope), never a 500, and the server stays healthy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.attacks.conftest import assert_healthy
from tests.servers import Server

pytestmark = pytest.mark.slow

SEARCH = "/api/3/action/package_search"
LEAKS = ("Traceback", "/tmp/", "/work/", "store/", ".parquet", "duckdb", "DuckDB")


def assert_ckan_refusal(answer: httpx.Response, *statuses: int) -> Any:
    """A refusal as CKAN words it: a "Bad request: …" string (400) or an error envelope."""
    assert answer.status_code in statuses, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/json")
    for leak in LEAKS:
        assert leak not in answer.text, f"{leak!r} leaks in {answer.text[:300]}"
    body = answer.json()
    if answer.status_code == 400 and isinstance(body, str):
        assert body.startswith("Bad request: ")
    else:
        assert body["success"] is False and "__type" in body["error"]
    return body


# --- JSONP ---------------------------------------------------------------------------------

HOSTILE_CALLBACKS = [
    "alert(1)//",
    "<script>alert(1)</script>",
    "a;alert(1)",
    "a b",
    "1abc",
    "a..b",
    "a.",
    ".a",
    "a" * 65,
    "a\nalert(1)",
    "a\u2028b",
    "é",
    "a[0]",
    "a=b",
    "/**/alert",
    "a.b.c;",
]


@pytest.mark.parametrize("callback", HOSTILE_CALLBACKS)
def test_jsonp_callback_that_is_not_a_name_is_refused(
    client: httpx.Client, server: Server, callback: str
) -> None:
    answer = client.get("/api/3/action/package_list", params={"callback": callback})
    body = assert_ckan_refusal(answer, 400)
    assert body.startswith("Bad request: callback must be a JavaScript name")
    assert callback not in answer.text
    assert_healthy(server)


def test_jsonp_callback_that_is_a_dotted_name_is_served_as_script(
    client: httpx.Client, server: Server
) -> None:
    callback = "jQuery_123$.ns." + "b" * 64
    answer = client.get("/api/3/action/package_list", params={"callback": callback})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/javascript;charset=utf-8"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.text.startswith(callback + '({"help": ') and answer.text.endswith("});")
    assert_healthy(server)


# --- nesting, surrogates, numbers ------------------------------------------------------------

DEEP = 100_000


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b"{" + b'"a":{' * DEEP + b"}" * DEEP + b"}",
        b'{"q": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"q": ' + b"[" * 500 + b"]" * 500 + b"}",  # parses, but deeper than any CKAN document
        b"[" * DEEP,  # never closed
    ],
    ids=["array", "object", "value", "500-deep", "unclosed"],
)
def test_bodies_nested_deep_are_refused(client: httpx.Client, server: Server, body: bytes) -> None:
    answer = client.post(SEARCH, content=body, headers={"Content-Type": "application/json"})
    assert_ckan_refusal(answer, 400)
    assert_healthy(server)


def test_bodies_nested_deep_in_a_form_key_are_refused(client: httpx.Client, server: Server) -> None:
    # CKAN's old clients post a JSON document as the only key of a form.
    form = b"%5B" * DEEP + b"%5D" * DEEP + b"="
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert_ckan_refusal(client.post(SEARCH, content=form, headers=headers), 400)
    assert_healthy(server)


@pytest.mark.parametrize(
    "body",
    [
        b'{"q": "\\ud800"}',
        b'{"\\udfff": "x"}',
        b'{"q": "ok", "fq": ["\\udbff"]}',
        b'{"facet.field": [{"x": "a\\ud800b"}]}',
        b'{"q": "\\ud800\\ud800"}',
    ],
)
def test_bodies_with_lone_surrogates_are_refused(
    client: httpx.Client, server: Server, body: bytes
) -> None:
    answer = client.post(SEARCH, content=body, headers={"Content-Type": "application/json"})
    assert "lone surrogate" in assert_ckan_refusal(answer, 400)
    assert_healthy(server)


@pytest.mark.parametrize("query", ["q=%ED%A0%80", "q=%ff", "id=%ED%BF%BF", "fq=a%C0%AF"])
def test_query_strings_that_are_not_utf8_are_refused(
    client: httpx.Client, server: Server, query: str
) -> None:
    answer = client.get(f"{SEARCH}?{query}")
    assert "not UTF-8" in assert_ckan_refusal(answer, 400)
    assert_healthy(server)


@pytest.mark.parametrize(
    "filters",
    ['{"region_code": "\\ud800"}', '{"\\ud800": "x"}', "[" * DEEP + "]" * DEEP],
    ids=["value", "key", "nested"],
)
def test_json_inside_a_query_argument_is_held_to_the_body_rules(
    client: httpx.Client, server: Server, filters: str
) -> None:
    resource = catalogue_uuid("resource", "wages-test/wages")
    answer = client.post(
        "/api/3/action/datastore_search", data={"resource_id": resource, "filters": filters}
    )
    assert_ckan_refusal(answer, 400)
    assert_healthy(server)


@pytest.mark.parametrize("number", ["1" * 30, "-" + "9" * 25, "1" + "0" * 5000])
def test_integers_past_64_bits_are_refused(
    client: httpx.Client, server: Server, number: str
) -> None:
    answer = client.post(
        SEARCH, content=f'{{"start": {number}}}', headers={"Content-Type": "application/json"}
    )
    assert_ckan_refusal(answer, 400)
    assert_healthy(server)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("1" + "0" * 5000, "a number is out of range"),  # Python's own words name sys.set_…
        ("1e999", "a number is out of range"),  # Infinity as a float
        ("Infinity", "Infinity is not a JSON number"),
        ("-Infinity", "-Infinity is not a JSON number"),
        ("NaN", "NaN is not a JSON number"),
    ],
)
@pytest.mark.parametrize("action", ["dcat_catalog_show", "package_search"])
def test_numbers_json_has_not_are_refused_in_our_words(
    client: httpx.Client, server: Server, number: str, reason: str, action: str
) -> None:
    field = "page" if action.startswith("dcat") else "rows"
    answer = client.post(
        f"/api/3/action/{action}",
        content=f'{{"{field}": {number}}}',
        headers={"Content-Type": "application/json"},
    )
    message = assert_ckan_refusal(answer, 400)
    assert message == f"Bad request: JSON Error: Error decoding JSON data. Error: {reason}"
    assert_healthy(server)


# --- not an object, not UTF-8, not what it says ------------------------------------------------


@pytest.mark.parametrize("body", [b"[]", b"[1, 2]", b'"string"', b"42", b"null", b"true", b"1e99"])
def test_json_that_is_not_an_object_is_refused(
    client: httpx.Client, server: Server, body: bytes
) -> None:
    answer = client.post(SEARCH, content=body, headers={"Content-Type": "application/json"})
    assert "needs to be a dictionary" in assert_ckan_refusal(answer, 400)
    assert_healthy(server)


def test_a_huge_array_is_not_echoed_back(client: httpx.Client, server: Server) -> None:
    body = b"[" + b"1," * 400_000 + b"1]"  # under the body limit: the route must refuse it
    answer = client.post(SEARCH, content=body, headers={"Content-Type": "application/json"})
    assert_ckan_refusal(answer, 400)
    assert len(answer.content) < 1000
    assert_healthy(server)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"q": "\xff\xfe"}', "application/json"),
        (b'{"q": "\xc0\xaf"}', "application/json"),
        (b"q=%ff%fe", "application/x-www-form-urlencoded"),
        (b"q=\xff", "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="q"\r\n\r\n\xff\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
    ],
    ids=["json", "overlong", "form-escape", "form-raw", "multipart"],
)
def test_bodies_that_are_not_utf8_are_refused(
    client: httpx.Client, server: Server, body: bytes, content_type: str
) -> None:
    answer = client.post(SEARCH, content=body, headers={"Content-Type": content_type})
    assert_ckan_refusal(answer, 400)
    assert_healthy(server)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<q>x</q>", "application/xml"),
        (b"q=x", "application/json"),
        (b"garbage", "text/plain"),
        (b"garbage", "multipart/form-data"),
        (b"garbage", "multipart/form-data; boundary=abc"),
        (
            b"--abc\r\nContent-Disposition: form-data\r\n\r\nx\r\n--abc--\r\n",
            "multipart/form-data; boundary=abc",
        ),
        (b"a=1&" * 20_000, "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="f"; filename="x.csv"\r\n\r\n'
            b"a\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
    ],
    ids=[
        "xml",
        "form-as-json",
        "text",
        "multipart-no-boundary",
        "multipart-garbage",
        "multipart-no-name",
        "form-20000-fields",
        "file-to-a-read-action",
    ],
)
def test_bodies_that_are_not_what_they_say_are_refused(
    client: httpx.Client, server: Server, body: bytes, content_type: str
) -> None:
    answer = client.post(SEARCH, content=body, headers={"Content-Type": content_type})
    assert_ckan_refusal(answer, 400)
    assert_healthy(server)


@pytest.mark.parametrize(
    "body",
    [
        {"fq": ["x"]},
        {"fq": {"a": 1}},
        {"fq": 1},
        {"q": "x", "fq": None},
    ],
)
def test_arguments_of_the_wrong_json_type_are_read_as_ckan_reads_them(
    client: httpx.Client, server: Server, body: dict[str, Any]
) -> None:
    # CKAN's `unicode_safe` turns any JSON value of `fq` into text: it then parses as a
    # query or is refused as one (409 Search Error), never a 500.
    answer = client.post(SEARCH, json=body)
    if answer.status_code != 200:
        found = assert_ckan_refusal(answer, 409)
        assert found["error"]["__type"] in ("Search Error", "Validation Error")
    assert answer.json()["success"] is (answer.status_code == 200)
    assert_healthy(server)


def test_a_resource_id_of_the_wrong_json_type_is_a_validation_error(
    client: httpx.Client, server: Server
) -> None:
    for resource in ({"a": 1}, [1]):
        answer = client.post("/api/3/action/datastore_search", json={"resource_id": resource})
        assert assert_ckan_refusal(answer, 409)["error"]["__type"] == "Validation Error"
    assert_healthy(server)


# --- size -------------------------------------------------------------------------------------


def _chunks(size: int) -> Iterator[bytes]:
    yield b'{"q": "'
    for _ in range(size // 2**16):
        yield b"x" * 2**16
    yield b'"}'


def test_a_body_past_the_text_cap_is_413_whether_declared_or_streamed(
    client: httpx.Client, server: Server
) -> None:
    declared = client.post(SEARCH, content=b"{" + b" " * (9 * 2**20) + b"}")
    # Refused by the perimeter (api.perimeter.limits) from Content-Length, before the route reads.
    assert assert_ckan_refusal(declared, 413)["error"]["__type"] == "Payload Too Large"
    assert_healthy(server)
    streamed = client.post(SEARCH, content=_chunks(64 * 2**20))  # chunked: no length declared
    assert_ckan_refusal(streamed, 413)
    assert_healthy(server)


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"not json", "Expecting value"), (b'{"q": "\xff"}', "can't decode byte 0xff")],
    ids=["not-json", "not-utf8"],
)
def test_a_body_that_does_not_decode_is_refused_in_words_not_python(
    client: httpx.Client, server: Server, body: bytes, reason: str
) -> None:
    answer = client.post(SEARCH, content=body, headers={"Content-Type": "application/json"})
    message = assert_ckan_refusal(answer, 400)
    assert message.startswith("Bad request: JSON Error: Error decoding JSON data. Error: ")
    assert reason in message
    assert "DecodeError(" not in message
    assert_healthy(server)
