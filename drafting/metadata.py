"""The parts of a draft descriptor that are not the layout: metadata and the long schema.

Organization, contact and licences are read from an existing dataset's descriptor (the
department publishes every dataset under the same ones), never written here.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from catalog.errors import DescriptorError
from catalog.store import read_descriptor
from drafting.grid import DraftError
from validation import FIRST_YEAR, LAST_YEAR, PERIOD_TYPES

Document = dict[str, object]  # a YAML document being drafted, written out by yaml.safe_dump
TEMPLATE = "guizhou-hrss-indicators"
THEMES = {  # theme slug: (what in the title or headers suggests it, zh keyword, en keyword)
    "social-insurance": (r"保险|养老|社保|insurance|pension", "社会保险", "social insurance"),
    "wages": (r"工资|賃金|报酬|報酬|wage", "工资", "wages"),
    "employment": (r"就业|就業|失业|employ", "就业", "employment"),
    "labour-relations": (r"争议|仲裁|劳动关系|dispute", "劳动关系", "labour relations"),
    "talent": (r"培训|技能|人才|training|skill", "职业培训", "skills training"),
}

# The long table every layout produces (docs/steward.md): name, type, title, title_en, description.
LONG_FIELDS = [
    ("indicator_code", "string", "指标代码", "Indicator code", "The column's indicator."),
    ("region_code", "string", "行政区划代码", "Region code", "GB/T 2260 code (000000 = national)."),
    ("region_as_printed", "string", "原文地区", "Region as printed", "The region cell as printed."),
    ("year", "integer", "年份", "Reference year", "Year the figure refers to."),
    ("period_type", "string", "时期类型", "Period type", "annual: a flow; year_end: a stock."),
    ("period", "string", "时期", "Period", "Normalised period label."),
    ("value", "number", "数值", "Value", "The figure in the normalised unit."),
    ("unit", "string", "计量单位", "Unit", "Normalised unit: scale prefixes removed."),
    ("value_as_printed", "string", "原文数值", "Value as printed", "The cell exactly as printed."),
    ("unit_as_printed", "string", "原文单位", "Unit as printed", "The column's printed unit."),
    ("source_id", "string", "来源编号", "Source id", "The source the figure is taken from."),
    ("source_line", "integer", "原文行号", "Source line", "The line (row) of the file."),
    ("source_column", "integer", "原文列号", "Source column", "The column of the file."),
    ("flags", "string", "标记", "Flags", "Warning checks that fail, ;-joined."),
    ("value_decimals", "integer", "数值小数位", "Value decimals",
     "Digits after the point of the value as printed, after normalisation."),
]  # fmt: skip


# What build checks of a layout's period, stated in the schema too: every reader sees it.
CONSTRAINTS: dict[str, Document] = {
    "year": {"minimum": FIRST_YEAR, "maximum": LAST_YEAR},
    "period_type": {"enum": list(PERIOD_TYPES)},
}


def long_schema() -> Document:
    fields: list[Document] = []
    for name, kind, title, title_en, description in LONG_FIELDS:
        field: Document = {"name": name, "type": kind, "title": title, "title_en": title_en,
                           "description": description}  # fmt: skip
        if name not in {"flags"}:
            field["constraints"] = {"required": True, **CONSTRAINTS.get(name, {})}
        if name == "value":  # served with the decimals it was printed with, row by row
            field["decimalsField"] = "value_decimals"
        fields.append(field)
    return {
        "fields": fields,
        "primaryKey": ["indicator_code", "region_code", "period"],
        "foreignKeys": [{"fields": ["region_code"], "reference": {
            "package": "region-codes", "resource": "regions", "fields": ["code"]}}],
    }  # fmt: skip


def department(datasets: Path) -> Document:
    """Organization, contact and licences as an existing dataset declares them."""
    path = datasets / TEMPLATE / "datapackage.yaml"
    template = _descriptor(path)
    return {key: template[key] for key in ("licenses", "organization", "contact")}


def source_entry(datasets: Path, title: str, path: str, official: bool) -> Document:
    """The `sources` entry: the id and tier `hrss-sources` gives this URL; else the next id
    free in `hrss-sources` and every dataset's own sources, tier A for an official URL, B
    otherwise (a reproduction until the steward says better: `docs/steward.md`)."""
    known = _known_sources(datasets)
    row = next((r for r in known if r.get("url") == path), None)
    if row is not None:
        tier = row.get("reliability_tier") or ("A" if official else "B")
        return {"title": title, "path": path, "reliability_tier": tier, "id": row["source_id"]}
    numbers = [int(i[1:]) for i in _used_ids(datasets, known) if re.fullmatch(r"S\d+", i)]
    source_id = f"S{max(numbers, default=0) + 1:03d}"
    return {"title": title, "path": path, "reliability_tier": "A" if official else "B",
            "id": source_id}  # fmt: skip


def _used_ids(datasets: Path, known: list[dict[str, str]]) -> list[str]:
    """Source ids `hrss-sources` registers and those datasets declare for themselves."""
    ids = [row["source_id"] for row in known]
    for path in sorted(datasets.glob("*/datapackage.yaml")):
        document = _descriptor(path)
        sources = document.get("sources") if isinstance(document, dict) else None
        ids += [str(s.get("id")) for s in sources or [] if isinstance(s, dict)]
    return ids


def _descriptor(path: Path) -> Any:
    """Another dataset's descriptor, read as `build` reads it: its source ids decide this
    draft's, so a fault in it stops the draft, saying why that dataset matters."""
    try:
        return read_descriptor(path, f"{path.parent.name}/{path.name}")
    except DescriptorError as exc:
        raise DraftError(
            f"{exc}; init reads every dataset's source ids to give the new one a free id:"
            " correct that descriptor first"
        ) from None


