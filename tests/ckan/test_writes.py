"""Write actions with API tokens, through the real ckanapi client against a real uvicorn."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckanapi
import httpx
import pytest

from catalog.store import Publisher
from tests.conftest import WAGE_FIELDS, build_all, descriptor, write_regions, write_wages
from tests.servers import OPENDATA, open_test_store, serving, state_of, store_location

pytestmark = pytest.mark.slow

WAGES_SCHEMA = {"fields": WAGE_FIELDS, "primaryKey": ["region_code", "year"]}
NEW_CSV = "region_code,year,workers,avg_wage,published\n520000,2022,1100,90000.00,2023-06-01\n"


@dataclass(frozen=True)
class Site:
    url: str
    root: Path
    token: str

    def remote(self, token: str | None = None) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.url, apikey=token)


def make_token(store: Path, name: str, scopes: tuple[str, ...] = ("admin",)) -> str:
    done = subprocess.run(
        [
            OPENDATA,
            "--store",
            store_location(store),
            "--state",
            str(state_of(store)),
            "token",
            "create",
            "--name",
            name,
            *(arg for scope in scopes for arg in ("--scope", scope)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("writes")
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    publisher = Publisher(open_test_store(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    token = make_token(root / "store", "steward")
    with serving(root / "store", env={"OPENDATA_DATASETS": str(root / "datasets")}) as server:
        yield Site(server.url, root, token)


def package_fields(slug: str) -> dict[str, object]:
    """A new package in CKAN's words, with the catalogue metadata this platform requires."""
    meta = descriptor(slug, [])
    return {
        "name": slug,
        "title": meta["title"],
        "notes": meta["description"],
        "owner_org": "test-org",
        "license_id": "cc-by",
        "maintainer": "tests",
        "maintainer_email": "tests@example.org",
        "tags": [{"name": "测试"}, {"name": "test"}],
        "groups": [{"name": "employment"}],
        "extras": [
            {"key": "title_en", "value": meta["title_en"]},
            {"key": "notes_en", "value": meta["description_en"]},
            {"key": "keywords_en", "value": "test"},
            {"key": "frequency", "value": "annual"},
            {"key": "access_level", "value": "unconditional"},
            {"key": "issued", "value": "2026-01-01"},
            {"key": "temporal_start", "value": "2020"},
            {"key": "temporal_end", "value": "2022"},
            {"key": "spatial", "value": "520000"},
            {"key": "sources", "value": json.dumps(meta["sources"])},
        ],
    }


def test_anonymous_writes_are_refused(site: Site) -> None:
    with pytest.raises(ckanapi.NotAuthorized):
        site.remote().action.package_create(name="anonymous-try")
    with pytest.raises(ckanapi.NotAuthorized):
        site.remote("odt_0000_wrong").action.package_patch(id="wages-test", title="x")
    assert site.remote().action.package_show(id="wages-test")["title"] == "测试数据 wages-test"


def test_package_create_then_resource_create_publishes_the_upload(
    site: Site, tmp_path: Path
) -> None:
    remote = site.remote(site.token)
    draft = remote.action.package_create(**package_fields("uploaded-wages"))
    assert draft["name"] == "uploaded-wages"
    assert draft["state"] == "draft"
    with pytest.raises(ckanapi.ValidationError):
        remote.action.package_create(**package_fields("uploaded-wages"))
    data = tmp_path / "wages.csv"
    data.write_text(NEW_CSV, encoding="utf-8")
    with data.open("rb") as upload:
        resource = remote.action.resource_create(
            package_id="uploaded-wages",
            name="工资",
            table="wages",
            schema=json.dumps(WAGES_SCHEMA),
            upload=upload,
        )
    assert resource["name"] == "工资"
    assert resource["rows"] == 1
    shown = site.remote().action.package_show(id="uploaded-wages")
    assert shown["state"] == "active"
    assert shown["organization"]["name"] == "test-org"
    assert {t["name"] for t in shown["tags"]} == {"测试", "test"}
    rows = site.remote().action.datastore_search(resource_id=resource["id"])
    assert rows["records"][0]["workers"] == 1100
    folder = site.root / "datasets" / "uploaded-wages"
    assert (folder / "data" / "wages.csv").read_text(encoding="utf-8") == NEW_CSV
    assert "uploaded-wages" in site.remote().action.package_list()


def upload_table(site: Site, tmp_path: Path, slug: str, text: str) -> dict[str, Any]:
    """A new dataset `slug` and its resource, uploaded from the CSV `text` with no schema."""
    remote = site.remote(site.token)
    remote.action.package_create(**package_fields(slug))
    data = tmp_path / "rows.csv"
    data.write_text(text, encoding="utf-8")
    with data.open("rb") as upload:
        resource: dict[str, Any] = remote.action.resource_create(package_id=slug, upload=upload)
    return resource


