"""Traversal and hostile names: no URL reads outside the published versions, and no write
action writes outside its own staging copy, even when it fails.

A real server with a datasets folder and an API token (the CKAN write actions) over a store
built from synthetic folders. Each write attack snapshots the whole test folder before and
after: nothing may appear but what the action owns. Links in written metadata must be
http(s) or mailto, and a page never renders any other as a link, even from old published data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog.query import Cursor
from catalog.store import FolderStore, Publisher
from tests.attacks.conftest import MEMORY_BUDGET_MB, assert_healthy, assert_problem
from tests.ckan.test_writes import make_token, package_fields
from tests.conftest import REGION_FIELDS, descriptor, write_dataset, write_regions, write_wages
from tests.servers import Server, serving, state_of

pytestmark = pytest.mark.slow

MARKER = "owned-by-attack"
REGIONS_CSV = "code,name_zh\n520000,贵州省\n520100,贵阳市\n"


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("traversal")
    datasets = root / "datasets"
    write_regions(datasets)
    write_wages(datasets)
    resource = {
        "name": "regions",
        "path": "data/regions.csv",
        "format": "csv",
        "schema": {"fields": REGION_FIELDS},
    }
    write_dataset(
        datasets, "links-test", {"regions.csv": REGIONS_CSV}, descriptor("links-test", [resource])
    )
    store = FolderStore(root / "store")
    publisher = Publisher(store, datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    tamper_links(store.version_path("links-test") / "datapackage.json")
    return root


def tamper_links(path: Path) -> None:
    """Old published data, from before links were checked: script and data URLs in it."""
    published = json.loads(path.read_text(encoding="utf-8"))
    published["licenses"][0]["path"] = "javascript:alert(1)"
    published["sources"][0]["path"] = "data:text/html,<script>alert(2)</script>"
    published["homepage"] = "javascript:alert(3)"
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def token(site_root: Path) -> str:
    return make_token(site_root / "store", "attacked-steward")


@pytest.fixture(scope="module")
def server(site_root: Path, token: str) -> Iterator[Server]:
    env = {
        "OPENDATA_DATASETS": str(site_root / "datasets"),
        "OPENDATA_MEMORY_BUDGET_MB": str(MEMORY_BUDGET_MB),
    }
    with serving(site_root / "store", env=env) as running:
        yield running


# -- reads: names in URLs --------------------------------------------------------------------

ROWS = "/api/v1/datasets/wages-test/resources/wages/rows"
TRAVERSING_URLS = [
    "/api/v1/datasets/..%2f..%2fetc/resources/passwd/rows",
    "/api/v1/datasets/%2e%2e/resources/wages/rows",
    "/api/v1/datasets/%2e%2e%2fstate/resources/wages/rows",
    "/api/v1/datasets/wages-test%00/resources/wages/rows",
    "/api/v1/datasets/wages-test%0a/resources/wages/rows",
    "/api/v1/datasets/wages-test/resources/..%2fwages/rows",
    "/api/v1/datasets/wages-test/resources/%2e%2e/rows",
    "/api/v1/datasets/wages-test/resources/wages%00.parquet",
    f"{ROWS}?version=..%2f..%2fregions-test",
    f"{ROWS}?version=%2e%2e",
    f"{ROWS}?version=.staging-x",
    f"{ROWS}?version=CURRENT",
    f"{ROWS}?version=HISTORY",
    "/api/v1/datasets/wages-test/versions/..%2fCURRENT",
    "/api/v1/datasets/wages-test/versions/%2e%2e",
    "/api/v1/datasets/wages-test/versions/WITHDRAWN",
    "/api/v1/datasets/%2e%2e.zip",
    "/api/v1/datasets/wages-test.zip?version=..%2f..%2fstate",
    "/api/v1/datasets/wages-test/resources/wages.csv?version=..%2f..%2fstate",
    "/api/v1/datasets/wages-test/resources/..%2f..%2f..%2fstate%2fapi-tokens.csv",
    "/api/v1/datasets/wages-test/validation?version=..%2f",
    "/api/v1/datasets/wages-test/resources/wages/schema?version=%2e%2e%2f%2e%2e",
]


@pytest.mark.parametrize("url", TRAVERSING_URLS)
def test_traversal_url_is_refused(server: Server, client: httpx.Client, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code in (400, 404), (answer.status_code, answer.text[:300])
    assert "tokens" not in answer.text.replace("api-tokens.csv", "")
    if not url.endswith(".parquet"):
        assert_problem(answer, answer.status_code)
    assert_healthy(server)


@pytest.mark.parametrize("version", ["v1\n", "../../regions-test", ".lock", "a/b", "x\x00"])
def test_traversal_trailing_newline_and_separators_in_a_version(
    server: Server, client: httpx.Client, version: str
) -> None:
    current = client.get("/api/v1/datasets/wages-test").json()["version"]
    for asked in (version, current + "\n", current + "/"):
        assert_problem(client.get(ROWS, params={"version": asked}), 404)
    assert_healthy(server)


def test_traversal_forged_cursor_version_is_refused(server: Server, client: httpx.Client) -> None:
    cursor = Cursor(version="../../regions-test/x", sort="", values=()).encode()
    assert_problem(client.get(ROWS, params={"next": cursor}), 404)
    assert_healthy(server)


def test_traversal_dataset_page_with_traversing_slug(server: Server, client: httpx.Client) -> None:
    for slug in ("..%2fwages-test", "%2e%2e", "wages-test%0a"):
        assert client.get(f"/dataset/{slug}").status_code == 404
    assert_healthy(server)


# -- writes: names in CKAN actions -----------------------------------------------------------


def tree(root: Path) -> set[str]:
    """Every path under `root`, but the lock files, work folder and token state that any
    write (refused or not) may touch."""
    found = set()
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if {".writes", ".lock", "state"} & set(relative.parts):
            continue
        if relative.name.endswith(".lock"):
            continue
        found.add(str(relative))
    return found


def planted(root: Path) -> list[str]:
    """Files an escaping write would leave beside or above the test folder."""
    places = [root.parent, root.parent.parent, Path("/tmp"), Path("/")]
    return [
        str(path)
        for place in places
        for path in place.iterdir()
        if MARKER in path.name or path.name in ("...csv", "..csv")
    ]


def write(
    server: Server, token: str, action: str, data: dict[str, object], upload: bytes | None = None
) -> httpx.Response:
    headers = {"Authorization": token}
    url = f"{server.url}/api/3/action/{action}"
    if upload is None:
        return httpx.post(url, json=data, headers=headers, timeout=60)
    files = {"upload": (str(data.pop("filename", "wages.csv")), upload, "text/csv")}
    fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
    return httpx.post(url, data=fields, files=files, headers=headers, timeout=60)


def assert_validation_error(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 409, answer.text[:500]
    body = answer.json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Validation Error"
    assert field in body["error"], body["error"]
    assert "/tmp/" not in answer.text and "store/" not in answer.text


WAGES_UPLOAD = b"region_code,year,workers,avg_wage,published\n520000,2023,1,1.00,2024-06-01\n"


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("package_create", {"name": "../x"}, "name"),
        ("package_create", {"name": f"../../{MARKER}"}, "name"),
        ("package_create", {"name": "ok-name\n"}, "name"),
        ("package_create", {"name": "%2e%2e"}, "name"),
        ("package_create", {"name": "a/b"}, "name"),
        ("package_create", {"name": ".."}, "name"),
        ("package_create", {"name": "x\u0000y"}, "name"),
    ],
)
def test_traversal_package_create_names_are_refused(
    server: Server, site_root: Path, token: str, action: str, data: dict[str, object], field: str
) -> None:
    before = tree(site_root)
    assert_validation_error(write(server, token, action, {**package_fields("x-y"), **data}), field)
    assert tree(site_root) == before
    assert planted(site_root) == []
    assert_healthy(server)


@pytest.mark.parametrize(
    "table",
    [
        "../../..",
        "../../../../../../../../tmp/" + MARKER,
        f"../{MARKER}",
        "wages/../../x",
        "x\n",
        "x\u0000",
        "..",
        "UPPER",
        "a" * 101,
    ],
)
def test_traversal_resource_create_table_writes_nothing_outside(
    server: Server, site_root: Path, token: str, table: str
) -> None:
    before = tree(site_root)
    data: dict[str, object] = {"package_id": "wages-test", "table": table}
    answer = write(server, token, "resource_create", data, upload=WAGES_UPLOAD)
    assert_validation_error(answer, "table")
    assert tree(site_root) == before
    assert planted(site_root) == []
    assert_healthy(server)


def test_traversal_resource_create_for_a_traversing_package_is_not_found(
    server: Server, site_root: Path, token: str
) -> None:
    before = tree(site_root)
    for package in ("../wages-test", "wages-test/../regions-test", "wages-test\n"):
        answer = write(server, token, "resource_create", {"package_id": package}, WAGES_UPLOAD)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["__type"] == "Not Found Error"
    assert tree(site_root) == before
    assert_healthy(server)


def test_traversal_upload_filename_is_never_a_path(
    server: Server, site_root: Path, token: str
) -> None:
    created = write(server, token, "package_create", package_fields("upload-name-test"))
    assert created.status_code == 200, created.text
    before = tree(site_root)
    data: dict[str, object] = {
        "package_id": "upload-name-test",
        "filename": f"../../{MARKER}.csv",
    }
    answer = write(server, token, "resource_create", data, upload=REGIONS_CSV.encode())
    assert answer.status_code == 200, answer.text
    resource = answer.json()["result"]
    assert resource["name"] == MARKER.replace("-", "_")
    added = tree(site_root) - before
    assert added, "the upload was published"
    assert all(
        path.startswith(("datasets/upload-name-test/", "store/upload-name-test/")) for path in added
    ), added
    folder = site_root / "datasets" / "upload-name-test" / "data"
    assert sorted(p.name for p in folder.iterdir()) == [f"{MARKER.replace('-', '_')}.csv"]
    assert planted(site_root) == []
    assert_healthy(server)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"license_id": "other-open", "license_url": "javascript:alert(1)"}, "license_url"),
        ({"license_id": "other-open", "license_url": "JaVaScRiPt:alert(1)"}, "license_url"),
        ({"license_id": "other-open", "license_url": " javascript:alert(1)"}, "license_url"),
        ({"url": "data:text/html,<script>alert(1)</script>"}, "url"),
        ({"url": "file:///etc/passwd"}, "url"),
        ({"url": "//evil.example/x"}, "url"),
        ({"extras": [{"key": "homepage_url", "value": "vbscript:x"}]}, "homepage_url"),
        (
            {"extras": [{"key": "sources", "value": '[{"title": "s", "path": "javascript:x"}]'}]},
            "sources[0].path",
        ),
    ],
)
def test_traversal_links_that_are_not_http_or_mailto_are_refused(
    server: Server, site_root: Path, token: str, data: dict[str, object], field: str
) -> None:
    before = tree(site_root)
    fields = {**package_fields("links-attack"), **data}
    if "extras" in data:
        fields["extras"] = [*package_fields("links-attack")["extras"], *data["extras"]]
    assert_validation_error(write(server, token, "package_create", fields), field)
    patched = write(server, token, "package_patch", {"id": "regions-test", **data})
    assert_validation_error(patched, field)
    assert tree(site_root) == before
    assert_healthy(server)


def test_traversal_resource_link_field_is_refused(
    server: Server, site_root: Path, token: str
) -> None:
    data: dict[str, object] = {"package_id": "wages-test", "url": "javascript:alert(1)"}
    assert_validation_error(write(server, token, "resource_create", data, WAGES_UPLOAD), "url")
    assert_healthy(server)


def test_traversal_old_published_script_links_are_not_rendered(
    server: Server, client: httpx.Client
) -> None:
    page = client.get("/dataset/links-test")
    assert page.status_code == 200
    html = page.text.lower()
    for scheme in ("javascript:", "data:text", "vbscript:"):
        assert f'href="{scheme}' not in html
        assert f"href='{scheme}" not in html
    assert "cc-by-4.0" in html  # the licence is still named, as text
    assert_healthy(server)


def test_traversal_token_file_is_outside_the_store(site_root: Path, token: str) -> None:
    assert token.startswith("odt_")
    assert (state_of(site_root / "store") / "opendata.sqlite").is_file()
    assert not list((site_root / "store").rglob("*token*"))


@pytest.mark.parametrize(
    "email", ['x@y.z" onmouseover="alert(1)', "x y@example.org", "<x@example.org>", "x@", "@x.org"]
)
def test_traversal_maintainer_email_must_be_an_address(
    server: Server, client: httpx.Client, site_root: Path, token: str, email: str
) -> None:
    # Once stored, such a value took the whole Turtle catalogue down (not a valid IRI).
    before = tree(site_root)
    patched = write(
        server, token, "package_patch", {"id": "regions-test", "maintainer_email": email}
    )
    assert_validation_error(patched, "contact.email")
    assert tree(site_root) == before
    assert client.get("/catalog.ttl").status_code == 200
    assert_healthy(server)
