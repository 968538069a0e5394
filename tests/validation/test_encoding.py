"""CSV encodings: whole-file detection, BOM, explicit encodings, undecodable bytes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.validation.conftest import package, resource, triples
from validation.reading import DecodeFailure, decode

FIELDS = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]


def _rows(names: list[str]) -> str:
    return "id,name\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names, start=1))


def test_decode_finds_gbk_text_after_200_kb_of_ascii(validate: Any) -> None:
    ascii_rows = ["ascii"] * 25_000  # ~ 250 KB before the first Chinese character
    text = _rows([*ascii_rows, "贵阳市", "镕基"])  # 镕 is in GBK but not GB2312
    assert len(text.encode("gbk").split("贵".encode("gbk"))[0]) > 200_000
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": text.encode("gbk")})
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("name").to_pylist()[-2:] == ["贵阳市", "镕基"]
    assert result.report.tasks[0].stats["encoding"] == "gb18030"


def test_decode_strips_a_utf8_bom_from_the_first_label(validate: Any) -> None:
    content = b"\xef\xbb\xbf" + _rows(["遵义市"]).encode()
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": content})
    assert result.report.valid, result.report.summary()
    assert result.report.tasks[0].labels == ["id", "name"]
    assert result.tables["data"].column("name").to_pylist() == ["遵义市"]


def test_decode_reads_plain_utf8(validate: Any) -> None:
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": _rows(["六盘水市"])})
    assert result.report.valid and result.report.tasks[0].stats["encoding"] == "utf-8"


def test_decode_lets_an_explicit_encoding_win(validate: Any) -> None:
    # Detection would read these bytes as GB18030; the steward's declaration is obeyed instead.
    content = _rows(["安顺市"]).encode("gbk")
    descriptor = package(resource(fields=FIELDS, encoding="latin-1"))
    result = validate(descriptor, {"data/data.csv": content})
    assert result.report.valid
    expected = "安顺市".encode("gbk").decode("latin-1")
    assert result.tables["data"].column("name").to_pylist() == [expected]


def test_decode_reports_a_file_that_fails_its_declared_encoding(validate: Any) -> None:
    content = _rows(["毕节市"]).encode("gbk")
    result = validate(
        package(resource(fields=FIELDS, encoding="utf-8")), {"data/data.csv": content}
    )
    assert [[e.type, e.row] for e in result.report.errors] == [["encoding-error", None]]
    assert "line 2" in result.report.errors[0].message


def test_decode_reports_invalid_bytes_with_offset_and_line(validate: Any) -> None:
    content = b"id,name\n1,ok\n2,\xff\xff\xff\n"
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": content})
    assert triples(result) == [[None, None, "encoding-error"]]
    message = result.report.errors[0].message
    assert "byte offset 15" in message and "line 3" in message
    assert message.startswith("data/data.csv: ")


def test_decode_refuses_an_unknown_encoding_name() -> None:
    with pytest.raises(DecodeFailure, match="unknown encoding"):
        decode(b"a\n", "klingon")


def test_decode_accepts_gb2312_as_gb18030() -> None:
    assert decode("镕".encode("gb18030"), "GB2312").encoding == "gb18030"
