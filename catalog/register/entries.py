"""One dataset as an entry of the provincial register (《政务信息资源目录编制指南（试行）》,
GB/T 21063.3): what each element is derived from, or declared by the steward.

A dataset (a Data Package; a CKAN package; a DCAT dataset) is one 信息资源; the fields of its
tables are its 信息项. What no descriptor property gives (the provider's 统一社会信用代码, the
信息资源代码, the 共享属性) is read from the steward's declarations and never made up: left
unset, the element is empty and the entry's `notes` say which elements were not declared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from catalog.metadata import (
    ACCESS_LEVELS,
    FIELD_TYPES,
    FREQUENCIES,
    UNIT_LABELS,
    label,
    language_of,
)
from catalog.register.formats import catalogue_formats
from catalog.series import FIGURE_COLUMNS
from catalog.store import RESOURCE_CLASSES, RESOURCE_CODE, Package, Resource, TableField

# 信息资源格式: every table is offered in the same forms (`catalog.register.formats`).
FORMATS = catalogue_formats()
# Table Schema type → the guide's data type of an 信息项 (字符型 C, 数值型 N, 整型 I,
# 日期型 D, 日期时间型 T, 逻辑型 L): a whole number (a year too) is 整型, a decimal 数值型 (the
# guide's numeric with a precision; 浮点型 would say binary floating point, which the
# published decimals are not); a type with no closer kind (year-month, time, any) is text.
ITEM_TYPES = {
    "string": "字符型C",
    "integer": "整型I",
    "number": "数值型N",
    "year": "整型I",
    "boolean": "逻辑型L",
    "date": "日期型D",
    "datetime": "日期时间型T",
}
JOIN = "；"
# The columns every indicator table shares (`catalog.series.FIGURE_COLUMNS` and what the
# curation and the printed layouts add), described once, in Chinese, by the register (each
# Chinese by `language_of`'s rule too: more Han characters than Latin letters).
LONG_COLUMNS = {
    "indicator_code": "指标代码，见指标代码数据集（indicator-codes）的指标表",
    "region_code": "行政区划代码（GB/T 2260），000000 表示全国",
    "region_as_printed": "原文所印的地区名称",
    "year": "数值所属年份",
    "period_type": "时期类型，如全年流量（annual）、年末存量（year_end），其余类型见指标代码数据集",
    "period": "规范化的时期标签，如 2020、2020-12、2019-Q4、2020-YTD、2012..2016",
    "value": "按规范单位换算后的数值（保留原文精度）",
    "unit": "数值的规范计量单位（已去掉万、亿等数量级）",
    "value_as_printed": "原文所印的数值",
    "unit_as_printed": "原文所印的计量单位",
    "value_decimals": "原文数值的小数位数",
    "source_id": "数值所出自的来源编号，见数据集 hrss-sources",
    "also_source_ids": "印有相同数值的其他来源编号",
    "source_line": "原文文件中的行号",
    "source_column": "原文文件中的列号",
    "period_as_printed": "原文所印的时期",
    "qualifier": "原文对数值口径的限定说明",
    "flags": "整理标记，以英文代码记录，如修订值（revised）、四舍五入值（rounded）、原文印误等",
    "note": "整理说明或原文注释",
    "reason": "该数值未被采用的原因",
    "has_alternatives": "同一时期是否另有来源印有不同数值",
}
# Units the sources print in another language or script, as the guide's Chinese unit (the
# units reference, indicator-codes `units`, gives each one's factor): the English bulletin
# prints `million persons`, the Korean page `억원` (= 亿元), the Japanese yearbook `億元`.
PRINTED_UNITS = {"million persons": "百万人", "억원": "亿元", "億元": "亿元"}
FOREIGN_SCRIPT = re.compile(r"[\u3040-\u30ff\u1100-\u11ff\uac00-\ud7af]")  # kana, hangul
SHARING = {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}
NOT_DECLARED = {
    "code": "信息资源代码未声明",
    "credit_code": "提供方统一社会信用代码未声明",
    "sharing": "共享属性未声明",
    "open_conditions": "有条件开放的开放条件未声明",
}
# What a missing declaration leaves empty: the entry's elements, by their JSON keys.
LEFT_EMPTY = {
    "code": ("code", "classification"),
    "credit_code": ("provider_code",),
    "sharing": ("sharing_type", "sharing_conditions", "sharing_method"),
    "open_conditions": ("open_conditions",),
}


@dataclass(frozen=True)
class Item:
    """信息项: one field of one table of the dataset."""

    table: str
    table_title: str
    name: str
    identifier: str
    data_type: str
    schema_type: str
    unit: str
    description: str


@dataclass(frozen=True)
class Entry:
    """One 信息资源 of the register, its elements in the guide's order."""

    dataset: str
    name: str
    code: str
    classification: str
    provider: str
    provider_code: str
    summary: str
    format_types: tuple[str, ...]  # the n-th type is that of the n-th sub-type
    format_subtypes: tuple[str, ...]
    items: tuple[Item, ...]
    sharing_type: str
    sharing_conditions: str
    sharing_method: str
    open_type: str
    open_conditions: str
    frequency: str
    issued: str
    related: tuple[str, ...]
    related_codes: tuple[str, ...]
    keywords: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    # The elements left empty because the steward has not declared them (JSON keys): the
    # machine-readable form of the `notes`, so that empty never reads as "none".
    undeclared: tuple[str, ...] = field(default=())


