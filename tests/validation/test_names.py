"""One definition of slugs and resource names, shared by the validator and the store."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import catalog.store
import validation
from tests.conftest import REPO, descriptor
from validation import is_resource_name, is_slug, validate_package

DOCS = (REPO / "docs" / "descriptor.md").read_text(encoding="utf-8")


def store_modules() -> list[ModuleType]:
    found = [catalog.store]
    for info in pkgutil.walk_packages(catalog.store.__path__, prefix="catalog.store."):
        found.append(importlib.import_module(info.name))
    return found


def test_names_the_store_uses_validations_definition() -> None:
    checkers = {"is_slug": validation.is_slug, "is_resource_name": validation.is_resource_name}
    used = [
        (module.__name__, name)
        for module in store_modules()
        for name in checkers
        if hasattr(module, name)
    ]
    assert ("catalog.store.descriptors", "is_slug") in used
    assert ("catalog.store.descriptors", "is_resource_name") in used
    for module_name, name in used:
        assert getattr(importlib.import_module(module_name), name) is checkers[name], module_name


@pytest.mark.parametrize("name", ["wages\n", "wages\r", "wages ", "Wages", "-wages", "w" * 101])
def test_names_a_slug_is_matched_whole(name: str) -> None:
    assert not is_slug(name)


@pytest.mark.parametrize("name", ["obs\n", "obs-2", "_obs", "Obs", "o.csv", "o" * 101])
def test_names_a_resource_name_is_matched_whole(name: str) -> None:
    assert not is_resource_name(name)


def test_names_good_ones_are_accepted() -> None:
    assert is_slug("minimum-wage-standards") and is_slug("w" * 100)
    assert is_resource_name("guizhou_tier_areas") and is_resource_name("o" * 100)


def test_names_the_documented_patterns_are_the_ones_used() -> None:
    assert f"`{validation.SLUG.pattern}`" in DOCS
    assert f"# {validation.RESOURCE_NAME.pattern}," in DOCS


def _report_errors(tmp_path: Path, slug: str, resource: str) -> list[str]:
    folder = tmp_path / "datasets" / "wages"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "w.csv").write_text("year\n2021\n", encoding="utf-8")
    meta = descriptor(
        slug,
        [
            {
                "name": resource,
                "path": "data/w.csv",
                "format": "csv",
                "schema": {"fields": [{"name": "year", "type": "integer"}]},
            }
        ],
    )
    return [e.message for e in validate_package(meta, base_path=folder).report.errors]


def test_names_validation_refuses_a_trailing_newline(tmp_path: Path) -> None:
    # `re.match` with `$` used to accept "wages\n"; the validator and the store now agree.
    # The newline is shown escaped, as every control character in a message is.
    errors = _report_errors(tmp_path, "wages\n", "obs\n")
    assert f'datapackage: name "wages\\n" must match {validation.SLUG.pattern}' in errors
    assert f"data/w.csv: obs\\n: name must match {validation.RESOURCE_NAME.pattern}" in errors


def test_names_validation_accepts_good_names(tmp_path: Path) -> None:
    errors = _report_errors(tmp_path, "wages", "obs")
    assert not [e for e in errors if "must match" in e]
