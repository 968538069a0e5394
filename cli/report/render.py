"""The figures printed: as the report's text (Chinese, or English), as CSV, as JSON.

CSV and JSON are the rows of the published dataset (`Figure.row`), both languages' labels in
them; the text is the report's shape: a section per matter, a line per figure, and the use
as two tables (by channel, by dataset). Widths count a Chinese character as two columns.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import fields

from catalog.state import USAGE_CHANNELS
from cli.report.figures import ALL, Figure
from cli.report.labels import DATASETS, SECTIONS, UNITS_EN, breakdown_labels

COLUMNS = [f.name for f in fields(Figure)]
KIND_INDICATORS = ("downloads", "api_calls", "page_views")
TABLE_HEADS = (("下载", "接口调用", "页面浏览"), ("Downloads", "API calls", "Page views"))


def as_csv(figures: list[Figure]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(f.row() for f in figures)
    return out.getvalue()


def as_json(figures: list[Figure], year: int, title: str) -> str:
    document = {"year": year, "title": title, "rows": [f.row() for f in figures]}
    return json.dumps(document, ensure_ascii=False, indent=1)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    space = " " * max(0, columns - width(text))
    return space + text if right else text + space


def as_text(figures: list[Figure], title: str, lang: str = "zh") -> str:
    return "\n".join([title, "", *_lines(figures, lang)]) + "\n"


def _lines(figures: list[Figure], lang: str) -> Iterator[str]:
    zh = lang == "zh"
    # The figures' column starts after the widest label (a long denial ground included).
    columns = max([64, *(width(_label(f, zh)) + 2 for f in figures if f.dataset == ALL)])
    for section, (heading_zh, heading_en) in SECTIONS.items():
        yield heading_zh if zh else heading_en
        mine = [f for f in figures if f.section == section]
        if section == "use":
            yield from _use(mine, zh)
        else:
            yield from (_line(f, zh, columns) for f in mine if f.dataset == ALL)
        yield ""


def _label(found: Figure, zh: bool) -> str:
    label = found.indicator_zh if zh else found.indicator_en
    if found.breakdown != ALL:
        label = ("    其中：" if zh else "    of which: ") + (
            found.breakdown_zh if zh else found.breakdown_en
        )
    return label


def _line(found: Figure, zh: bool, columns: int) -> str:
    value = _value(found)
    unit = found.unit if zh else UNITS_EN.get(found.unit, found.unit)
    if not zh and value == "1":  # 1 dataset, 1 request, 1 working day
        unit = unit.removesuffix("s")
    return f"  {pad(_label(found, zh), columns)}{pad(value, 8, right=True)} {unit}"


def _value(found: Figure) -> str:
    return f"{found.value:.{found.value_decimals}f}"


def _use(figures: list[Figure], zh: bool) -> Iterator[str]:
    table = {(f.indicator_code, f.dataset, f.breakdown): _value(f) for f in figures}
    heads = list(TABLE_HEADS[0 if zh else 1])
    yield "  " + ("按渠道（次）" if zh else "By channel (times)")
    yield _row("渠道" if zh else "Channel", heads)
    for channel in (*USAGE_CHANNELS, ALL):
        label = breakdown_labels(channel)[0 if zh else 1]
        yield _row(label, [table.get((k, ALL, channel), "0") for k in KIND_INDICATORS])
    yield "  " + ("按数据集（次）" if zh else "By dataset (times)")
    yield _row("数据集" if zh else "Dataset", heads)
    datasets = sorted({d for (_k, d, b) in table if b == ALL and d != ALL}, key=_dataset_order)
    for dataset in [*datasets, ALL]:
        label = DATASETS.get(dataset, (dataset, dataset))[0 if zh else 1]
        yield _row(label, [table.get((k, dataset, ALL), "0") for k in KIND_INDICATORS])


def _row(label: str, cells: list[str]) -> str:
    return "    " + pad(label, 40) + "".join(pad(cell, 14, right=True) for cell in cells)


def _dataset_order(dataset: str) -> tuple[bool, str]:
    return dataset == "*", dataset  # use about no one dataset last
