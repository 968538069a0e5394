"""A CSV larger than a chunk is validated chunk by chunk: the same report as read whole.

Every table here is SYNTHETIC, written by the test. `chunk_bytes` is made tiny so that a
few hundred rows span many chunks; a file no larger than a chunk is read whole as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.validation.conftest import package, resource, triples, write
from validation import Validation, validate_package

FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "day", "type": "date"},
    {"name": "code", "type": "string", "constraints": {"pattern": "52[0-9]{4}"}},
    {"name": "wait", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "score", "type": "number"},
    {"name": "resolved", "type": "boolean"},
]
HEADER = "id,day,code,wait,score,resolved"
CHECKS = [{"type": "range", "resource": "calls", "field": "score", "min": 1, "max": 5}]


def good_line(number: int) -> str:
    return f"{number},2024-01-{number % 28 + 1:02d},5201{number % 100:02d},{number % 60},3.5,true"


def calls(**extra: Any) -> dict[str, Any]:
    fields = [dict(field) for field in FIELDS]
    return package(
        resource("calls", "data/calls.csv", fields, primaryKey=["id"], **extra), checks=CHECKS
    )


def both(tmp_path: Path, text: str, descriptor: dict[str, Any]) -> tuple[Validation, Validation]:
    """The validation of ``text`` read whole, and read 512 bytes at a time."""
    write(tmp_path, "data/calls.csv", text)
    whole = validate_package(descriptor, tmp_path)
    chunked = validate_package(descriptor, tmp_path, chunk_bytes=512)
    return whole, chunked


def comparable(validation: Validation) -> dict[str, Any]:
    """The report as written, without the timings."""
    document: dict[str, Any] = dict(validation.report.to_dict())
    document.pop("stats", None)
    for task in document["tasks"]:
        task["stats"].pop("seconds", None)
    return document


def test_a_fault_in_a_late_chunk_names_its_true_row_field_and_expectation(
    tmp_path: Path,
) -> None:
    lines = [HEADER, *(good_line(n) for n in range(1, 2001))]
    lines[1900] = "1900,2024-02-30,520101,-4,3.5,true"  # file row 1901
    whole, chunked = both(tmp_path, "\n".join(lines) + "\n", calls())
    assert triples(chunked) == [[1901, "day", "type-error"], [1901, "wait", "constraint-error"]]
    day, wait = chunked.report.errors
    assert day.message == (
        'data/calls.csv row 1901, field "day": expected a date (YYYY-MM-DD), found "2024-02-30"'
    )
    assert wait.message.startswith('data/calls.csv row 1901, field "wait": expected')
    assert day.cells == ("1900", "2024-02-30", "520101", "-4", "3.5", "true")
    assert comparable(chunked) == comparable(whole)


def test_a_key_used_again_chunks_later_is_a_duplicate_naming_the_first_row(
    tmp_path: Path,
) -> None:
    lines = [HEADER, *(good_line(n) for n in range(1, 2001))]
    lines[1800] = "7," + lines[1800].split(",", 1)[1]  # file row 1801 repeats id 7 (row 8)
    whole, chunked = both(tmp_path, "\n".join(lines) + "\n", calls())
    assert triples(chunked) == [[1801, "id", "primary-key"]]
    error = chunked.report.errors[0]
    assert "already used in row 8" in error.message
    assert error.cells == tuple(lines[1800].split(","))  # filled by one more pass
    assert comparable(chunked) == comparable(whole)


def test_a_domain_check_across_chunks_reports_each_row_with_its_cells(tmp_path: Path) -> None:
    lines = [HEADER, *(good_line(n) for n in range(1, 1001))]
    for row in (3, 500, 990):
        lines[row - 1] = lines[row - 1].replace(",3.5,", ",9,")
    whole, chunked = both(tmp_path, "\n".join(lines) + "\n", calls())
    assert [e.row for e in chunked.report.errors] == [3, 500, 990]
    assert all(e.cells for e in chunked.report.errors)
    assert comparable(chunked) == comparable(whole)


def test_a_streamed_table_is_published_as_the_whole_table(tmp_path: Path) -> None:
    lines = [HEADER, *(good_line(n) for n in range(1, 3001))]
    whole, chunked = both(tmp_path, "\n".join(lines) + "\n", calls())
    assert chunked.report.valid
    assert chunked.tables["calls"].equals(whole.tables["calls"])
    batches = list(chunked.tables.batches("calls"))
    streamed = pa.Table.from_batches(batches, schema=chunked.tables.schema("calls"))
    assert streamed.equals(whole.tables["calls"])
    assert streamed.schema == whole.tables["calls"].schema


def test_gbk_csv_streams_and_reports_like_the_whole_file(tmp_path: Path) -> None:
    fields = [{"name": "id", "type": "integer"}, {"name": "topic", "type": "string"}]
    text = "id,topic\n" + "".join(f"{n},养老保险咨询\n" for n in range(1, 400)) + "x,医疗\n"
    write(tmp_path, "data/t.csv", text.encode("gbk"))
    descriptor = package(resource("t", "data/t.csv", fields))
    whole = validate_package(descriptor, tmp_path)
    chunked = validate_package(descriptor, tmp_path, chunk_bytes=256)
    assert triples(chunked) == [[401, "id", "type-error"]]
    assert chunked.report.tasks[0].stats["encoding"] == "gb18030"
    assert comparable(chunked) == comparable(whole)


def test_bytes_that_decode_in_no_encoding_are_one_error_at_their_offset(tmp_path: Path) -> None:
    text = ("id,topic\n" + "".join(f"{n},a\n" for n in range(1, 400))).encode() + b"9,\xff\xfe\n"
    write(tmp_path, "data/t.csv", text)
    fields = [{"name": "id", "type": "integer"}, {"name": "topic", "type": "string"}]
    descriptor = package(resource("t", "data/t.csv", fields))
    whole = validate_package(descriptor, tmp_path)
    chunked = validate_package(descriptor, tmp_path, chunk_bytes=256)
    assert [e.type for e in chunked.report.errors] == ["encoding-error"]
    assert comparable(chunked) == comparable(whole)


# Cells a generated table may hold: mostly valid, sometimes empty, malformed or out of range.
CELLS = {
    "id": st.one_of(st.integers(1, 40).map(str), st.sampled_from(["", "x", "1.5"])),
    "day": st.sampled_from(["2024-01-01", "2024-02-29", "2023-02-29", "", "01/02/2024"]),
    "code": st.sampled_from(["520101", "520000", "530101", "", "5201"]),
    "wait": st.sampled_from(["0", "17", "-1", "", "abc"]),
    "score": st.sampled_from(["1", "4.5", "9", "", "n/a", "-inf"]),
    "resolved": st.sampled_from(["true", "false", "1", "", "yes"]),
}
ROW = st.one_of(
    st.tuples(*CELLS.values()).map(",".join),
    st.sampled_from(["", ",,,,,", "1,2", "1,2024-01-01,520101,1,2,true,extra", '"a\nb",,,,,']),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=120), chunk=st.sampled_from([64, 128, 300]))
def test_chunked_and_whole_file_validation_give_the_same_report(
    tmp_path_factory: Any, rows: list[str], chunk: int
) -> None:
    base = tmp_path_factory.mktemp("generated")
    write(base, "data/calls.csv", "\n".join([HEADER, *rows]) + "\n")
    whole = validate_package(calls(), base)
    chunked = validate_package(calls(), base, chunk_bytes=chunk)
    assert comparable(chunked) == comparable(whole)
    if whole.report.valid:
        assert chunked.tables["calls"].equals(whole.tables["calls"])


def test_a_row_longer_than_a_chunk_is_read_with_the_whole_file(tmp_path: Path) -> None:
    fields = [{"name": "id", "type": "integer"}, {"name": "note", "type": "string"}]
    long_cell = '"' + "很长的说明\n" * 200 + '"'
    text = "id,note\n" + "".join(f"{n},a\n" for n in range(1, 50)) + f"x,{long_cell}\n"
    write(tmp_path, "data/t.csv", text)
    descriptor = package(resource("t", "data/t.csv", fields))
    whole = validate_package(descriptor, tmp_path)
    chunked = validate_package(descriptor, tmp_path, chunk_bytes=256)
    assert triples(chunked) == [[51, "id", "type-error"]]
    assert comparable(chunked) == comparable(whole)


def test_header_rows_spread_over_chunks_still_label_the_columns(tmp_path: Path) -> None:
    fields = [{"name": "id", "type": "integer"}, {"name": "topic", "type": "string"}]
    header = "编号说明很长很长很长很长,咨询主题说明很长很长很长\nid,topic\n"
    text = header + "".join(f"{n},养老\n" for n in range(1, 300)) + "x,医疗\n"
    write(tmp_path, "data/t.csv", text)
    dialect = {"headerRows": [1, 2], "headerJoin": " "}
    descriptor = package(resource("t", "data/t.csv", fields, dialect=dialect))
    whole = validate_package(descriptor, tmp_path)
    chunked = validate_package(descriptor, tmp_path, chunk_bytes=64)
    assert chunked.report.tasks[0].labels == whole.report.tasks[0].labels
    assert [e.row for e in chunked.report.errors] == [e.row for e in whole.report.errors]
    assert comparable(chunked) == comparable(whole)


def test_an_unbalanced_quote_late_in_the_file_reads_as_in_the_whole_file(tmp_path: Path) -> None:
    fields = [{"name": "id", "type": "integer"}, {"name": "topic", "type": "string"}]
    text = "id,topic\n" + "".join(f"{n},a\n" for n in range(1, 300)) + '300,"open\n301,b\n'
    write(tmp_path, "data/t.csv", text)
    descriptor = package(resource("t", "data/t.csv", fields))
    whole = validate_package(descriptor, tmp_path)
    chunked = validate_package(descriptor, tmp_path, chunk_bytes=256)
    assert chunked.report.tasks[0].stats["rows"] == 300  # the quote runs to the end
    assert comparable(chunked) == comparable(whole)


def test_exact_decimals_take_the_scale_of_the_whole_column(tmp_path: Path) -> None:
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "value", "type": "number", "decimalsField": "decimals"},
        {"name": "decimals", "type": "integer"},
    ]
    rows = [f"{n},1.5,1" for n in range(1, 200)] + ["200,2.12345,5"]
    write(tmp_path, "data/t.csv", "id,value,decimals\n" + "\n".join(rows) + "\n")
    descriptor = package(resource("t", "data/t.csv", fields))
    whole = validate_package(descriptor, tmp_path)
    chunked = validate_package(descriptor, tmp_path, chunk_bytes=256)
    assert chunked.report.valid
    assert chunked.tables["t"].equals(whole.tables["t"])
    assert comparable(chunked) == comparable(whole)
