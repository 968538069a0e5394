"""The register of the whole catalogue in the shapes the provincial platform imports.

CSV and XLSX: one row per 信息项, the 信息资源's columns repeated on each of its rows (a
dataset without fields still has one row, its 信息项 columns empty), under Chinese headers in
`COLUMNS`' order; lists are joined with `；`. JSON: one object per 信息资源 with its `items`
nested, under the English keys of `COLUMNS`. All three are made from the same `Entry`s, in
dataset-name order, so they say the same thing; the same catalogue gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from catalog.errors import ServiceUnavailable
from catalog.register.entries import JOIN, Entry, Item, Units, entry
from catalog.sql import neutralised
from catalog.store import Package

# More 信息项 than this are not served whole (a department's catalogue has hundreds).
MAX_ITEMS = 100_000
Text = Callable[[Entry], str]
ItemText = Callable[[Item], str]

# (JSON key, header): the 信息资源's columns, then the 信息项's, then the notes.
RESOURCE_COLUMNS: tuple[tuple[str, str, Text], ...] = (
    ("name", "信息资源名称", lambda e: e.name),
    ("code", "信息资源代码", lambda e: e.code),
    ("classification", "信息资源分类", lambda e: e.classification),
    ("provider", "信息资源提供方", lambda e: e.provider),
    ("provider_code", "提供方代码（统一社会信用代码）", lambda e: e.provider_code),
    ("summary", "信息资源摘要", lambda e: e.summary),
    ("format_types", "信息资源格式类型", lambda e: JOIN.join(e.format_types)),
    ("format_subtypes", "信息资源格式子类型", lambda e: JOIN.join(e.format_subtypes)),
    ("sharing_type", "共享类型", lambda e: e.sharing_type),
    ("sharing_conditions", "共享条件", lambda e: e.sharing_conditions),
    ("sharing_method", "共享方式", lambda e: e.sharing_method),
    ("open_type", "开放类型", lambda e: e.open_type),
    ("open_conditions", "开放条件", lambda e: e.open_conditions),
    ("frequency", "更新周期", lambda e: e.frequency),
    ("issued", "发布日期", lambda e: e.issued),
    ("related_codes", "关联资源代码", lambda e: JOIN.join(e.related_codes)),
    ("related", "关联数据集", lambda e: JOIN.join(e.related)),
    ("keywords", "关键字", lambda e: JOIN.join(e.keywords)),
    ("dataset", "数据集标识", lambda e: e.dataset),
)
ITEM_COLUMNS: tuple[tuple[str, str, ItemText], ...] = (
    ("table", "数据表", lambda i: i.table),
    ("table_title", "数据表名称", lambda i: i.table_title),
    ("name", "信息项名称", lambda i: i.name),
    ("identifier", "信息项标识", lambda i: i.identifier),
    ("data_type", "数据类型", lambda i: i.data_type),
    ("schema_type", "表结构类型", lambda i: i.schema_type),
    ("unit", "计量单位", lambda i: i.unit),
    ("description", "信息项描述", lambda i: i.description),
)
NOTES = ("notes", "备注")
# The headers of the columns left empty for want of a declaration (JSON: their keys).
UNDECLARED = ("undeclared", "未声明元素")
HEADERS = (
    *(h for _, h, _ in RESOURCE_COLUMNS),
    *(h for _, h, _ in ITEM_COLUMNS),
    NOTES[1],
    UNDECLARED[1],
)
HEADER_OF = {key: header for key, header, _ in RESOURCE_COLUMNS}


def catalogue_register(
    packages: Iterable[Package], units: Mapping[str, Units] | None = None
) -> list[Entry]:
    """Every dataset's entry, in name order; ServiceUnavailable past MAX_ITEMS 信息项.
    `units`: slug → the units its data states (`data_units`)."""
    ordered = sorted(packages, key=lambda p: p.name)
    codes = {
        p.name: p.register_entry.code for p in ordered if p.register_entry and p.register_entry.code
    }
    stated = units or {}
    entries = [_with_duplicates(entry(p, codes, stated.get(p.name)), codes) for p in ordered]
    if sum(len(e.items) for e in entries) > MAX_ITEMS:
        raise ServiceUnavailable(f"the register has more than {MAX_ITEMS:,} 信息项 to serve whole")
    return entries


def _with_duplicates(found: Entry, codes: dict[str, str]) -> Entry:
    """A code declared by two datasets is said in both entries' notes (a steward's mistake
    the platform would otherwise file as one resource)."""
    others = [slug for slug, code in codes.items() if code == found.code and slug != found.dataset]
    if not found.code or not others:
        return found
    note = f"信息资源代码与 {JOIN.join(others)} 重复"
    return Entry(**{**found.__dict__, "notes": (*found.notes, note)})


def register_rows(entries: list[Entry]) -> list[list[str]]:
    """One row per 信息项 (one for a dataset without any), headers first."""
    rows = [list(HEADERS)]
    for found in entries:
        head = [text(found) for _, _, text in RESOURCE_COLUMNS]
        tail = [JOIN.join(found.notes), JOIN.join(HEADER_OF[k] for k in found.undeclared)]
        for item in found.items or (None,):
            cells = [text(item) if item else "" for _, _, text in ITEM_COLUMNS]
            rows.append([*head, *cells, *tail])
    return rows


def register_csv(entries: list[Entry]) -> bytes:
    """UTF-8 with a byte-order mark (what Excel needs to read it as UTF-8), CRLF lines."""
    out = io.StringIO()
    # Every cell is text a person reads in a spreadsheet: formulas are neutralised.
    rows = ([neutralised(cell) for cell in row] for row in register_rows(entries))
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def register_xlsx(entries: list[Entry], created: datetime) -> bytes:
    """One sheet, every cell text; `created` fixes the workbook's stamp, so that the same
    catalogue gives the same bytes."""
    # Imported here: a server that never writes a workbook need not hold the library.
    import xlsxwriter

    target = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(target, options) as book:
        book.set_properties({"created": created, "title": "政务信息资源目录"})
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet("信息资源目录")
        sheet.freeze_panes(1, 0)
        for number, row in enumerate(register_rows(entries)):
            for column, value in enumerate(row):
                if value or number == 0:
                    sheet.write_string(number, column, value, bold if number == 0 else None)
    return target.getvalue()


def register_json(entries: list[Entry]) -> list[dict[str, Any]]:
    """The entries with their 信息项 nested; lists stay lists."""
    return [_entry_json(found) for found in entries]


def _entry_json(found: Entry) -> dict[str, Any]:
    lists = {
        "format_types": found.format_types,
        "format_subtypes": found.format_subtypes,
        "related_codes": found.related_codes,
        "related": found.related,
        "keywords": found.keywords,
    }
    document: dict[str, Any] = {
        key: list(lists[key]) if key in lists else text(found) for key, _, text in RESOURCE_COLUMNS
    }
    document["items"] = [{key: text(i) for key, _, text in ITEM_COLUMNS} for i in found.items]
    document[NOTES[0]] = list(found.notes)
    document[UNDECLARED[0]] = list(found.undeclared)
    return document
