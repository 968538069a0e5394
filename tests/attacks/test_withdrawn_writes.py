"""A dataset withdrawn with `opendata withdraw` cannot be published again through the API.

`opendata withdraw` leaves the steward's folder in place; a write action with a valid token
(package_patch, package_update, resource_update, resource_patch, resource_create) on it is
Not Found, as after package_delete, and nothing new is served. A dataset created again
after a package_delete is still published.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog.search import catalogue_uuid
from catalog.settings import Settings
from catalog.state import open_state
from catalog.store import FolderStore, Publisher
from tests.attacks.conftest import MEMORY_BUDGET_MB, assert_healthy
from tests.ckan.test_writes import package_fields
from tests.conftest import WAGE_CSV, write_regions, write_wages
from tests.servers import Server, serving

pytestmark = pytest.mark.slow

SLUG = "wages-test"
RESOURCE = catalogue_uuid("resource", f"{SLUG}/wages")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("withdrawn-writes")
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    store = FolderStore(root / "store")
    publisher = Publisher(store, root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    store.withdraw(SLUG, "withdrawn by the steward")  # what `opendata withdraw` does
    return Settings(store=root / "store", datasets=root / "datasets", state=root / "state")


@pytest.fixture(scope="module")
def token(settings: Settings) -> str:
    state = open_state(settings.database)
    try:
        return state.tokens.create("steward", ["admin"])[1]
    finally:
        state.close()


@pytest.fixture(scope="module")
def server(settings: Settings, token: str) -> Iterator[Server]:
    env = {
        "OPENDATA_MEMORY_BUDGET_MB": str(MEMORY_BUDGET_MB),
        "OPENDATA_DATASETS": str(settings.datasets),
        "OPENDATA_STATE": str(settings.state),
    }
    with serving(Path(settings.store), env=env) as running:
        yield running


def action(client: httpx.Client, token: str, name: str, **kwargs: object) -> httpx.Response:
    return client.post(f"/api/3/action/{name}", headers={"Authorization": token}, **kwargs)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("package_patch", {"json": {"id": SLUG, "notes": "back again"}}),
        ("package_update", {"json": {"id": SLUG, "name": SLUG, "title": "back again"}}),
        ("resource_patch", {"json": {"id": RESOURCE, "description": "back again"}}),
        ("resource_update", {"json": {"id": RESOURCE, "description": "back again"}}),
        (
            "resource_create",
            {"data": {"package_id": SLUG}, "files": {"upload": ("more.csv", WAGE_CSV)}},
        ),
    ],
)
def test_a_write_to_a_withdrawn_dataset_is_not_found(
    server: Server,
    client: httpx.Client,
    settings: Settings,
    token: str,
    name: str,
    body: dict[str, object],
) -> None:
    answer = action(client, token, name, **body)  # type: ignore[arg-type]
    assert answer.status_code == 404, answer.text[:300]
    assert answer.json()["error"]["__type"] == "Not Found Error"
    assert FolderStore(Path(settings.store)).current(SLUG) is None
    assert client.get(f"/api/3/action/package_show?id={SLUG}").status_code == 404
    assert_healthy(server)


def test_a_dataset_created_again_after_package_delete_is_published(
    server: Server, client: httpx.Client, settings: Settings, token: str
) -> None:
    slug = "regions-test"
    assert action(client, token, "package_delete", json={"id": slug}).status_code == 200
    created = action(client, token, "package_create", json=package_fields(slug))
    assert created.status_code == 200, created.text[:300]
    added = action(
        client,
        token,
        "resource_create",
        data={"package_id": slug},
        files={"upload": ("wages.csv", WAGE_CSV)},
    )
    assert added.status_code == 200, added.text[:300]
    assert FolderStore(Path(settings.store)).current(slug) is not None
    assert_healthy(server)