def entry(package: Package, codes: dict[str, str], units: Units | None = None) -> Entry:
    """The register entry of `package`; `codes`: slug → declared 信息资源代码 of the catalogue;
    `units`: the units its data states (`catalog.register.units.data_units`)."""
    declared = package.register_entry
    sharing = declared.sharing if declared is not None else None
    organization = package.organization
    related = related_datasets(package)
    missing = undeclared(package, codes)
    return Entry(
        dataset=package.name,
        name=package.title or package.name,
        code=codes.get(package.name, ""),
        classification=classification(codes.get(package.name, "")),
        provider=(organization.title or organization.name) if organization else "",
        provider_code=(organization.credit_code or "") if organization else "",
        summary=summary(package.description or ""),
        format_types=tuple(kind for kind, _ in FORMATS),
        format_subtypes=tuple(subtype for _, subtype in FORMATS),
        items=tuple(i for r in package.resources for i in items(r, units or {})),
        sharing_type=SHARING[sharing.type] if sharing else "",
        sharing_conditions=(sharing.conditions or "") if sharing else "",
        sharing_method=(sharing.method or "") if sharing else "",
        open_type=label(ACCESS_LEVELS, package.access_level, "zh") if package.access_level else "",
        open_conditions=_open_conditions(package),
        frequency=label(FREQUENCIES, package.frequency, "zh") if package.frequency else "",
        issued="" if package.issued is None else str(package.issued)[:10],
        related=related,
        related_codes=related_codes(package, related, codes),
        keywords=tuple(package.keywords),
        notes=tuple(NOT_DECLARED[key] for key in missing),
        undeclared=tuple(element for key in missing for element in LEFT_EMPTY[key]),
    )


Units = Mapping[tuple[str, str], tuple[str, ...]]  # (resource, field) → units its data states


def items(resource: Resource, units: Units) -> list[Item]:
    schema = resource.table_schema
    fields = schema.fields if schema else []
    title = resource.title or resource.name
    shaped = set(FIGURE_COLUMNS) <= {f.name for f in fields}
    return [
        _item(resource.name, title, f, units.get((resource.name, f.name), ()), shaped)
        for f in fields
    ]


def _item(table: str, title: str, found: TableField, units: tuple[str, ...], shaped: bool) -> Item:
    return Item(
        table=table,
        table_title=title,
        name=found.title or found.name,
        identifier=found.name,
        data_type=ITEM_TYPES.get(found.type, "字符型C"),
        schema_type=f"{found.type}（{label(FIELD_TYPES, found.type, 'zh')}）",
        unit=JOIN.join(unit_label(u) for u in ((found.unit,) if found.unit else units)),
        description=description(found, shaped),
    )


