"""The descriptor's loader is strict where YAML is lax, and its messages are safe to print
(attack review of issue 12, findings 15, 17, 19, 20): a key given twice is an error at its
line, `severity` and `flag` are checked as validation checks them, messages name paths in
the datasets folder only, and control characters are shown escaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from catalog.errors import DescriptorError
from catalog.store import descriptor_faults, descriptor_schema, load_dataset
from cli import app
from tests.conftest import descriptor, write_dataset, write_regions, write_wages
from tests.validation.yearbook import (
    csv_bytes,
    figures,
    layout,
    page,
    yearbook_descriptor,
)
from validation import ReportError


def test_a_key_given_twice_is_an_error_at_its_line(tmp_path: Path) -> None:
    folder = write_wages(tmp_path)
    path = folder / "datapackage.yaml"
    text = path.read_text("utf-8").replace("name: wages-test\n", "name: wages-test\nname: x\n", 1)
    path.write_text(text, "utf-8")
    with pytest.raises(DescriptorError) as raised:
        load_dataset(folder)
    message = str(raised.value)
    assert message.startswith("wages-test/datapackage.yaml: line ")
    assert "key `name` is given twice in one mapping (first at line" in message


def test_a_remap_entry_given_twice_is_an_error(tmp_path: Path) -> None:
    folder = write_wages(tmp_path)
    path = folder / "datapackage.yaml"
    path.write_text(path.read_text("utf-8") + "x:\n  遼寧: '210000'\n  遼寧: '220000'\n", "utf-8")
    with pytest.raises(DescriptorError, match="key `遼寧` is given twice"):
        load_dataset(folder)


def test_a_yaml_merge_key_still_overrides(tmp_path: Path) -> None:
    folder = write_wages(tmp_path)
    path = folder / "datapackage.yaml"
    text = path.read_text("utf-8") + "base: &b {a: 1}\nuse:\n  <<: *b\n  a: 2\n"
    path.write_text(text, "utf-8")
    with pytest.raises(DescriptorError) as raised:  # unknown keys, but read without a fault
        load_dataset(folder)
    assert "twice" not in str(raised.value) and "base: unknown key" in str(raised.value)


def laughs(levels: int) -> str:
    """Nested aliases: each level names the one below ten times (a "billion laughs")."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("tail", "fault"),
    [(laughs(9), "its anchors and aliases expand to more than 200,000 values"),
     ("deep: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply to be a descriptor")],
)  # fmt: skip
def test_a_descriptor_that_expands_without_bound_is_refused_at_once(
    tmp_path: Path, tail: str, fault: str
) -> None:
    folder = write_wages(tmp_path)
    path = folder / "datapackage.yaml"
    path.write_text(path.read_text("utf-8") + tail, "utf-8")
    with pytest.raises(DescriptorError, match=fault):
        load_dataset(folder)


def test_a_yaml_fault_is_said_on_one_line_with_its_place(tmp_path: Path) -> None:
    folder = write_wages(tmp_path)
    (folder / "datapackage.yaml").write_text("name: [wages\n", "utf-8")
    with pytest.raises(DescriptorError) as raised:
        load_dataset(folder)
    message = str(raised.value)
    assert message.startswith("wages-test/datapackage.yaml: not readable YAML: line 2, column 1:")
    assert "\n" not in message and str(tmp_path) not in message


@pytest.mark.parametrize(
    ("check", "fault"),
    [({"severity": "warn"}, "unknown value `warn` (did you mean `warning`?)"),
     ({"flag": "two words"}, "String should match pattern")],
)  # fmt: skip
def test_severity_and_flag_are_checked_at_load(check: dict[str, Any], fault: str) -> None:
    meta = descriptor("x-test", [])
    meta["checks"] = [{"type": "non_negative", **check}]
    faults = descriptor_faults(meta)
    assert fault in faults[f"checks[0].{next(iter(check))}"]


