"""Hostile XLSX files, SYNTHETIC and a few KB each: a real openpyxl workbook whose sheet XML
is then rewritten, since openpyxl itself would build every cell of a huge merge or far cell."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def workbook(rows: Iterable[Iterable[Any]], merges: Iterable[str] = ()) -> bytes:
    """A small workbook of `rows` on its first sheet, with real merged ranges."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, part: str, old: str, new: str) -> bytes:
    """`data` with `old` replaced by `new` (once) in the XML of `part`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == part:
                text = content.decode("utf-8")
                assert old in text, f"{old!r} is not in {part}"
                content = text.replace(old, new, 1).encode("utf-8")
            target.writestr(item.filename, content)
    return buffer.getvalue()


def with_cells(data: bytes, cells: str) -> bytes:
    """`data` with raw `<row>`/`<c>` XML appended to the first sheet's data."""
    return rewritten(data, SHEET, "</sheetData>", cells + "</sheetData>")


def with_merges(data: bytes, refs: Iterable[str]) -> bytes:
    """`data` with merged ranges written straight into the first sheet's XML."""
    listed = list(refs)
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in listed)
    block = f'<mergeCells count="{len(listed)}">{merges}</mergeCells>'
    return rewritten(data, SHEET, "</sheetData>", "</sheetData>" + block)
