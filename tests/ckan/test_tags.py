"""A descriptor's keywords are CKAN tags: a keyword CKAN's tag validators refuse is an error."""

from __future__ import annotations

import pytest

from catalog.store import descriptor_faults, load_dataset
from tests.conftest import REPO, descriptor

RESOURCE = {"name": "obs", "path": "data/obs.csv", "format": "csv"}


@pytest.mark.parametrize(
    ("keyword", "message"),
    [
        (
            "GB/T 2260",
            "keyword 'GB/T 2260' has '/': a CKAN tag holds only letters, digits, spaces,"
            " '-', '_' and '.'",
        ),
        ("工资:社保", "keyword '工资:社保' has ':': a CKAN tag holds only letters, digits,"
         " spaces, '-', '_' and '.'"),
        ("x", "keyword 'x' is 1 characters; a CKAN tag has 2 to 100"),
        ("w" * 101, f"keyword '{'w' * 101}' is 101 characters; a CKAN tag has 2 to 100"),
    ],
)  # fmt: skip
def test_tags_a_keyword_ckan_refuses_is_a_fault_naming_it(keyword: str, message: str) -> None:
    faults = descriptor_faults(descriptor("x", [RESOURCE], keywords_en=["wages", keyword]))
    assert faults == {"keywords_en[1]": message}


def test_tags_letters_of_any_script_digits_and_punctuation_ckan_allows_pass() -> None:
    keywords = ["工资", "GB-T 2260", "12333", "work_injury", "v1.0", "養老 保险"]
    assert descriptor_faults(descriptor("x", [RESOURCE], keywords=keywords)) == {}


def test_tags_every_shipped_dataset_keeps_keywords_ckan_accepts() -> None:
    folders = sorted(path.parent for path in (REPO / "datasets").glob("*/datapackage.yaml"))
    region_codes = load_dataset(REPO / "datasets" / "region-codes")
    assert len(folders) >= 13
    # each one parses, so each keyword passed the rule
    assert [load_dataset(folder).package.name for folder in folders] == [f.name for f in folders]
    assert "GB-T 2260" in region_codes.package.keywords_en