def test_resource_without_schema_is_typed_by_inference(site: Site, tmp_path: Path) -> None:
    resource = upload_table(site, tmp_path, "inferred-table", "region,count\n贵阳,10\n遵义,12\n")
    found = site.remote().action.datastore_search(resource_id=resource["id"], sort="count desc")
    assert found["records"][0] == {"_id": 2, "region": "遵义", "count": 12}


def test_invalid_upload_is_a_validation_error_and_changes_nothing(
    site: Site, tmp_path: Path
) -> None:
    remote = site.remote(site.token)
    before = site.remote().action.package_show(id="wages-test")
    resource_id = before["resources"][0]["id"]
    bad = tmp_path / "wages.csv"
    bad.write_text(
        "region_code,year,workers,avg_wage,published\n520000,2021,-5,1.00,2022-06-01\n"
        "999999,twenty,1,1.00,2022-06-01\n",
        encoding="utf-8",
    )
    folder = site.root / "datasets" / "wages-test"
    source_before = (folder / "data" / "wages.csv").read_bytes()
    with bad.open("rb") as upload, pytest.raises(ckanapi.ValidationError) as caught:
        remote.action.resource_update(id=resource_id, upload=upload)
    error = caught.value.error_dict
    assert error["report"]["valid"] is False
    assert "upload" in error
    after = site.remote().action.package_show(id="wages-test")
    assert after == before
    assert (folder / "data" / "wages.csv").read_bytes() == source_before
    total = site.remote().action.datastore_search(resource_id=resource_id)["total"]
    assert total == 3


def test_package_patch_and_update_change_metadata_and_publish(site: Site) -> None:
    remote = site.remote(site.token)
    patched = remote.action.package_patch(id="regions-test", notes="新的说明。")
    assert patched["notes"] == "新的说明。"
    assert patched["title"] == "测试数据 regions-test"
    shown = site.remote().action.package_show(id="regions-test")
    assert shown == patched
    shown["title"] = "地区代码"
    updated = remote.action.package_update(**shown)
    assert updated["title"] == "地区代码"
    assert updated["metadata_modified"] > patched["metadata_modified"]
    resource = updated["resources"][0]
    renamed = remote.action.resource_patch(id=resource["id"], description="区划代码表")
    assert renamed["description"] == "区划代码表"
    assert renamed["id"] == resource["id"]


def test_package_delete_withdraws_and_revoked_token_is_refused(site: Site, tmp_path: Path) -> None:
    remote = site.remote(site.token)
    remote.action.package_create(**package_fields("short-lived"))
    data = tmp_path / "wages.csv"
    data.write_text(NEW_CSV, encoding="utf-8")
    with data.open("rb") as upload:
        remote.action.resource_create(
            package_id="short-lived", table="wages", schema=json.dumps(WAGES_SCHEMA), upload=upload
        )
    assert remote.action.package_delete(id="short-lived") is None
    with pytest.raises(ckanapi.NotFound):
        site.remote().action.package_show(id="short-lived")
    assert "short-lived" not in site.remote().action.package_list()
    assert not (site.root / "datasets" / "short-lived").exists()
    other = make_token(site.root / "store", "temporary")
    site.remote(f"Bearer {other}").action.package_patch(id="wages-test", notes="合成测试数据。")
    subprocess.run(
        [
            *(OPENDATA, "--store", store_location(site.root / "store")),
            *("--state", str(state_of(site.root / "store")), "token", "revoke", "temporary"),
        ],
        check=True,
        capture_output=True,
    )
    with pytest.raises(ckanapi.NotAuthorized):
        site.remote(other).action.package_patch(id="wages-test", notes="x")


def test_a_served_dataset_held_as_a_draft_keeps_every_write_until_published(
    site: Site, tmp_path: Path
) -> None:
    # CKAN's draft sequence on a dataset already served: patch to draft, add a resource,
    # patch a field without `state`, then publish. Nothing accepted may be lost.
    remote = site.remote(site.token)
    remote.action.package_create(**package_fields("held-wages"))
    data = tmp_path / "wages.csv"
    data.write_text(NEW_CSV, encoding="utf-8")
    with data.open("rb") as upload:
        remote.action.resource_create(package_id="held-wages", table="wages",
                                      schema=json.dumps(WAGES_SCHEMA), upload=upload)  # fmt: skip
    remote.action.package_patch(id="held-wages", state="draft", title="草稿标题")
    schema = json.dumps(WAGES_SCHEMA)
    with data.open("rb") as upload:
        added = remote.action.resource_create(
            package_id="held-wages", table="more", schema=schema, upload=upload
        )
    assert added["name"]  # answered, not a 404 for a resource it wrote
    remote.action.package_patch(id="held-wages", notes="说明")
    served = site.remote().action.package_show(id="held-wages")
    assert served["title"] != "草稿标题" and len(served["resources"]) == 1  # still held
    remote.action.package_patch(id="held-wages", state="active")
    shown = site.remote().action.package_show(id="held-wages")
    assert (shown["title"], shown["notes"], shown["state"]) == ("草稿标题", "说明", "active")
    assert sorted(r["table"] for r in shown["resources"]) == ["more", "wages"]


