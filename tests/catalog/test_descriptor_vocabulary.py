"""The descriptor's vocabularies: one list of codes, enforced by the model, documented."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from catalog.errors import DescriptorError
from catalog.metadata import ACCESS_LEVELS, FREQUENCIES, THEMES
from catalog.metadata.vocabularies import (
    ACCESS_RIGHT_EU_CODES,
    DATAJSON_ACCESS_LEVELS,
    FREQUENCY_EU_CODES,
    THEME_EU_CODES,
)
from catalog.store import Package, descriptor_faults, load_dataset
from catalog.store.model import ACCESS_LEVEL_CODES, FREQUENCY_CODES, THEME_CODES
from tests.conftest import REPO, descriptor, write_dataset

DOCS = (REPO / "docs" / "descriptor.md").read_text(encoding="utf-8")
RESOURCE = {"name": "obs", "path": "data/obs.csv", "format": "csv"}


def _row(prop: str) -> str:
    return next(line for line in DOCS.splitlines() if line.startswith(f"| `{prop}` |"))


@pytest.mark.parametrize(
    ("prop", "value", "message"),
    [
        ("frequency", "anual", "unknown value `anual` (did you mean `annual`?)"),
        (
            "access_level",
            "conditionnal",
            "unknown value `conditionnal` (did you mean `conditional`?)",
        ),
        ("access_level", "open", "unknown value `open`; use one of `unconditional`, `conditional`"),
    ],
)
def test_vocabulary_a_typo_names_the_nearest_code(prop: str, value: str, message: str) -> None:
    assert descriptor_faults(descriptor("x", [RESOURCE], **{prop: value})) == {prop: message}


def test_vocabulary_a_theme_typo_names_its_place() -> None:
    faults = descriptor_faults(descriptor("x", [RESOURCE], themes=["wages", "employmnet"]))
    assert faults == {"themes[1]": "unknown value `employmnet` (did you mean `employment`?)"}


def test_vocabulary_a_typo_stops_a_dataset_folder(tmp_path: Path) -> None:
    meta = descriptor("wages", [RESOURCE], frequency="anual")
    folder = write_dataset(tmp_path, "wages", {"obs.csv": "year\n2021\n"}, meta)
    with pytest.raises(DescriptorError, match=r"frequency: unknown value `anual` \(did you"):
        load_dataset(folder)


@pytest.mark.parametrize(
    ("codes", "vocabularies"),
    [
        (THEME_CODES, [THEMES, THEME_EU_CODES]),
        (FREQUENCY_CODES, [FREQUENCIES, FREQUENCY_EU_CODES]),
        (ACCESS_LEVEL_CODES, [ACCESS_LEVELS, ACCESS_RIGHT_EU_CODES, DATAJSON_ACCESS_LEVELS]),
    ],
)
def test_vocabulary_labels_and_mappings_cover_exactly_the_codes(
    codes: tuple[str, ...], vocabularies: list[dict[str, object]]
) -> None:
    for vocabulary in vocabularies:
        assert tuple(vocabulary) == codes


@pytest.mark.parametrize(
    ("prop", "codes"),
    [("themes", THEME_CODES), ("frequency", FREQUENCY_CODES), ("access_level", ACCESS_LEVEL_CODES)],
)
def test_vocabulary_docs_list_every_code(prop: str, codes: tuple[str, ...]) -> None:
    row = _row(prop)
    assert [code for code in codes if f"`{code}`" not in row] == []


def test_vocabulary_every_package_property_is_documented() -> None:
    keys = [field.alias or name for name, field in Package.model_fields.items()]
    assert [key for key in keys if f"`{key}`" not in DOCS] == []


def test_vocabulary_the_shipped_datasets_use_known_codes() -> None:
    for folder in sorted((REPO / "datasets").iterdir()):
        if (folder / "datapackage.yaml").is_file():
            package = load_dataset(folder).package
            assert package.frequency in FREQUENCY_CODES, folder.name
            assert set(package.themes) <= set(THEME_CODES), folder.name


def test_vocabulary_a_good_descriptor_has_no_faults() -> None:
    meta = copy.deepcopy(descriptor("x", [RESOURCE], themes=list(THEME_CODES)))
    assert descriptor_faults(meta) == {}
