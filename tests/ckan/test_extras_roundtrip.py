"""Every CKAN extra `catalog.ckan.mapping` gives out, package_update maps back.

A client that reads a package, changes one extra and sends it back must see the change kept;
an extra that cannot be written is listed as read-only here, with the reason.
"""

from __future__ import annotations

import copy

import pytest

from catalog.ckan.actions.packages import PackageFields, descriptor_of
from catalog.ckan.mapping import extras_of
from catalog.store import Package
from tests.conftest import descriptor

# `identifier` is the slug: a package's `name`, which no update renames; `spatial_text` and
# `spatial_uri` are written from `spatial_codes` (the region names, the coverage IRI).
READ_ONLY = {"identifier", "spatial_text", "spatial_uri"}
BASE = descriptor("x-test", [{"name": "obs", "path": "data/obs.csv", "format": "csv"}])
OTHER = {
    **copy.deepcopy(BASE),
    "title_en": "Other title",
    "description_en": "Other description.",
    "keywords": ["其他"],
    "keywords_en": ["other"],
    "issued": "2025-05-05",
    "frequency": "monthly",
    "access_level": "conditional",
    "access_conditions": "仅限研究使用。",
    "access_conditions_en": "For research only.",
    "temporal": {"start": "2001", "end": "2002"},
    "spatial": ["110000", "520000"],
    "themes": ["wages", "talent"],
    "contact": {"name": "other", "email": "other@example.org"},
    "organization": {
        "name": "test-org",
        "title": "测试单位",
        "title_en": "Other unit",
        "credit_code": "91520000000000000D",
    },
    "sources": [{"title": "other", "path": "https://example.org/other"}],
    "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
}
EXTRAS = {e["key"]: e["value"] for e in extras_of(Package.of(OTHER), "http://s")}


def test_extras_the_mapping_gives_out_are_the_ones_tested() -> None:
    # A new extra fails here until OTHER sets it and it maps back (or is read-only).
    assert sorted(EXTRAS) == sorted(
        {
            "access_conditions", "access_conditions_en", "access_level", "contact_email",
            "contact_name", "frequency", "identifier",
            "issued", "keywords", "keywords_en", "license", "notes_en", "publisher_credit_code",
            "publisher_title_en", "sources", "spatial_codes", "spatial_text", "spatial_uri",
            "temporal_end", "temporal_start",
            "themes", "title_en",
        }
    )  # fmt: skip


@pytest.mark.parametrize("key", sorted(set(EXTRAS) - READ_ONLY))
def test_extras_each_maps_back_in_package_update(key: str) -> None:
    base = {e["key"]: e["value"] for e in extras_of(Package.of(BASE), "http://s")}
    assert base.get(key) != EXTRAS[key]  # the update changes it
    # A conditional dataset states its conditions: `access_level` goes with them.
    keys = [key, "access_conditions"] if key == "access_level" else [key]
    extras = [{"key": k, "value": EXTRAS[k]} for k in keys]
    sent = PackageFields.of({"extras": extras, "owner_org": "test-org"})
    updated = Package.of(descriptor_of(sent, copy.deepcopy(BASE), {}))
    assert {e["key"]: e["value"] for e in extras_of(updated, "http://s")}[key] == EXTRAS[key]


def test_extras_the_read_only_one_is_not_written() -> None:
    sent = PackageFields.of({"extras": [{"key": "identifier", "value": "renamed"}]})
    assert descriptor_of(sent, copy.deepcopy(BASE), {})["name"] == "x-test"