# A table whose field CKAN's DataStore reserves (`_id`, `_full_text`, any name starting with
# `_`), or the engine's row number takes (`file_row_number`), is refused as CKAN's
# datastore_create refuses a reserved one, and the dataset stays as it was.
def refusal(caught: pytest.ExceptionInfo[ckanapi.ValidationError]) -> dict[str, object]:
    return {k: v for k, v in caught.value.error_dict.items() if k != "__type"}


@pytest.mark.parametrize("header", ["_id", "_full_text", "File_Row_Number"])
def test_writes_refuse_an_uploaded_header_ckan_reserves(
    site: Site, tmp_path: Path, header: str
) -> None:
    """No schema sent: the one inferred from the file names the column as its header does."""
    slug = f"reserved{header.replace('_', '-')}".lower()
    with pytest.raises(ckanapi.ValidationError) as caught:
        upload_table(site, tmp_path, slug, f"{header},region,count\n1,贵阳,10\n2,遵义,12\n")
    assert refusal(caught) == {"fields": [f'"{header}" is not a valid field name']}
    shown = site.remote(site.token).action.package_show(id=slug)
    assert shown["state"] == "draft" and shown["resources"] == []
    assert list((site.root / "datasets" / slug / "data").glob("*")) == []


def test_writes_refuse_a_schema_naming_a_reserved_field_and_change_nothing(
    site: Site, tmp_path: Path
) -> None:
    """A schema sent with a file (resource_update) or alone (resource_patch)."""
    fields = [
        {**field, "name": "_full_text"} if field["name"] == "workers" else field
        for field in WAGES_SCHEMA["fields"]
    ]
    remote = site.remote(site.token)
    before = site.remote().action.package_show(id="wages-test")
    resource_id = before["resources"][0]["id"]
    folder = site.root / "datasets" / "wages-test"
    descriptor_before = (folder / "datapackage.yaml").read_bytes()
    data = tmp_path / "wages.csv"
    data.write_text(
        "region_code,year,_full_text,avg_wage,published\n520000,2021,1,1.00,2022-06-01\n",
        encoding="utf-8",
    )
    schema = json.dumps({**WAGES_SCHEMA, "fields": fields})
    with data.open("rb") as upload, pytest.raises(ckanapi.ValidationError) as caught:
        remote.action.resource_update(id=resource_id, schema=schema, upload=upload)
    assert refusal(caught) == {"fields": ['"_full_text" is not a valid field name']}
    with pytest.raises(ckanapi.ValidationError) as caught:
        remote.action.resource_patch(id=resource_id, schema=schema)
    assert refusal(caught) == {"fields": ['"_full_text" is not a valid field name']}
    assert site.remote().action.package_show(id="wages-test") == before
    assert (folder / "datapackage.yaml").read_bytes() == descriptor_before
    found = site.remote().action.datastore_search(resource_id=resource_id)
    assert found["total"] == 3
    assert [f["id"] for f in found["fields"]][:4] == ["_id", "region_code", "year", "workers"]


def test_a_write_that_changes_nothing_publishes_nothing(tmp_path: Path) -> None:
    # Found by the issue 17 trial: a package_patch of a field that maps to nothing published
    # a new version, the same data and metadata: the package dict sent back gave an untitled
    # resource its name (CKAN's `name`, which shows the name) as a title. A field we keep no
    # place for is ignored, as package_update (and CKAN's default schema) ignores it.
    write_regions(tmp_path / "datasets")
    build_all(tmp_path / "store", tmp_path / "datasets")  # as `opendata build` publishes
    token = make_token(tmp_path / "store", "steward")
    env = {"OPENDATA_DATASETS": str(tmp_path / "datasets")}
    with serving(tmp_path / "store", env=env) as server:
        remote = ckanapi.RemoteCKAN(server.url, apikey=token)
        before = remote.action.package_show(id="regions-test")
        answers = [
            remote.action.package_patch(id="regions-test", no_such_field="x"),
            remote.action.package_patch(id="regions-test"),
            remote.action.package_update(**before),
            remote.action.resource_patch(id=before["resources"][0]["id"]),
        ]
        versions = httpx.get(f"{server.url}/api/v1/datasets/regions-test/versions").json()
    assert answers[:3] == [before] * 3
    assert answers[3] == before["resources"][0]
    assert len(versions["versions"]) == 1
