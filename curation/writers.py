"""Writing the data files: CSV in a chosen encoding, and XLSX reproducible byte for byte."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# openpyxl stamps the save time into the file; a fixed one keeps reruns byte-identical.
FIXED_ZIP_TIME = (2026, 11, 25, 0, 0, 0)
FIXED_XLSX_TIME = "2026-11-25T00:00:00Z"
# openpyxl writes its XML through lxml when lxml is installed and through ElementTree when not,
# and the two differ in spacing and in where namespaces are declared. Every part is written
# again through ElementTree with these prefixes, so the bytes do not depend on what else is
# installed (a test dependency brings lxml).
PART_PREFIXES = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
for _prefix, _uri in PART_PREFIXES.items():
    ET.register_namespace(_prefix, _uri)


def write_csv(
    path: Path, columns: Sequence[str], records: Iterable[dict[str, str]], encoding: str = "utf-8"
) -> None:
    """A CSV with `\\n` line ends, its folder created if needed."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(
    path: Path, sheet: str, title: str, columns: Sequence[str], records: Iterable[dict[str, str]],
    numeric: set[str],
) -> None:  # fmt: skip
    """An XLSX with a title row above the header, reproducible byte for byte."""
    workbook = Workbook()
    worksheet = workbook.active
    if not isinstance(worksheet, Worksheet):  # a new workbook always has one worksheet
        raise TypeError(f"unexpected active sheet {worksheet!r}")
    worksheet.title = sheet
    worksheet.append([title])
    worksheet.append(list(columns))
    for record in records:
        worksheet.append([cell_value(record[c], c in numeric) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pin_zip_times(buffer.getvalue()))


def cell_value(text: str, numeric: bool) -> str | int | float | None:
    """The cell for a record's text: empty stays empty, numeric columns become numbers."""
    if text == "":
        return None
    if not numeric:
        return text
    number = Decimal(text)
    # exact for these figures: integers, or at most 4 decimals well inside float precision
    return int(number) if number == number.to_integral_value() else float(number)


def written_again(part: bytes) -> bytes:
    """An XML part as ElementTree writes it: its root's namespace declared as the default one
    (unless it has a prefix of its own: `cp:coreProperties`, `a:theme`), the others prefixed."""
    root = ET.fromstring(part)
    uri = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if uri and uri not in PART_PREFIXES.values():
        # ElementTree's own `default_namespace` refuses attributes without a namespace.
        qualified = "{" + uri + "}"
        for element in root.iter():
            element.tag = element.tag.removeprefix(qualified)
        root.set("xmlns", uri)
    written: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return written


def pin_zip_times(data: bytes) -> bytes:
    """openpyxl stamps the save time into the zip entries and docProps/core.xml: pin both."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                content = written_again(content)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_XLSX_TIME.encode() + rb"\g<3>",
                    content,
                )
            pinned = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o644 << 16
            target.writestr(pinned, content)
    return out.getvalue()
