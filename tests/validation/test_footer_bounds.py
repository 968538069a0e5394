"""The footer pattern is a steward's regular expression run on every line of a file from
anywhere, so its language is bounded (docs/descriptor.md): anchored with `^`, no
backreference, lookaround or quantified group, at most 1000 ways to try per line, and tried
on the first 200 characters of a line's first cell. `^(a+)+$` is refused at load instead of
hanging the build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from catalog.errors import DescriptorError
from catalog.store import load_dataset
from tests.conftest import write_dataset
from tests.validation.test_layout_publish import failure, publish
from tests.validation.yearbook import (
    csv_bytes,
    datasets_with_code_lists,
    figures,
    layout,
    page,
    yearbook_descriptor,
)
from validation import Layout

REFUSED = {
    "^(a+)+$": "never a group",
    "^(a|a)*$": "never a group",
    "^(注)?": "never a group",
    "(数据来源)": "starts with `^`",
    "^注|说明": "`|` only inside a group",
    r"^(\w+)\1": "backreferences",
    "^(?P<n>a)(?P=n)": "no lookaround, flag or named group",
    "^(?=a)": "no lookaround, flag or named group",
    "^a*a*a*$": "more than 1000 ways",
    r"^\s*注\s*[:：]": "more than 1000 ways",
    "^" + "a" * 100: "at most 100 characters",
    "^[": "not a valid regular expression",
}
ACCEPTED = [
    "^(数据来源|资料来源|注|说明|Source|Note)",
    "^(注|说明).*来源",
    r"^注\s*[:：]",
    r"^\d+\.",
    "^a*?b",
    "^[)(|*]+来源",
    "^(?:Source|Note)s?:",
    "^a{0,9}a{0,9}a{0,9}b",
]


@pytest.mark.parametrize(("pattern", "words"), REFUSED.items(), ids=list(REFUSED))
def test_a_footer_pattern_outside_the_bounded_language_is_refused(pattern: str, words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Layout.model_validate({**layout(), "footer": pattern})
    assert words in str(raised.value)


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_a_footer_pattern_a_steward_writes_is_accepted(pattern: str) -> None:
    assert Layout.model_validate({**layout(), "footer": pattern}).footer == pattern


def test_the_descriptor_loader_names_the_footer_and_why(tmp_path: Path) -> None:
    root = datasets_with_code_lists(tmp_path / "datasets")
    table = {**layout(), "footer": "^(a+)+$"}
    write_dataset(root, "yearbook-2008", {"page.csv": csv_bytes(page(figures()[0]))},
                  yearbook_descriptor("page.csv", table))  # fmt: skip
    with pytest.raises(DescriptorError) as raised:
        load_dataset(root / "yearbook-2008")
    assert "resources[0].layout.footer: position 6: a quantifier follows a character" in str(
        raised.value
    )


def test_the_pattern_is_tried_on_the_first_200_characters_of_a_line(tmp_path: Path) -> None:
    found, _ = figures()
    rows: list[list[str]] = page(found)
    width = len(rows[0])
    table: dict[str, Any] = {**layout(), "footer": "^a*数据来源"}
    rows[-1] = ["a" * 190 + "数据来源：国家统计局"] + [""] * (width - 1)
    store = publish(tmp_path / "near", "page.csv", csv_bytes(rows), table)
    published = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    assert published.num_rows == len(found)  # matched within the bound: the footer
    # Past the bound the line is not the footer: a stray line after the data, an error.
    rows[-1] = ["a" * 1000 + "数据来源"] + [""] * (width - 1)
    error = failure(tmp_path / "far", csv_bytes(rows), "page.csv", table)
    assert error.type == "layout-error" and error.row == len(rows)


def test_the_default_footer_still_ends_the_table(tmp_path: Path) -> None:
    found, _ = figures()
    store = publish(tmp_path, "page.csv", csv_bytes(page(found)), layout())
    table = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    assert table.num_rows == len(found)


def test_a_pattern_python_warns_about_is_refused_not_warned_on_every_build() -> None:
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        Layout.model_validate({**layout(), "footer": "^[[:alpha:]]"})