def _known_sources(datasets: Path) -> list[dict[str, str]]:
    path = datasets / "hrss-sources" / "data" / "sources.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def is_official(url: str | None) -> bool:
    """A government site (`.gov.cn`, or the statistics bureau's mirror named in the sources)."""
    host = urlparse(url).hostname or "" if url else ""
    return host.endswith(".gov.cn") or host == "gov.cn"


def themes_and_keywords(text: str) -> tuple[list[str], list[str], list[str]]:
    found = [t for t, (pattern, _, _) in THEMES.items() if re.search(pattern, text, re.I)]
    themes = found or ["statistics-bulletin"]
    zh = [THEMES[t][1] for t in found] + ["统计表"]
    en = [THEMES[t][2] for t in found] + ["statistical table"]
    return themes, zh, en


def today() -> str:
    return dt.date.today().isoformat()


def english_title(names: list[str], level: str, year: int | None) -> str:
    """A title for a table printed without an English one, from its indicators' names:
    `Urban employee pension participants and 4 more indicators by province, 2008`."""
    unique = list(dict.fromkeys(name for name in names if name))
    if len(unique) > 2:
        named = f"{unique[0]}, {unique[1]} and {len(unique) - 2} more indicators"
    else:
        named = " and ".join(unique) or "Indicators"
    return f"{named} by {level}" + (f", {year}" if year else "")


def descriptions(zh: str, en: str, regions: int, indicators: int) -> tuple[str, str]:
    """What the dataset holds, in Chinese and English: the printed table, read value by value,
    with the printed text kept."""
    kept_zh = ("逐项保留原文数值与单位（`value_as_printed`、`unit_as_printed`），"
               "数值按单位换算为不带数量级前缀的单位（万=10^4，亿=10^8）。")  # fmt: skip
    kept_en = ("Each figure keeps its printed text and unit (`value_as_printed`,"
               " `unit_as_printed`); values are converted exactly to units without a scale"
               " prefix (万 = 10^4, 亿 = 10^8).")  # fmt: skip
    return (
        f"{zh}：{regions} 个地区、{indicators} 项指标，按印刷表格逐格录入。{kept_zh}",
        f"{en}: {regions} regions and {indicators} indicators, read cell by cell from the"
        f" printed table. {kept_en}",
    )
