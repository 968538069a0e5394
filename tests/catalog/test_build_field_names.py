"""`opendata validate` and `build` refuse a field CKAN's DataStore reserves (`_id`,
`_full_text`, any name starting with `_`) or the query engine's row number takes
(`file_row_number`): exit 1, the file, resource and field named, nothing published, the version
served before still served."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api import create_app
from catalog.settings import Settings
from catalog.store import FolderStore
from tests.catalog.test_cli import opendata

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

WHY = 'names starting with "_" are reserved by the CKAN DataStore API'


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def rename_column(datasets: Path, old: str, new: str) -> None:
    """The steward renames a column of wages-test, in the file's header and the descriptor."""
    folder = datasets / "wages-test"
    for path in (folder / "data" / "wages.csv", folder / "datapackage.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


async def served_fields(datasets: Path, store: Path) -> list[str]:
    app = create_app(Settings(store=str(store), datasets=datasets, state=store.parent / "state"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        shown = await client.get("/api/3/action/package_show", params={"id": "wages-test"})
        resource = shown.json()["result"]["resources"][0]["id"]
        found = await client.get("/api/3/action/datastore_search", params={"resource_id": resource})
    return [field["id"] for field in found.json()["result"]["fields"]]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("_id", WHY),
        ("_full_text", WHY),
        ("_workers", WHY),
        ("File_Row_Number", '"file_row_number" (in any case) is the name of the row number'),
    ],
)
async def test_build_refuses_a_field_ckan_reserves_and_keeps_serving(
    name: str, why: str, datasets_dir: Path, store_dir: Path
) -> None:
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    store = FolderStore(store_dir)
    before = store.current("wages-test")
    fields = await served_fields(datasets_dir, store_dir)
    rename_column(datasets_dir, "workers", name)
    message = f'data/wages.csv: wages: field "{name}": {why}'

    checked = opendata(datasets_dir, store_dir, "validate", "wages-test")
    assert checked.returncode == 1
    assert message in checked.stdout

    built = opendata(datasets_dir, store_dir, "build", "wages-test")
    assert built.returncode == 1
    assert message in built.stderr and "NOT published" in built.stderr
    assert store.current("wages-test") == before
    assert [info.version for info in store.versions("wages-test")] == [before]
    assert await served_fields(datasets_dir, store_dir) == fields
    assert fields[:2] == ["_id", "region_code"] and "workers" in fields
