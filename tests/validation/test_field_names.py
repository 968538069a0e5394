"""Field names are those CKAN's DataStore accepts: `_id`, `_full_text` and every other name
starting with `_` are CKAN's own, so validation refuses them before anything is published."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import descriptor
from tests.harvest.conftest import harvest_python
from validation import field_name_problem, refused_field_name, validate_package

RESERVED = ["_id", "_full_text", "_", "_rank", "_地区"]
REFUSED = [*RESERVED, "", " year", "year ", "\tyear", "year\n", 'a"b', "a\u200bb", "a\x1fb"]
ACCEPTED = ["id", "full_text", "year_", "a_b", "rank _id", "地区", "value (元)", "Year", "a-b"]


@pytest.mark.parametrize("name", RESERVED)
def test_field_names_starting_with_an_underscore_are_reserved_for_ckan(name: str) -> None:
    problem = field_name_problem(name)
    assert problem is not None
    assert 'names starting with "_" are reserved by the CKAN DataStore API' in problem
    assert '"_id"' in problem and '"_full_text"' in problem


@pytest.mark.parametrize("name", REFUSED)
def test_field_names_ckan_refuses_are_refused(name: str) -> None:
    problem = field_name_problem(name)
    assert problem is not None and "CKAN DataStore API" in problem


@pytest.mark.parametrize("name", ACCEPTED)
def test_field_names_ckan_takes_are_taken(name: str) -> None:
    assert field_name_problem(name) is None


@pytest.mark.parametrize("name", ["file_row_number", "FILE_ROW_NUMBER", "File_Row_Number"])
def test_the_engines_row_number_is_no_field_name(name: str) -> None:
    """CKAN takes it, but DuckDB's row number of each file read has that name, without
    case: a file with such a column answered every read with an error."""
    problem = field_name_problem(name)
    assert problem is not None and '"file_row_number" (in any case)' in problem
    for near in ("file_row_number_2", "row_number", "file row number", "文件行号"):
        assert field_name_problem(near) is None


@pytest.mark.slow
def test_field_names_agree_with_ckans_own_rule() -> None:
    """CKAN 2.12's `is_valid_field_name`, run in the harvesters' venv, judges every name of
    these tests as we do."""
    names = [*REFUSED, *ACCEPTED]
    code = (
        "import json, sys\n"
        "from ckanext.datastore.helpers import is_valid_field_name\n"
        "print(json.dumps([bool(is_valid_field_name(n)) for n in json.load(sys.stdin)]))\n"
    )
    done = subprocess.run(
        [str(harvest_python()), "-c", code],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": ""},  # CKAN alone, nothing of ours
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [field_name_problem(n) is None for n in names]


def test_field_names_refused_names_the_first_refused_field() -> None:
    fields = [{"name": "year"}, {"name": "_full_text"}, {"name": "_id"}]
    assert refused_field_name({"fields": fields}) == "_full_text"
    assert refused_field_name({"fields": [{"name": "year"}]}) is None
    assert refused_field_name({"fields": "not a list"}) is None
    assert refused_field_name(None) is None


def test_field_names_validation_names_file_resource_field_and_why(tmp_path: Path) -> None:
    folder = tmp_path / "datasets" / "rows"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "obs.csv").write_text("_id,name,_full_text\n1,alpha,war\n", encoding="utf-8")
    fields = [
        {"name": "_id", "type": "integer"},
        {"name": "name", "type": "string"},
        {"name": "_full_text", "type": "string"},
    ]
    resource = {"name": "obs", "path": "data/obs.csv", "format": "csv"}
    meta = descriptor("rows", [{**resource, "schema": {"fields": fields}}])
    report = validate_package(meta, base_path=folder).report
    assert not report.valid
    reserved = (
        'names starting with "_" are reserved by the CKAN DataStore API, which numbers rows'
        ' "_id" and indexes their text as "_full_text"; give the field another name'
    )
    assert [(e.type, e.message) for e in report.errors] == [
        ("schema-error", f'data/obs.csv: obs: field "_id": {reserved}'),
        ("schema-error", f'data/obs.csv: obs: field "_full_text": {reserved}'),
    ]


def test_field_names_a_file_keeps_its_header_when_read_by_position(tmp_path: Path) -> None:
    """The way docs/descriptor.md gives to keep a published file whose header says `_id`:
    the field renamed, the header row read as a comment, the columns matched by position."""
    folder = tmp_path / "datasets" / "rows"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "obs.csv").write_text("_id,name\n7,alpha\n8,beta\n", encoding="utf-8")
    fields = [{"name": "row_id", "type": "integer"}, {"name": "name", "type": "string"}]
    resource = {
        "name": "obs",
        "path": "data/obs.csv",
        "format": "csv",
        "dialect": {"header": False, "commentRows": [1]},
        "schema": {"fields": fields},
    }
    validation = validate_package(descriptor("rows", [resource]), base_path=folder)
    assert validation.report.valid, [e.message for e in validation.report.errors]
    assert validation.tables["obs"].to_pylist() == [
        {"row_id": 7, "name": "alpha"},
        {"row_id": 8, "name": "beta"},
    ]