def description(found: TableField, shaped: bool) -> str:
    """信息项描述 in Chinese: the field's description when it is Chinese; for a column of the
    indicator tables' long shape, the register's own text; else the field's Chinese title;
    the English description only when the descriptor gives nothing Chinese. A text is
    Chinese as DCAT tags it (`language_of`: Han characters at least as many as Latin
    letters), not for holding one Han character (`万 10^4` in an English sentence)."""
    own = found.description or ""
    if own and language_of(own) == "zh":
        return own
    if shaped and found.name in LONG_COLUMNS:
        return LONG_COLUMNS[found.name]
    if found.title and language_of(found.title) == "zh":
        return found.title
    return own


def summary(description: str) -> str:
    """信息资源摘要: the description's first paragraph, where our descriptors say what the
    dataset holds (the paragraphs after it say how it was curated)."""
    first = description.strip().split("\n\n", 1)[0]
    return " ".join(first.split())


def classification(code: str) -> str:
    """类/项/目/细目 as the code's 前段码 gives them, e.g. `部门信息资源 3-01-001`."""
    match = RESOURCE_CODE.fullmatch(code)
    if match is None:
        return ""
    parts = [p for p in match.groups()[:4] if p]
    return f"{RESOURCE_CLASSES[parts[0]]} {'-'.join(parts)}"


def related_datasets(package: Package) -> tuple[str, ...]:
    """The datasets this one refers to: foreign keys into them, tables copied from them and
    checks against them, in name order."""
    found: set[str] = set()
    for resource in package.resources:
        if resource.embedded_from is not None:
            found.add(resource.embedded_from.package)
        schema = resource.table_schema
        found.update(
            k.reference.package
            for k in (schema.foreignKeys if schema else [])
            if k.reference.package
        )
    for check in package.checks:
        target = check.reference.package if check.reference is not None else None
        if isinstance(target, str):
            found.add(target)
    found.discard(package.name)
    return tuple(sorted(found))


def related_codes(
    package: Package, related: tuple[str, ...], codes: dict[str, str]
) -> tuple[str, ...]:
    """关联资源代码: the declared codes of the related datasets, then the steward's own; never
    the dataset's own code (another dataset may share it by mistake, `_with_duplicates`)."""
    declared = package.register_entry
    own = list(declared.related) if declared is not None else []
    inside = [codes[slug] for slug in related if codes.get(slug)]
    mine = codes.get(package.name)
    return tuple(code for code in dict.fromkeys(inside + own) if code != mine)


def unit_label(unit: str) -> str:
    """计量单位 in Chinese: a unit code (`ratio`) by its Chinese label, a unit as written; a
    unit a source printed in another language or script (`PRINTED_UNITS`) as the guide's
    Chinese unit with the printed form after it; any other not in Chinese said as printed."""
    if unit in PRINTED_UNITS:
        return f"{PRINTED_UNITS[unit]}（原文印作 {unit}）"
    written = label(UNIT_LABELS, unit, "zh")
    if language_of(written) != "zh" or FOREIGN_SCRIPT.search(written):
        return f"{written}（原文所印）"
    return written


def undeclared(package: Package, codes: dict[str, str]) -> tuple[str, ...]:
    """Which declarations the steward has not made (`NOT_DECLARED`' keys): the register
    leaves their elements empty."""
    declared = package.register_entry
    organization = package.organization
    missing = {
        "code": not codes.get(package.name),
        "credit_code": organization is None or not organization.credit_code,
        "sharing": declared is None or declared.sharing is None,
        "open_conditions": package.access_level == "conditional" and not _open_conditions(package),
    }
    return tuple(key for key, absent in missing.items() if absent)


def _open_conditions(package: Package) -> str:
    """开放条件: the register's own declaration, else the descriptor's `access_conditions`."""
    declared = package.register_entry
    return (declared.open_conditions if declared else None) or package.conditions()
