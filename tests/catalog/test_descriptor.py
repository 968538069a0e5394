"""The typed descriptor: every dataset parses, a typo is named with its file and nearest key."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from catalog.errors import DescriptorError, NotFound, StoreError
from catalog.store import FolderStore, Package, Publisher, descriptor_faults, load_dataset
from tests.conftest import REPO, descriptor, write_wages

DATASETS = sorted((REPO / "datasets").glob("*/datapackage.yaml"))


def rewrite(folder: Path, change: Any) -> Path:
    """Apply `change` to the folder's descriptor document and write it back."""
    path = folder / "datapackage.yaml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(meta)
    path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.mark.parametrize("path", DATASETS, ids=lambda p: p.parent.name)
def test_descriptor_every_dataset_parses_to_the_model(path: Path) -> None:
    source = load_dataset(path.parent)
    assert source.package.name == path.parent.name
    assert [r.name for r in source.package.resources] == [
        r["name"] for r in source.descriptor["resources"]
    ]


def test_descriptor_every_dataset_was_checked() -> None:
    assert len(DATASETS) >= 9


def test_descriptor_typo_names_the_key_the_file_and_the_nearest_key(tmp_path: Path) -> None:
    path = rewrite(write_wages(tmp_path), lambda meta: meta.update(titel="x"))
    with pytest.raises(DescriptorError) as raised:
        load_dataset(path.parent)
    # Named as the datasets folder holds it: no path of the machine in a message.
    expected = f"{path.parent.name}/datapackage.yaml: titel: unknown key (did you mean `title`?)"
    assert str(raised.value) == expected


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        (
            lambda m: m["resources"][0]["schema"]["fields"][1].update(tpye="integer"),
            "resources[0].schema.fields[1].tpye: unknown key (did you mean `type`?)",
        ),
        (
            lambda m: m["resources"][0]["schema"]["fields"][0]["constraints"].update(requried=True),
            "resources[0].schema.fields[0].constraints.requried: unknown key"
            " (did you mean `required`?)",
        ),
        (
            lambda m: m["resources"][0].update(dialect={"delimeter": ";"}),
            "resources[0].dialect.delimeter: unknown key (did you mean `delimiter`?)",
        ),
        (
            lambda m: m["organization"].update(creditcode="1152"),
            "organization.creditcode: unknown key (did you mean `credit_code`?)",
        ),
        (
            lambda m: m["checks"][0].update(feilds=["workers"]),
            "checks[0].feilds: unknown key (did you mean `fields`?)",
        ),
        (lambda m: m.update(zzz=1), "zzz: unknown key"),
        (
            lambda m: m["resources"][0].update(rows="many"),
            "resources[0].rows: Input should be a valid integer, unable to parse string as an"
            " integer",
        ),
    ],
    ids=["field", "constraint", "dialect", "organization", "check", "no-near-key", "type"],
)
def test_descriptor_fault_is_named_by_its_place(tmp_path: Path, change: Any, fault: str) -> None:
    checks = [{"type": "non_negative", "resource": "wages", "fields": ["workers"]}]
    path = rewrite(write_wages(tmp_path, checks=checks), change)
    with pytest.raises(DescriptorError) as raised:
        load_dataset(path.parent)
    assert str(raised.value) == f"{path.parent.name}/datapackage.yaml: {fault}"


def test_descriptor_faults_list_unknown_keys_for_the_ckan_writes() -> None:
    meta = descriptor("x-test", [{"name": "x", "path": "data/x.csv", "titel": "t"}])
    assert descriptor_faults(meta) == {"resources[0].titel": "unknown key (did you mean `title`?)"}


def test_descriptor_yaml_typed_values_are_accepted() -> None:
    meta = descriptor("x-test", [], issued=date(2026, 1, 1), temporal={"start": 2020})
    package = Package.of(meta)
    assert package.issued == date(2026, 1, 1)
    assert package.temporal is not None and package.temporal.start == 2020


def test_descriptor_reliability_tier_is_a_vocabulary() -> None:
    # Issue 12: a tier is A, B or C (it was any scalar; `init` once wrote `review`).
    meta = descriptor("x-test", [])
    for tier in ("A", "B", "C"):
        meta["sources"][0]["reliability_tier"] = tier
        assert Package.of(meta).sources is not None
    for wrong in (1, "review", "a"):
        meta["sources"][0]["reliability_tier"] = wrong
        with pytest.raises(ValidationError):
            Package.of(meta)


def test_descriptor_as_dict_is_the_document_key_for_key_and_a_copy() -> None:
    meta = descriptor("x-test", [{"name": "x", "path": "data/x.csv"}], homepage="https://x.org")
    package = Package.of(meta)
    again = package.as_dict()
    assert again == meta and list(again) == list(meta)
    again["resources"].clear()
    assert package.as_dict()["resources"] == [{"name": "x", "path": "data/x.csv"}]


def test_descriptor_resource_by_name() -> None:
    package = Package.of(descriptor("x-test", [{"name": "a"}, {"name": "b", "title": "B"}]))
    assert package.resource("b").title == "B"
    with pytest.raises(NotFound, match="'x-test' has no resource 'c'"):
        package.resource("c")


@pytest.mark.parametrize(
    ("extra", "modified"),
    [
        (
            {"created": "2026-01-02T03:04:05Z", "build": {"published": "2026-01-02T03:04:05.5Z"}},
            "2026-01-02T03:04:05.5Z",
        ),
        ({"created": "2026-01-02T03:04:05Z"}, "2026-01-02T03:04:05Z"),
        ({}, ""),  # `issued` (in every descriptor here) is not a modification
    ],
    ids=["published", "created", "neither"],
)
def test_descriptor_modified_is_the_publish_time(extra: dict[str, Any], modified: str) -> None:
    package = Package.of(descriptor("x-test", [], **extra))
    assert package.modified() == modified
    expected = datetime.fromisoformat(modified.replace("Z", "+00:00")) if modified else None
    assert package.modified_at() == expected


def test_descriptor_published_version_parses_with_what_the_publisher_adds(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = FolderStore(store_dir)
    publisher = Publisher(store, datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    package = store.package("wages-test")
    assert package.version == store.current("wages-test")
    assert package.resource("wages").rows == 3
    assert package.resource("regions").embedded_from is not None
    assert package.modified_at() is not None
    assert package.modified_at() == store.published_at("wages-test", str(package.version))
    assert package.modified_at().tzinfo == UTC  # type: ignore[union-attr]
    assert store.descriptor("wages-test") == package.as_dict()


def test_descriptor_published_with_an_unknown_key_is_a_store_error(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = FolderStore(store_dir)
    publisher = Publisher(store, datasets_dir)
    publisher.build(publisher.sources()["regions-test"])
    path = store.version_path("regions-test") / "datapackage.json"
    published = json.loads(path.read_text(encoding="utf-8"))
    published["resources"][0]["bites"] = 1
    path.write_text(json.dumps(published), encoding="utf-8")
    with pytest.raises(StoreError) as raised:
        store.descriptor("regions-test")
    assert str(raised.value) == (f"{path}: resources[0].bites: unknown key (did you mean `bytes`?)")
