"""Names and links a store path or a page is made from: one full-match pattern per kind,
checked on every dataset folder read, and private state kept out of the store."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from catalog.errors import DescriptorError
from catalog.settings import Settings
from catalog.store import descriptor_faults, is_safe_url, load_dataset
from catalog.store.descriptors import is_file_path, is_version
from tests.conftest import REPO, descriptor, write_wages
from validation import is_resource_name, is_slug
from web import safe_link

HOSTILE = ["", ".", "..", "../x", "x/..", "a/b", "a\\b", "x\n", "x\x00", "-x", "%2e%2e", " x"]


@pytest.mark.parametrize("name", HOSTILE)
def test_names_hostile_ones_match_no_pattern(name: str) -> None:
    assert not is_slug(name)
    assert not is_resource_name(name)
    assert not is_version(name)


def test_names_good_ones_match() -> None:
    assert is_slug("minimum-wage-standards") and not is_slug("Wages")
    assert is_resource_name("guizhou_tier_areas") and not is_resource_name("x.csv")
    assert is_version("20260101T000000123456Z-0123456789") and is_version("v1")
    assert not is_slug("a" * 101) and is_slug("a" * 100)


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("data/wages.csv", True),
        ("data/工资_2023.csv", True),
        ("data/../../x.csv", False),
        ("../x.csv", False),
        ("/etc/passwd", False),
        ("data//x.csv", False),
        ("data/x.csv\n", False),
        ("data\\x.csv", False),
        (".hidden.csv", False),
        # Names as another office sends them: full-width brackets and colon, spaces.
        ("data/表22-42A（更新）.csv", True),
        ("data/附件1：表22-42A (1).xlsx", True),
        ("data/a:b.csv", False),
        ("data/a\u202eb.csv", False),  # a right-to-left override disguises the extension
        ("data/-x.csv", False),
        ("data/x.csv ", False),
        ("data/" + "表" * 86 + ".csv", False),  # 262 bytes
    ],
)
def test_names_file_paths_stay_in_their_folder(path: str, safe: bool) -> None:
    assert is_file_path(path) is safe


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://creativecommons.org/licenses/by/4.0/", True),
        ("http://51haodu.com/t/Yz!Ba0R6OE9Ycw==", True),
        ("mailto:tests@example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" https://example.org", False),
        ("data:text/html,<script>", False),
        ("//example.org/x", False),
        ("/relative", False),
        ("https://example.org/\nx", False),
        ('https://example.org/"onmouseover="x', False),
        ("ftp://example.org", False),
    ],
)
def test_names_links_are_http_or_mailto(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe
    assert safe_link(url) == (url if safe else "")


def test_names_descriptor_faults_name_each_field() -> None:
    meta = descriptor(
        "x-test",
        [{"name": "../x", "path": "../../x.csv"}],
        homepage="javascript:alert(1)",
        contributors=[{"title": "t", "path": "data:x"}],
    )
    meta["licenses"][0]["path"] = "vbscript:x"
    assert descriptor_faults(meta) == {
        "resources[0].name": (
            "must be lowercase letters, digits or `_`, starting with a letter or digit"
            " (at most 100)"
        ),
        "resources[0].path": (
            '"../../x.csv": a file name may not start with a dot, a dash or a space, nor end in'
            " a dot or a space"
        ),
        "homepage": "must be an http(s):// or mailto: URL",
        "licenses[0].path": "must be an http(s):// or mailto: URL",
        "contributors[0].path": "must be an http(s):// or mailto: URL",
    }


def test_names_a_source_may_be_a_file_of_the_package_but_not_outside_it() -> None:
    meta = descriptor("x-test", [])
    meta["sources"].append({"title": "note", "path": "notes/synthetic.pdf"})
    assert descriptor_faults(meta) == {}
    meta["sources"].append({"title": "escape", "path": "../notes.pdf"})
    assert descriptor_faults(meta) == {"sources[2].path": "must be an http(s):// or mailto: URL"}


def test_names_load_dataset_refuses_a_traversing_resource_path(tmp_path: Path) -> None:
    folder = write_wages(tmp_path)
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    meta["resources"][0]["path"] = "../../../etc/passwd"
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    with pytest.raises(DescriptorError, match=r"resources\[0\]\.path"):
        load_dataset(folder)


def test_names_load_dataset_refuses_a_slug_with_a_trailing_newline(tmp_path: Path) -> None:
    folder = write_wages(tmp_path)
    meta = yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
    meta["name"] = "wages-test\n"
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    with pytest.raises(DescriptorError, match="slug"):
        load_dataset(folder)


def test_names_every_shipped_dataset_passes() -> None:
    for folder in sorted((REPO / "datasets").iterdir()):
        if (folder / "datapackage.yaml").is_file():
            assert load_dataset(folder).slug == folder.name


# -- private state ---------------------------------------------------------------------------


def test_state_inside_the_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="inside the store"):
        Settings(store=tmp_path / "store", state=tmp_path / "store" / "state")
    with pytest.raises(ValidationError, match="inside the store"):
        Settings(store=tmp_path / "store", state=tmp_path / "store")
    with pytest.raises(ValidationError, match="api_tokens_file"):
        Settings(
            store=tmp_path / "store",
            state=tmp_path / "state",
            api_tokens_file=str(tmp_path / "store" / "x" / "tokens.json"),
        )
    with pytest.raises(ValidationError, match="database_url"):
        Settings(
            store=tmp_path / "store",
            state=tmp_path / "state",
            database_url=f"sqlite:///{tmp_path / 'store' / 'state.sqlite'}",
        )
