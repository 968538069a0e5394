"""The descriptor's JSON Schema: generated from the strict model, committed, and as strict.

Editors check datapackage.yaml against `docs/datapackage.schema.json`; these tests hold that
file to the model (regenerated and compared), and the schema to the store's own rule: every
shipped descriptor and every `init` draft fits, and a misspelt key does not.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from catalog.store import Package, descriptor_schema, descriptor_schema_text
from cli import app
from drafting import draft_dataset
from tests.conftest import REPO
from tests.drafting import yearbook

COMMITTED = REPO / "docs" / "datapackage.schema.json"
SHIPPED = sorted((REPO / "datasets").glob("*/datapackage.yaml"))
Validator = jsonschema.Draft202012Validator


def as_json(document: object) -> Any:
    """What an editor sees in a YAML file: an unquoted date is text, as in JSON."""
    return json.loads(json.dumps(document, default=str))


def problems(document: object) -> list[str]:
    """Each error as an editor shows it: inside an optional object (`anyOf` the object or
    null), the object's own complaint rather than "not valid under any of the schemas"."""
    checker = Validator(descriptor_schema(), format_checker=Validator.FORMAT_CHECKER)
    errors = checker.iter_errors(as_json(document))
    return [jsonschema.exceptions.best_match([error]).message for error in errors]


def objects(node: object) -> Iterator[dict[str, Any]]:
    """Every object schema in the document, nested ones included."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


def test_the_committed_schema_is_the_models() -> None:
    assert COMMITTED.read_text("utf-8") == descriptor_schema_text(), (
        "regenerate it: opendata schema > docs/datapackage.schema.json"
    )


def test_the_schema_is_valid_json_schema_and_closed_wherever_the_model_is_strict() -> None:
    schema = descriptor_schema()
    Validator.check_schema(schema)
    closed = list(objects(schema))
    assert len(closed) == len(schema["$defs"]) + 1  # type: ignore[arg-type]
    assert all(node["additionalProperties"] is False for node in closed)
    assert {"Layout", "LayoutColumn", "RegionColumn", "Period"} <= set(schema["$defs"])  # type: ignore[call-overload]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.parent.name)
def test_every_shipped_descriptor_fits(path: Path) -> None:
    assert problems(yaml.safe_load(path.read_text("utf-8"))) == []


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    table = yearbook.write_xlsx(tmp_path_factory.mktemp("yearbook") / "表22-42.xlsx")
    document: dict[str, Any] = draft_dataset(table, REPO / "datasets", "yb").document
    return document


def test_an_init_draft_with_its_layout_fits(draft: dict[str, Any]) -> None:
    assert "layout" in draft["resources"][0]
    Package.of(draft)  # the model agrees
    assert problems(draft) == []


def test_a_misspelt_key_is_refused_by_name(draft: dict[str, Any]) -> None:
    top = {("titel" if key == "title" else key): value for key, value in draft.items()}
    assert problems(top) == ["Additional properties are not allowed ('titel' was unexpected)"]
    nested = copy.deepcopy(draft)
    layout = nested["resources"][0]["layout"]
    layout["header_row"] = layout.pop("header_rows")
    assert problems(nested) == [
        "Additional properties are not allowed ('header_row' was unexpected)"
    ]


def test_a_field_name_the_store_refuses_is_refused_by_the_schema_too(draft: dict[str, Any]) -> None:
    # `opendata build` refuses `_id`, every name starting with `_` and the engine's
    # `file_row_number` (validation.names): an editor says so before the build does.
    for name in ("_id", "_full_text", " year", 'say "no"', "file_row_number", "File_Row_Number"):
        named = copy.deepcopy(draft)
        named["resources"][0]["schema"]["fields"][0]["name"] = name
        assert len(problems(named)) == 1 and "does not match" in problems(named)[0], name


def test_a_check_severity_is_a_key_not_a_typo(draft: dict[str, Any]) -> None:
    checks = copy.deepcopy(draft)
    checks["checks"] = [{"type": "sum_of_parts", "severity": "warning", "flag": "sum"}]
    assert problems(checks) == []
    checks["checks"][0]["severty"] = "warning"
    assert problems(checks) == ["Additional properties are not allowed ('severty' was unexpected)"]


def test_the_command_prints_the_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    assert result.stdout == descriptor_schema_text()
