"""DataStore dumps (`/datastore/dump/{id}`, ckanext/datastore/writer.py): CSV, TSV, JSON, XML.

Each writer reads the Arrow batches of the dump's query as they come. CSV and TSV are written
by the output renderer (`catalog.query.renderer`) from cells selected as `Cells.DELIMITED`, the
header as Python's csv module writes CKAN's; JSON and XML read one JSON object text per row.
`_id` comes first; a text cell a spreadsheet would run as a formula gets a leading `'`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

import pyarrow as pa

from catalog.ckan.datastore.tables import Field
from catalog.query import BOM, delimited_chunks, delimited_line
from catalog.sql import dumps_exact, loads_exact

DUMP_FORMATS = ("csv", "tsv", "json", "xml")
DUMP_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# Characters XML 1.0 cannot hold even escaped (control characters, lone surrogates, U+FFFE/F):
# written as U+FFFD, so that a text cell holding one still leaves a well-formed dump.
XML_UNFIT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"
XML_NAME_RULES = [
    (re.compile(r"^(\d*xml\d*|\d+)", re.IGNORECASE), ""),
    (re.compile(r"\s+"), "_"),
    (re.compile(r"[^\w_.-]"), ""),
    (re.compile(r"^[\d.-]+"), ""),
]

Batches = Iterator[pa.RecordBatch]
Writer = Callable[[Batches, list[Field], str, bool], Iterator[bytes]]


def dump_chunks(batches: Batches, fields: list[Field], fmt: str, bom: bool) -> Iterator[bytes]:
    """The dump's bytes in `fmt`, one of DUMP_FORMATS."""
    return WRITERS[fmt](batches, fields, fmt, bom)


def _csv_dump(batches: Batches, fields: list[Field], fmt: str, bom: bool) -> Iterator[bytes]:
    delimiter = "\t" if fmt == "tsv" else ","
    header = delimited_line([f["id"] for f in fields], delimiter, "\r\n").encode()
    # The query's last column is `_id` again, for paging: not shown.
    return delimited_chunks(batches, header, delimiter=delimiter, bom=bom, width=len(fields))


def _json_dump(batches: Batches, fields: list[Field], fmt: str, bom: bool) -> Iterator[bytes]:
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    opening = '{\n  "fields": ' + head + ',\n  "records": ['
    yield (BOM if bom else b"") + opening.encode()
    first = True
    for batch in batches:
        parts = []
        for text in cast("list[str]", batch.column(0).to_pylist()):  # JSON text, never null
            values = list(loads_exact(text).values())
            parts.append(("\n    " if first else ",\n    ") + _compact(values))
            first = False
        if parts:
            yield "".join(parts).encode()
    yield b"\n]}\n"


def _compact(value: Any) -> str:
    return dumps_exact(value, separators=(",", ":"))


def _xml_dump(batches: Batches, fields: list[Field], fmt: str, bom: bool) -> Iterator[bytes]:
    yield (BOM if bom else b"") + (
        b'<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    )
    names = [f["id"] for f in fields]
    elements = _xml_names([n for n in names if n != "_id"])
    for batch in batches:
        lines = []
        for text in cast("list[str]", batch.column(0).to_pylist()):  # JSON text, never null
            record = loads_exact(text)
            attribute = f" _id={quoteattr(str(record['_id']))}" if "_id" in record else ""
            cells = "".join(_xml_cell(elements[n], record[n]) for n in elements)
            lines.append(f"<row{attribute}>{cells}</row>\n")
        if lines:
            yield "".join(lines).encode()
    yield b"</data>\n"


def _xml_names(columns: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in columns:
        element = column
        for rule, replacement in XML_NAME_RULES:
            element = rule.sub(replacement, element)
        unique, suffix = element, 0
        while unique in found.values():
            unique = f"{element}_{suffix}"
            suffix += 1
        found[column] = unique
    return found


def _xml_cell(element: str, value: Any) -> str:
    if value is None:
        return f'<{element} xsi:nil="true" />'
    if isinstance(value, bool):
        value = "True" if value else "False"
    return f"<{element}>{escape(XML_UNFIT.sub(REPLACEMENT, str(value)))}</{element}>"


WRITERS: dict[str, Writer] = {
    "csv": _csv_dump,
    "tsv": _csv_dump,
    "json": _json_dump,
    "xml": _xml_dump,
}
