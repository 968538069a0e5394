"""Every path to a conditional dataset's data, against a real server: an anonymous client,
a token of another dataset, an expired and a revoked token never see a row value (403, the
dataset named, the application linked); a token granted the dataset (or `admin`) sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.access.conftest import (
    INDICATORS,
    SECRET,
    SECRET_FIGURE,
    SECRET_WAGE,
    SECRET_WORKERS,
    Site,
    audit_entries,
    has_secret,
)
from tests.servers import state_database

pytestmark = pytest.mark.slow

V1 = f"/api/v1/datasets/{SECRET}"
ROWS = f"{V1}/resources/wages"
WAGES_ID = catalogue_uuid("resource", f"{SECRET}/wages")
FIGURES_ID = catalogue_uuid("resource", f"{INDICATORS}/observations")
APPLY = f"/dataset/{SECRET}/apply"


@dataclass(frozen=True)
class Path:
    name: str
    method: str
    url: str
    dataset: str = SECRET
    json: Any = None
    ckan: bool = False  # answers in CKAN's envelope
    sdmx: bool = False
    text: bool = True  # the granted body holds the figure as text (not Parquet or XLSX)


def _sql(view: str) -> str:
    return f"SELECT * FROM {view}"


PATHS = [
    Path("rows", "GET", f"{ROWS}/rows"),
    Path("rows by a cursor-less filter", "GET", f"{ROWS}/rows?workers__gt=1000"),
    Path("aggregate", "GET", f"{ROWS}/aggregate?group_by=region_code&sum=workers"),
    Path("csv", "GET", f"{ROWS}.csv"),
    Path("csv with a filter", "GET", f"{ROWS}.csv?year=2021"),
    Path("json", "GET", f"{ROWS}.json"),
    Path("ndjson", "GET", f"{ROWS}.ndjson"),
    Path("xlsx", "GET", f"{ROWS}.xlsx", text=False),
    Path("parquet", "GET", f"{ROWS}.parquet", text=False),
    Path("csv of a pinned version", "GET", f"{ROWS}.csv?version={{version}}"),
    Path("zip", "GET", f"/api/v1/datasets/{SECRET}.zip", text=False),
    Path("HEAD of the zip", "HEAD", f"/api/v1/datasets/{SECRET}.zip", text=False),
    Path("HEAD of the csv", "HEAD", f"{ROWS}.csv", text=False),
    Path("validation report", "GET", f"{V1}/validation", text=False),
    Path("sql by view name", "GET", f"/api/v1/sql?sql={_sql('secret_wages__wages')}"),
    Path(
        "datastore_search",
        "POST",
        "/api/3/action/datastore_search",
        json={"resource_id": WAGES_ID},
        ckan=True,
    ),
    Path(
        "datastore_search_sql",
        "POST",
        "/api/3/action/datastore_search_sql",
        json={"sql": f'SELECT * FROM "{WAGES_ID}"'},
        ckan=True,
    ),
    Path("datastore dump", "GET", f"/datastore/dump/{WAGES_ID}"),
    Path("sdmx data", "GET", f"/sdmx/data/{INDICATORS}/all", dataset=INDICATORS, sdmx=True),
    Path(
        "datastore_search of indicators",
        "POST",
        "/api/3/action/datastore_search",
        json={"resource_id": FIGURES_ID},
        dataset=INDICATORS,
        ckan=True,
    ),
]
REFUSED_TOKENS = ["anonymous", "other", "expired", "revoked"]


def _ask(site: Site, path: Path, token: str | None, **headers: str) -> httpx.Response:
    with site.client(token) as client:
        version = client.get(V1).json()["version"]
        url = path.url.replace("{version}", version)
        return client.request(path.method, url, json=path.json, headers=headers)


def _token(site: Site, kind: str) -> str | None:
    return None if kind == "anonymous" else getattr(site.tokens, kind)


@pytest.mark.parametrize("kind", REFUSED_TOKENS)
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_a_conditional_datasets_data_is_refused_without_a_grant(
    site: Site, path: Path, kind: str
) -> None:
    response = _ask(site, path, _token(site, kind))
    assert response.status_code == 403, response.text
    assert response.headers["cache-control"] == "private, no-store"  # never kept as the data
    assert not has_secret(response.content)
    if path.method == "HEAD":  # the status and headers of a GET, no body
        return
    assert path.dataset in response.text
    if not path.sdmx and not path.ckan and "dump" not in path.name:
        problem = response.json()  # `apply` absolute, on the base `type` is on
        base = problem["type"].removesuffix("/problems/data-refused")
        assert problem["apply"] == f"{base}/dataset/{path.dataset}/apply"
        assert base.startswith("http")
    if path.ckan:
        assert response.json()["success"] is False


@pytest.mark.parametrize("kind", ["granted", "admin"])
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_a_token_granted_the_dataset_reads_its_data(site: Site, path: Path, kind: str) -> None:
    response = _ask(site, path, _token(site, kind))
    assert response.status_code == 200, response.text
    if path.text:
        assert has_secret(response.content)
    assert response.headers["cache-control"] == "private, no-store"
    assert "authorization" in response.headers["vary"].lower()


def test_the_bare_token_and_ckans_api_key_header_are_read_as_ckan_clients_send_them(
    site: Site,
) -> None:
    body, token = {"resource_id": WAGES_ID}, site.tokens.granted
    for headers in ({"Authorization": token}, {"X-CKAN-API-Key": token}):
        with httpx.Client(base_url=site.url, headers=headers) as client:
            found = client.post("/api/3/action/datastore_search", json=body).json()
        assert found["success"] is True
        assert SECRET_WORKERS in str(found["result"]["records"])


def test_ckan_refuses_with_its_authorization_error_envelope(site: Site) -> None:
    with site.client() as client:
        response = client.post("/api/3/action/datastore_search", json={"resource_id": WAGES_ID})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["__type"] == "Authorization Error" and SECRET in error["message"]
    assert APPLY in error["message"]


def test_a_browser_following_a_download_link_gets_an_html_page_linking_the_application(
    site: Site,
) -> None:
    with site.client() as client:
        response = client.get(f"{ROWS}.csv", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert f'href="{APPLY}"' in response.text and not has_secret(response.text)
    with site.client() as client:
        title = client.get(f"/api/3/action/package_show?id={SECRET}").json()["result"]["title"]
    assert f"“{title}”" in response.text  # named by its title, as the reader knows it


def test_refusals_are_in_the_audit_log_without_the_secret_and_a_grant_notes_last_use(
    site: Site,
) -> None:
    _ask(site, PATHS[0], site.tokens.expired)
    _ask(site, PATHS[0], site.tokens.other)
    refused = audit_entries(site.store, action="read data", outcome="refused", dataset=SECRET)
    assert {e.token for e in refused} >= {"invalid", site.tokens.other.split("_")[1]}
    secrets = [t.split("_", 2)[2] for t in (site.tokens.expired, site.tokens.other)]
    assert not any(s in repr(e) for e in refused for s in secrets)
    _ask(site, PATHS[0], site.tokens.granted)
    with state_database(site.store) as state:
        used = {t.id: t.last_used for t in state.tokens.all()}
    assert used[site.tokens.granted_id] is not None


def test_the_dataset_page_previews_nothing_and_links_the_application(site: Site) -> None:
    for token in (None, site.tokens.granted):  # the page is one for everyone
        with site.client(token) as client:
            page = client.get(f"/dataset/{SECRET}")
        assert page.status_code == 200
        assert not has_secret(page.text)
        assert f'href="{APPLY}"' in page.text and "仅限学术研究使用" in page.text
        assert "data-config" not in page.text  # no preview script over its rows


def test_series_and_search_never_show_a_conditional_indicators_figures(site: Site) -> None:
    with site.client(site.tokens.granted) as client:
        listed = client.get("/api/v1/series", params={"dataset": INDICATORS})
        series = client.get("/api/v1/series/secret_indicator/520000")
        found = client.get("/api/v1/datasets", params={"q": "secret_indicator"})
        page = client.get("/dataset", params={"q": "secret_indicator"})
        home = client.get("/")
    assert series.status_code == 404
    for response in (listed, found, page, home):
        assert SECRET_FIGURE not in response.text, response.request.url
    # Its structure stays public: the dataflow is listed.
    with site.client() as client:
        flows = client.get("/sdmx/dataflow/all/all/latest")
    assert flows.status_code == 200 and f'id="{INDICATORS}"' in flows.text


def test_no_early_304_lets_a_client_without_a_grant_revalidate_the_data(site: Site) -> None:
    with site.client(site.tokens.granted) as client:
        granted = client.get(f"{ROWS}/rows")
    tag = granted.headers["etag"]
    with site.client() as client:
        anonymous = client.get(f"{ROWS}/rows", headers={"If-None-Match": tag})
    assert anonymous.status_code == 403 and "etag" not in anonymous.headers
    with site.client(site.tokens.granted) as client:
        again = client.get(f"{ROWS}/rows", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "private, no-store"


def test_open_datasets_stay_public_and_cacheable(site: Site) -> None:
    with site.client() as client:
        response = client.get("/api/v1/datasets/wages-test/resources/wages/rows")
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public")
    assert SECRET_WAGE not in response.text
