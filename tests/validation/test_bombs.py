"""Zip and XLSX inputs are checked from their central directory before anything is inflated:
bombs, nested archives, escaping member names and crowds of members are refused by name."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tests.validation.conftest import package, resource, types
from validation import ReadFailure, check_zip_file
from validation.reading import ZIP_LIMITS, ZipLimits, check_zip

pytestmark = pytest.mark.slow

FIELDS = [{"name": "region", "type": "string"}, {"name": "count", "type": "integer"}]
SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows: Iterable[list[Any]] = (["region", "count"], ["520100", 1])) -> bytes:
    """A real, small, SYNTHETIC workbook."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_member(base: bytes, name: str, content: bytes | None = None, zeros: int = 0) -> bytes:
    """`base` (a zip) with one more member: `content`, or `zeros` bytes of b"0" streamed."""
    buffer = io.BytesIO(base)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        if content is not None:
            archive.writestr(name, content)
        else:
            with archive.open(name, "w", force_zip64=True) as member:
                chunk = b"0" * 2**20
                for _ in range(zeros // len(chunk)):
                    member.write(chunk)
    return buffer.getvalue()


def replaced_sheet(zeros: int) -> bytes:
    """A workbook whose first sheet is `zeros` bytes of "0": a decompression bomb."""
    source = zipfile.ZipFile(io.BytesIO(workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename != SHEET:
                archive.writestr(member, source.read(member))
    return with_member(buffer.getvalue(), SHEET, zeros=zeros)


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    """1 GiB of zeros as the sheet: about 1 MB on the wire."""
    return replaced_sheet(2**30)


def refusal(data: bytes, limits: ZipLimits = ZIP_LIMITS) -> str:
    with pytest.raises(ReadFailure) as raised, zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_zip(archive, limits)
    assert raised.value.type == "format-error"
    return raised.value.message


def validate_xlsx(validate: Any, content: bytes) -> Any:
    descriptor = package(resource("t", "data/t.xlsx", FIELDS, format="xlsx"))
    return validate(descriptor, {"data/t.xlsx": content})


def test_bomb_of_a_gigabyte_of_zeros_is_about_a_megabyte(gigabyte_bomb: bytes) -> None:
    assert len(gigabyte_bomb) < 2 * 2**20
    message = refusal(gigabyte_bomb)
    assert "would expand to 1,024 MiB, more than 256 MiB" in message


def test_bomb_xlsx_is_reported_naming_the_file_and_never_opened(
    validate: Any, gigabyte_bomb: bytes
) -> None:
    result = validate_xlsx(validate, gigabyte_bomb)
    assert types(result) == ["format-error"]
    message = result.report.errors[0].message
    assert message.startswith("data/t.xlsx: the archive is refused unopened: it would expand")


def test_bomb_under_the_total_is_refused_by_its_ratio(validate: Any) -> None:
    data = replaced_sheet(64 * 2**20)
    assert "member 'xl/worksheets/sheet1.xml' would expand" in refusal(data)
    assert "(at most 100 times)" in refusal(data)
    assert types(validate_xlsx(validate, data)) == ["format-error"]


def test_bomb_ratio_spares_small_members_and_real_sheets() -> None:
    small = with_member(workbook(), "xl/small.xml", b"0" * 500_000)  # ~1000:1, but only 0.5 MB
    rows = [["region", "count"]] + [[f"52{n % 100:04d}", n] for n in range(60_000)]
    real = workbook(rows)
    for data in (small, real):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        assert archive.getinfo(SHEET).file_size > ZIP_LIMITS.ratio_floor


def test_bomb_a_real_workbook_still_validates(validate: Any) -> None:
    assert validate_xlsx(validate, workbook()).report.valid


@pytest.mark.parametrize(
    "name",
    ["../../etc/cron.d/x", "/etc/passwd", "xl/../../x.xml", "..\\..\\x.xml", "C:/Windows/x"],
)
def test_bomb_member_names_that_leave_the_archive_are_refused(name: str, validate: Any) -> None:
    data = with_member(workbook(), name, b"<x/>")
    assert f"member {name!r} points outside the archive" in refusal(data)
    assert types(validate_xlsx(validate, data)) == ["format-error"]


def test_bomb_nested_archives_are_refused_by_name_and_by_content() -> None:
    inner = with_member(b"", "a.txt", b"hello")
    assert "is itself an archive" in refusal(with_member(workbook(), "xl/embeddings/a.zip", inner))
    assert "'xl/media/image1.png' is itself" in refusal(
        with_member(workbook(), "xl/media/image1.png", inner)
    )
    assert "is itself an archive" in refusal(with_member(workbook(), "xl/x.xlsx", workbook()))


def test_bomb_too_many_members_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(ZIP_LIMITS.members + 1):
            archive.writestr(f"m/{number}.xml", b"")
    assert "it has 1001 members, more than 1000" in refusal(buffer.getvalue())


def test_bomb_limits_can_be_passed_in() -> None:
    strict = ZipLimits(total_bytes=1000)
    assert "more than 1,000 bytes" in refusal(workbook(), strict)


def test_bomb_a_lying_directory_yields_no_more_than_it_declares() -> None:
    """What the checks rely on: zipfile stops at the size the directory declares (and the
    check, reading the member's first bytes, already meets the lie)."""
    data = bytearray(with_member(b"", "x.xml", zeros=8 * 2**20))
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = struct.pack("<I", 1000)  # "uncompressed size"
    received = 0
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("x.xml").file_size == 1000
        with archive.open("x.xml") as member, pytest.raises(zipfile.BadZipFile, match="CRC"):
            while chunk := member.read(100):
                received += len(chunk)
        assert received <= 1000
        with pytest.raises(ReadFailure, match=r"member 'x\.xml' is damaged"):
            check_zip(archive)


def test_bomb_check_zip_file_ignores_files_that_are_not_archives(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"region,count\n520100,1\n")
    check_zip_file(tmp_path / "a.csv")
    (tmp_path / "b.xlsx").write_bytes(with_member(workbook(), "../b", b"x"))
    with pytest.raises(ReadFailure, match="points outside"):
        check_zip_file(tmp_path / "b.xlsx")
    (tmp_path / "c.xlsx").write_bytes(workbook()[:200])  # a zip's start, cut short
    with pytest.raises(ReadFailure, match="not a readable zip archive"):
        check_zip_file(tmp_path / "c.xlsx")
