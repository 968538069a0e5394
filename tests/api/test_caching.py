"""HTTP done right: validators and 304s, Cache-Control, gzip, CORS, OpenAPI and offline /docs."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from api.caching import IMMUTABLE, HttpCache
from tests.api.conftest import AppFactory
from tests.querydata import WAGE_SCHEMA, wage_rows, write_version
from tests.servers import open_test_store

pytestmark = pytest.mark.anyio

ROWS = "/api/v1/datasets/wages-test/resources/wages/rows"
PARQUET = "/api/v1/datasets/wages-test/resources/wages.parquet"
CACHED = [
    ROWS + "?year__gt=1820",
    "/api/v1/datasets/wages-test/resources/wages/aggregate?group_by=year",
    "/api/v1/datasets/wages-test/resources/wages.csv?sort=-year",
    "/api/v1/datasets/wages-test",
    "/api/v1/datasets/wages-test/versions",
    "/api/v1/datasets/wages-test/resources/wages/schema",
    "/api/v1/datasets",
    "/api/v1/sql?sql=SELECT%201",
]


@pytest.mark.parametrize("url", CACHED)
async def test_caching_answers_304_to_a_matching_etag(api: httpx.AsyncClient, url: str) -> None:
    first = await api.get(url, headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["last-modified"].endswith(" GMT")
    again = await api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    stale = await api.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


async def test_caching_etag_names_the_query_and_the_encoding(api: httpx.AsyncClient) -> None:
    plain = await api.get(ROWS, headers={"Accept-Encoding": "identity"})
    zipped = await api.get(ROWS, headers={"Accept-Encoding": "gzip"})
    other = await api.get(ROWS + "?year=1801", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    # Weak: a gzip body is not byte-stable (its header holds the time it was written).
    assert zipped.headers["etag"] == "W/" + plain.headers["etag"][:-1] + '-gzip"'
    assert other.headers["etag"] != plain.headers["etag"]
    for tag in (plain.headers["etag"], zipped.headers["etag"], "W/" + plain.headers["etag"]):
        answer = await api.get(ROWS, headers={"If-None-Match": tag})
        assert answer.status_code == 304
        assert answer.headers["etag"] in (plain.headers["etag"], zipped.headers["etag"])


async def test_caching_honours_if_modified_since(api: httpx.AsyncClient) -> None:
    first = await api.get(ROWS)
    moment = first.headers["last-modified"]
    assert (await api.get(ROWS, headers={"If-Modified-Since": moment})).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert (await api.get(ROWS, headers={"If-Modified-Since": old})).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    both = {"If-Modified-Since": moment, "If-None-Match": '"other"'}
    assert (await api.get(ROWS, headers=both)).status_code == 200


async def test_caching_etag_changes_when_the_current_version_moves(
    make_app: AppFactory, query_store: Path
) -> None:
    # refresh 0: the publish comes through another store object, which a server over an
    # object store notices only after its refresh delay (docs/s3.md); here it must at once.
    transport = httpx.ASGITransport(app=make_app(refresh_seconds=0))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
        before = await api.get(ROWS)
        write_version(query_store, "wages-test", "v3", {"wages": (WAGE_SCHEMA, wage_rows(60))})
        after = await api.get(ROWS, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["version"] == "v3"
    assert after.headers["etag"] != before.headers["etag"]


async def test_caching_pinned_urls_are_immutable_and_current_ones_brief(
    api: httpx.AsyncClient,
) -> None:
    immutable = "public, max-age=31536000, immutable"
    current = await api.get(ROWS + "?limit=2")
    assert current.headers["cache-control"] == "public, max-age=60"
    pinned = await api.get(ROWS + "?limit=2&version=v2")
    assert pinned.headers["cache-control"] == immutable
    version = await api.get("/api/v1/datasets/wages-test/versions/v1")
    assert version.headers["cache-control"] == immutable
    following = await api.get(current.json()["next_url"].removeprefix("http://127.0.0.1:8000"))
    assert following.headers["cache-control"] == immutable
    download = await api.get(PARQUET + "?version=v1")
    assert download.headers["cache-control"] == immutable


async def test_caching_version_pin_is_read_or_refused_by_every_dataset_route(
    make_app: AppFactory,
) -> None:
    # Found by the issue 17 trial: `/api/v1/datasets/<slug>?version=../../etc` answered 200,
    # the route reading no `version`; with a real past version it answered the current
    # descriptor under that version's tag, immutable for a year. Every GET route about one
    # dataset reads `version=` (a bad one 404) or refuses it (400), as /api/v1/series does.
    values = {"slug": "wages-test", "resource": "wages", "extension": "csv", "version": "v1"}
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        paths = (await http.get("/openapi.json")).json()["paths"]
        routes = {
            path: {
                p["name"] for p in paths[path]["get"].get("parameters", []) if p["in"] == "query"
            }
            for path in paths
            if path.startswith("/api/v1/datasets/{slug}") and "get" in paths[path]
        }
        assert len(routes) >= 9
        for path, parameters in routes.items():
            url = path.format(**values)
            reads = "version" in parameters
            asked = {"group_by": "year"} if url.endswith("/aggregate") else {}
            pinned = await http.get(url, params={**asked, "version": "v2"})
            bad = await http.get(url, params={**asked, "version": "../../etc"})
            if reads:
                assert pinned.status_code == 200, url
                assert pinned.headers["cache-control"] == IMMUTABLE, url
                assert bad.status_code == 404, url
            else:
                assert (pinned.status_code, bad.status_code) == (400, 400), url
                assert "version" in pinned.json()["detail"], url
                assert "etag" not in pinned.headers, url
        shown = await http.get("/api/v1/datasets/wages-test", params={"version": "v1"})
    assert shown.json()["version"] == "v1"
    assert [r["name"] for r in shown.json()["resources"]] == ["wages"]  # v2 has notes too


async def test_caching_errors_carry_no_validators(api: httpx.AsyncClient) -> None:
    missing = await api.get(ROWS + "?nope=1")
    assert missing.status_code == 400
    assert "etag" not in missing.headers
    absent = await api.get("/api/v1/datasets/no-such-dataset")
    assert absent.status_code == 404
    assert "etag" not in absent.headers


async def test_caching_gzips_json_but_never_parquet(api: httpx.AsyncClient) -> None:
    headers = {"Accept-Encoding": "gzip"}
    rows = await api.get(ROWS + "?limit=200", headers=headers)
    assert rows.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in rows.headers["vary"].lower()
    for url in (PARQUET, PARQUET + "?year__gt=1820", "/api/v1/datasets/wages-test.zip"):
        response = await api.get(url, headers=headers)
        assert response.status_code == 200
        assert "content-encoding" not in response.headers


async def test_caching_allows_any_origin_by_default(api: httpx.AsyncClient) -> None:
    response = await api.get(ROWS, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed and "content-disposition" in exposed
    preflight = await api.options(
        ROWS,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


async def test_caching_cors_origins_come_from_settings(make_app: AppFactory) -> None:
    app = make_app(cors_origins=["https://data.example.org"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        allowed = await http.get(ROWS, headers={"Origin": "https://data.example.org"})
        assert allowed.headers["access-control-allow-origin"] == "https://data.example.org"
        other = await http.get(ROWS, headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_caching_head_answers_like_get_without_a_body(api: httpx.AsyncClient) -> None:
    got = await api.get(ROWS, headers={"Accept-Encoding": "identity"})
    head = await api.head(ROWS, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == got.headers["content-length"]


async def test_openapi_gives_every_operation_a_summary_description_and_example(
    api: httpx.AsyncClient,
) -> None:
    spec = (await api.get("/openapi.json")).json()
    ids = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            ids.append(operation["operationId"])
            assert operation.get("summary"), where
            assert operation.get("description"), where
            assert _has_example(operation), where
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert _parameter_example(parameter), f"{where} {parameter['name']}"
            # A data request's status is never cached (no-store): its state moves without a publish.
            if path.startswith("/api/v1/") and method == "get" and "/requests/" not in path:
                assert "304" in operation["responses"], where
    assert len(ids) == len(set(ids))
    downloads = spec["paths"]["/api/v1/datasets/{slug}/resources/{resource}.{extension}"]
    assert (
        "text/csv; charset=utf-8; header=present" in downloads["get"]["responses"]["200"]["content"]
    )


def _parameter_example(parameter: dict[str, object]) -> bool:
    schema = parameter.get("schema")
    in_schema = isinstance(schema, dict) and ("examples" in schema or "enum" in schema)
    return "example" in parameter or "examples" in parameter or in_schema


def _has_example(operation: dict[str, object]) -> bool:
    responses = operation.get("responses")
    assert isinstance(responses, dict)
    for status, response in responses.items():
        if str(status).startswith("2"):
            for body in response.get("content", {}).values():
                if "example" in body or "examples" in body or body.get("schema", {}).get("format"):
                    return True
    return False


async def test_docs_work_with_no_external_host(api: httpx.AsyncClient) -> None:
    page = await api.get("/docs")
    assert page.status_code == 200
    assert "://" not in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) == 4  # css, icon, Swagger UI, and its starter (no inline script)
    for asset in assets:
        assert not asset.startswith(("/", "http")), asset
        response = await api.get("/" + asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100
    assert (await api.get("/redoc")).status_code == 404
    assert (await api.get("/docs/assets/../openapi.py")).status_code == 404


async def test_caching_etag_keeps_the_order_of_a_repeated_parameter(
    api: httpx.AsyncClient,
) -> None:
    # The last `fields` wins: the two orders are two different bodies, so two tags.
    wages = "/api/v1/datasets/wages-test/resources/wages.csv"
    first = await api.get(wages + "?fields=year&fields=workers")
    second = await api.get(wages + "?fields=workers&fields=year")
    assert first.text.splitlines()[0] != second.text.splitlines()[0]
    assert first.headers["etag"] != second.headers["etag"]
    # The order of different names shows in the body too (`next_url` repeats it).
    one = await api.get(ROWS + "?year__gt=1820&limit=5")
    other = await api.get(ROWS + "?limit=5&year__gt=1820")
    assert one.content != other.content
    assert one.headers["etag"] != other.headers["etag"]
    # Spelt differently, the same parameters are the same body and the same tag.
    encoded = await api.get(ROWS + "?year__gt=%31820&limit=5")
    assert encoded.headers["etag"] == one.headers["etag"] and encoded.content == one.content


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ([("a=b", "c")], [("a", "b=c")]),
        ([("a", "b\nc=d")], [("a", "b"), ("c", "d")]),
        ([("a", "1"), ("a", "2")], [("a", "2"), ("a", "1")]),
    ],
)
def test_caching_etag_tells_apart_queries_that_read_alike(
    query_store: Path, one: list[tuple[str, str]], other: list[tuple[str, str]]
) -> None:
    cache = HttpCache(open_test_store(query_store))
    first = cache.validators(ROWS, one)
    second = cache.validators(ROWS, other)
    assert first is not None and second is not None
    assert first.etag != second.etag


async def test_caching_if_none_match_star_stands_only_for_a_body_that_exists(
    api: httpx.AsyncClient,
) -> None:
    star = {"If-None-Match": "*"}
    assert (await api.get(ROWS, headers=star)).status_code == 304  # RFC 9110 13.1.2
    missing = await api.get("/api/v1/datasets/wages-test/resources/nothing.csv", headers=star)
    assert missing.status_code == 404
    bad_sort = await api.get(ROWS + "?sort=nothing", headers=star)
    assert bad_sort.status_code == 400


async def test_caching_etag_covers_forwarded_headers_and_base_url(
    make_app: AppFactory,
) -> None:
    app = make_app(trust_forwarded_headers=True, base_url="https://data.example.org")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        plain = await http.get("/api/v1/changes")
        forwarded = await http.get("/api/v1/changes", headers={"X-Forwarded-Host": "a.example"})
    other_app = make_app(base_url="https://elsewhere.example.org")
    transport = httpx.ASGITransport(app=other_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        elsewhere = await http.get("/api/v1/changes")
    tags = {r.headers["etag"] for r in (plain, forwarded, elsewhere)}
    assert len(tags) == 3


async def test_caching_download_tag_is_the_same_with_or_without_forwarded_headers(
    make_app: AppFactory,
) -> None:
    # Found by the issue 17 trial: a download through nginx (which forwards X-Forwarded-*)
    # was tagged unlike the same bytes from a replica asked directly.
    app = make_app(trust_forwarded_headers=True, base_url="https://data.example.org")
    forwarded = {"X-Forwarded-Host": "data.example.org:8443", "X-Forwarded-Proto": "https"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for url in (
            PARQUET,
            PARQUET + "?version=v1",
            "/api/v1/datasets/wages-test/resources/wages.csv?sort=-year",
            "/api/v1/datasets/wages-test.zip",
        ):
            plain = {"Accept-Encoding": "identity"}
            direct = await http.get(url, headers=plain)
            proxied = await http.get(url, headers={**plain, **forwarded})
            assert direct.status_code == 200, url
            assert proxied.content == direct.content, url
            assert proxied.headers["etag"] == direct.headers["etag"], url
        # A body with links still tells the forwarded hosts apart.
        linked = [await http.get("/api/v1/changes", headers=h) for h in ({}, forwarded)]
    assert linked[0].headers["etag"] != linked[1].headers["etag"]
