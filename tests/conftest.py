"""Shared fixtures: tiny synthetic dataset folders written by code (labelled synthetic)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]

# Wall-clock health checks fail on a loaded 2-core machine (CI, parallel builds) although
# the properties hold; what each example tests does not depend on how fast it was drawn.
settings.register_profile("opendata", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("opendata")

# Settings.state defaults to the relative `state/`: a test that builds Settings without
# `state=` would otherwise write its audit log and tokens into the checkout.
STATE_ENV = "OPENDATA_STATE"
STATE_BEFORE = pytest.StashKey[bool]()


@pytest.fixture(scope="session", autouse=True)
def session_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Private state for the session- and module-scoped apps, made before any test's own."""
    state = tmp_path_factory.mktemp("session-state") / "state"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STATE_ENV, str(state))
        yield state


@pytest.fixture(autouse=True)
def private_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test's own private state folder, beside (never inside) the stores it builds."""
    state = tmp_path_factory.mktemp("state") / "state"
    monkeypatch.setenv(STATE_ENV, str(state))
    return state


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of the session's moto S3 server (tests/s3/moto.py), bucket made, the AWS_*
    variables and OPENDATA_S3_ENDPOINT_URL set: tests/s3 and the suite on the S3 store."""
    from tests.s3.moto import moto_server

    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session", autouse=True)
def test_store(request: pytest.FixtureRequest) -> str:
    """The kind of store the session's stores are (tests/servers.py, OPENDATA_TEST_STORE):
    on `s3` the moto server is started first, so every store a test opens reaches it."""
    from tests.servers import store_kind

    kind = store_kind()
    if kind == "s3":
        request.getfixturevalue("s3_endpoint")
    return kind


# Run on the folder store only (OPENDATA_TEST_STORE=s3 deselects them): what they check is
# the folder store's own files on disk, which an S3 store does not have.
FOLDER_ONLY = "folder_store"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the S3 store, leave out the tests of the folder store's own files (deselected and
    counted, not skipped: each names its reason in its marker)."""
    from tests.servers import on_s3

    if not on_s3():
        return
    folder_only = [item for item in items if item.get_closest_marker(FOLDER_ONLY)]
    if folder_only:
        config.hook.pytest_deselected(items=folder_only)
        items[:] = [item for item in items if not item.get_closest_marker(FOLDER_ONLY)]


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[STATE_BEFORE] = (REPO / "state").exists()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run that created the checkout's state/: some test escaped `private_state`."""
    if not session.config.stash[STATE_BEFORE] and (REPO / "state").exists():
        print(f"\nthe tests wrote {REPO / 'state'}; private state belongs in a temp folder")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


REGION_FIELDS = [
    {"name": "code", "type": "string", "constraints": {"required": True, "pattern": "^[0-9]{6}$"}},
    {"name": "name_zh", "type": "string"},
]
WAGE_FIELDS = [
    {"name": "region_code", "type": "string", "constraints": {"required": True}},
    {"name": "year", "type": "integer"},
    {"name": "workers", "type": "integer", "unit": "人"},
    {"name": "avg_wage", "type": "number", "decimals": 2, "unit": "元"},
    {"name": "published", "type": "date"},
]
WAGE_CSV = (
    "region_code,year,workers,avg_wage,published\n"
    "520000,2021,1000,88000.50,2022-06-01\n"
    "520100,2021,400,95000.25,2022-06-01\n"
    "520200,2021,300,80000.00,2022-06-01\n"
)


def publish_real_datasets(root: Path) -> Path:
    """A store named `root` (tests/servers.py: a folder, or a prefix of the S3 server) with
    every dataset of the repository's `datasets/` published, as `opendata build` publishes
    them; fails if any is refused."""
    publisher = build_all(root, REPO / "datasets")
    assert publisher.broken == {}
    return root