def test_the_schema_says_severity_and_flag_as_validation_does() -> None:
    check = descriptor_schema()["$defs"]["Check"]["properties"]  # type: ignore[index]
    # `severity: null` is refused as validation refuses it: error or warning, error by default.
    assert check["severity"] == {"default": "error", "enum": ["error", "warning"], "type": "string"}
    assert check["flag"]["else"]["pattern"] == "^[A-Za-z0-9_.-]+$"


def test_an_optional_object_reports_its_own_fault_not_any_of() -> None:
    from jsonschema import Draft202012Validator

    meta: Any = yaml.safe_load(yaml.safe_dump(yearbook_descriptor("p.csv", layout())))
    meta["resources"][0]["layout"]["region"]["column"] = 0
    found = list(Draft202012Validator(descriptor_schema()).iter_errors(meta))
    assert [e.message for e in found] == ["0 is less than or equal to the minimum of 0"]
    assert list(found[0].absolute_path) == ["resources", 0, "layout", "region", "column"]


def test_a_missing_code_list_is_named_without_a_path(tmp_path: Path) -> None:
    root = tmp_path / "datasets"
    write_dataset(root, "yearbook-2008", {"page.csv": csv_bytes(page(figures()[0]))},
                  yearbook_descriptor("page.csv", layout()))  # fmt: skip
    result = CliRunner().invoke(
        app, ["--datasets", str(root), "--store", str(tmp_path / "store"), "build", "yearbook-2008"]
    )
    said = " ".join(result.output.split())  # as printed, wrapped to the terminal
    assert result.exit_code == 1
    assert "no dataset 'region-codes' in the datasets folder or the store" in said
    assert str(tmp_path) not in said.replace(" ", "")


def test_control_characters_in_a_report_are_escaped() -> None:
    error = ReportError("type-error", "cell \x1b[2J\u202e", "r", "data/r.csv", found="\x00")
    assert (error.message, error.found) == ("cell \\x1b[2J\\u202e", "\\x00")


def build_with_key(tmp_path: Path, key: str, *slugs: str) -> Result:
    """`opendata build` of the wages dataset whose descriptor gained the key `key`."""
    root = tmp_path / "datasets"
    write_regions(root)
    path = write_wages(root) / "datapackage.yaml"
    path.write_text(path.read_text("utf-8") + f'"{key}": 1\n', "utf-8")
    where = ["--datasets", str(root), "--store", str(tmp_path / "store")]
    return CliRunner().invoke(app, [*where, "build", *slugs])


def test_control_characters_in_a_descriptor_fault_are_escaped_on_the_terminal(
    tmp_path: Path,
) -> None:
    result = build_with_key(tmp_path, "\\e[31mred", "wages-test")
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\\x1b[31mred: unknown key" in result.output


def test_control_characters_in_a_fault_are_escaped_when_every_dataset_is_built(
    tmp_path: Path,
) -> None:
    result = build_with_key(tmp_path, "\\e]0;owned\\a")
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07: unknown key" in " ".join(result.output.split())


def test_a_control_character_in_any_text_is_an_error_naming_its_place() -> None:
    # One in a title made every RDF/XML catalogue page listing the dataset unparseable.
    resource = {
        "name": "wages",
        "path": "data/wages.csv",
        "schema": {"fields": [{"name": "wage", "type": "integer", "title": "项\x1f"}]},
    }
    faults = descriptor_faults(descriptor("ctl", [resource], title="控制\x01字符\v标题"))
    assert faults["title"].startswith("holds the control character U+0001")
    assert "U+001F" in faults["resources[0].schema.fields[0].title"]
    clean = descriptor_faults(descriptor("ctl", [resource | {"schema": {"fields": []}}]))
    assert not any("control character" in fault for fault in clean.values())


def test_a_lone_surrogate_is_an_error_naming_its_place() -> None:
    # A YAML or JSON escape writes one; no UTF-8 answer naming the dataset could carry it.
    faults = descriptor_faults(descriptor("lone", [], title="孤\ud800字"))
    assert faults["title"] == "holds the lone surrogate U+D800; text may not hold one"
