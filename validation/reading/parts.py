"""The parts of an XLSX workbook a sheet is read from, found as openpyxl finds them.

Every part is streamed (expat, no DTD, so no entity ever expands). The workbook is found by
the package relationships and checked against `[Content_Types].xml`, which openpyxl reads:
parts that disagree would let this scan measure one sheet while openpyxl reads another.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.parsers import expat

from validation.reading.readers import ReadFailure

Handler = Callable[[str, dict[str, str]], None]
_CHUNK = 2**16


def locate(archive: zipfile.ZipFile, sheet: Any) -> tuple[str, str, str | None]:
    """The chosen worksheet's title and part, and the shared strings part if there is one."""
    book = _targets(archive, "_rels/.rels", "").get("officeDocument", ["xl/workbook.xml"])[0]
    folder = posixpath.dirname(book)
    rels = posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels")
    by_id = _relations(archive, rels, folder)
    named: list[tuple[str, str]] = []
    hidden: set[str] = set()

    def on_sheet(name: str, attrs: dict[str, str]) -> None:
        target = by_id.get(attrs.get(_R_ID, ""))
        if _local(name) == "sheet" and target is not None and target[0] == "worksheet":
            named.append((attrs.get("name", ""), target[1]))
            if attrs.get("state", "visible") != "visible":
                hidden.add(attrs.get("name", ""))

    stream(archive, book, on_sheet)
    strings = next((path for kind, path in by_id.values() if kind == "sharedStrings"), None)
    _agree(archive, book, strings)
    title, part = _choose(named, sheet, hidden)
    return title, part, strings


def _agree(archive: zipfile.ZipFile, book: str, strings: str | None) -> None:
    """openpyxl finds the workbook and its shared strings by `[Content_Types].xml`, this scan
    by the relationships: parts that disagree would be measured here and read there."""
    typed: dict[str, set[str]] = {"main": set(), "strings": set()}

    def on_override(name: str, attrs: dict[str, str]) -> None:
        kind, part = attrs.get("ContentType", ""), attrs.get("PartName", "").lstrip("/")
        if _local(name) == "Override" and "spreadsheetml" in kind:
            if kind.endswith(".main+xml"):
                typed["main"].add(posixpath.normpath(part))
            elif kind.endswith("sharedStrings+xml"):
                typed["strings"].add(posixpath.normpath(part))

    if "[Content_Types].xml" in archive.namelist():
        stream(archive, "[Content_Types].xml", on_override)
    if typed["main"] - {book} or typed["strings"] - {strings}:
        raise ReadFailure("format-error", "the workbook is damaged: its parts disagree on"
                          " which is the workbook or its shared strings")  # fmt: skip


_R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"


def _relations(archive: zipfile.ZipFile, part: str, folder: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (the last word of its type, the part it points at)."""
    found: dict[str, tuple[str, str]] = {}

    def on_relation(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            kind = attrs.get("Type", "").rsplit("/", 1)[-1]
            found[attrs.get("Id", "")] = (kind, posixpath.normpath(path))

    if part in archive.namelist():
        stream(archive, part, on_relation)
    return found


def _targets(archive: zipfile.ZipFile, part: str, folder: str) -> dict[str, list[str]]:
    targets: dict[str, list[str]] = {}
    for kind, path in _relations(archive, part, folder).values():
        targets.setdefault(kind, []).append(path)
    return targets


def _choose(named: list[tuple[str, str]], sheet: Any, hidden: set[str]) -> tuple[str, str]:
    """The sheet asked for by name or number; by default the first one a reader sees (a
    hidden first sheet is a workbook's scratch, not its table)."""
    if not named:
        raise ReadFailure("format-error", "the workbook has no worksheet")
    if sheet is None:
        return next((pair for pair in named if pair[0] not in hidden), named[0])
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 1 <= sheet <= len(named):
            return named[sheet - 1]
    else:
        for title, part in named:
            if title == str(sheet):
                return title, part
    names = ", ".join(title for title, _ in named)
    raise ReadFailure("format-error", f"the workbook has no sheet {sheet!r}; it has {names}")


def count_strings(archive: zipfile.ZipFile, part: str | None) -> int:
    count = 0

    def on_item(name: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += _local(name) == "si"

    if part is not None and part in archive.namelist():
        stream(archive, part, on_item)
    return count


def stream(
    archive: zipfile.ZipFile,
    part: str,
    start: Handler,
    end: Callable[[str], None] | None = None,
    characters: Callable[[str], None] | None = None,
) -> None:
    """Feed a part to expat in chunks; handlers see names as `namespace local` (`local` strips
    them). A DTD is refused, so no entity is ever expanded."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.buffer_text = True  # one call per text run, not per chunk of it
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if characters is not None:
        parser.CharacterDataHandler = characters
    with archive.open(part) as source:
        for chunk in _chunks(source):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(_CHUNK):
        yield chunk


def _no_doctype(*_: object) -> None:
    raise ValueError("a part declares a DTD, which a workbook never needs")


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]