def build_all(root: Path, datasets: Path) -> Any:
    """Publish every dataset of `datasets` into the store named `root` as `opendata build`
    does, each version's downloads rendered; the `Publisher` that did it."""
    # Imported here: the suite's hooks load without them.
    from catalog.query import PublishedDownloads, QueryEngine
    from catalog.settings import Settings
    from catalog.store import Publisher
    from tests.servers import open_test_store, store_location

    store = open_test_store(root)
    engine = QueryEngine(store, Settings(store=store_location(root), datasets=datasets))
    try:
        publisher = Publisher(store, datasets, downloads=PublishedDownloads(engine))
        for source in publisher.plan(list(publisher.sources().values())):
            publisher.build(source)
    finally:
        engine.close()
    return publisher


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's datasets published once per session (web, series and SDMX tests)."""
    return publish_real_datasets(tmp_path_factory.mktemp("real") / "store")


@pytest.fixture(scope="session")
def real_app(real_store: Path) -> Any:
    """The application on `real_store`, in process (for httpx's ASGITransport)."""
    from api import create_app
    from catalog.settings import Settings
    from tests.servers import store_location

    settings = Settings(store=store_location(real_store), datasets=real_store / "none")
    return create_app(settings)


@pytest.fixture(scope="session")
def real_server(real_store: Path) -> Iterator[str]:
    """A real uvicorn on 127.0.0.1 serving `real_store`, started as scripts/run starts it."""
    from tests.servers import serving

    # Tests read every one of the 1,490 series in turn: one client, far past the per-client
    # rate of data reads a public server keeps (tests/attacks test that rate on servers of
    # their own).
    reads = {
        "OPENDATA_RATE_AGGREGATES_PER_SECOND": "100000",
        "OPENDATA_RATE_AGGREGATES_BURST": "100000",
    }
    with serving(real_store, env=reads) as running:
        yield running.url


def descriptor(slug: str, resources: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A minimal descriptor with the properties our catalogue requires (synthetic test data)."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": slug,
        "title": f"测试数据 {slug}",
        "title_en": f"Synthetic test data {slug}",
        "description": "合成测试数据。",
        "description_en": "Synthetic data for tests.",
        "keywords": ["测试"],
        "keywords_en": ["test"],
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "sources": [{"title": "synthetic", "path": "https://example.org/synthetic"}],
        "organization": {"name": "test-org", "title": "测试单位", "title_en": "Test unit"},
        "themes": ["employment"],
        "frequency": "annual",
        "access_level": "unconditional",
        "temporal": {"start": "2020", "end": "2022"},
        "spatial": ["520000"],
        "contact": {"name": "tests", "email": "tests@example.org"},
        "issued": "2026-01-01",
        "resources": resources,
        **extra,
    }


def write_dataset(
    root: Path, slug: str, files: dict[str, str | bytes], meta: dict[str, Any]
) -> Path:
    folder = root / slug
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / "data" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (folder / "datapackage.yaml").write_text(
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


def write_regions(root: Path) -> Path:
    csv = "code,name_zh\n520000,贵州省\n520100,贵阳市\n520200,六盘水市\n"
    resource = {
        "name": "regions",
        "path": "data/regions.csv",
        "format": "csv",
        "schema": {"fields": REGION_FIELDS, "primaryKey": ["code"]},
    }
    return write_dataset(
        root, "regions-test", {"regions.csv": csv}, descriptor("regions-test", [resource])
    )


def write_wages(
    root: Path, csv: str = WAGE_CSV, checks: list[dict[str, Any]] | None = None
) -> Path:
    resource = {
        "name": "wages",
        "path": "data/wages.csv",
        "format": "csv",
        "schema": {
            "fields": WAGE_FIELDS,
            "primaryKey": ["region_code", "year"],
            "foreignKeys": [
                {
                    "fields": ["region_code"],
                    "reference": {
                        "package": "regions-test",
                        "resource": "regions",
                        "fields": ["code"],
                    },
                }
            ],
        },
    }
    extra = {"checks": checks} if checks is not None else {}
    return write_dataset(
        root, "wages-test", {"wages.csv": csv}, descriptor("wages-test", [resource], **extra)
    )


@pytest.fixture
def datasets_dir(tmp_path: Path) -> Path:
    root = tmp_path / "datasets"
    write_regions(root)
    write_wages(root, checks=[{"type": "non_negative", "resource": "wages", "fields": ["workers"]}])
    return root


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"
