"""The catalogue's vocabularies, labelled in Chinese and English: themes (with the EU data
themes they fall under), update frequencies, access levels, source reliability tiers and
Table Schema field types.

Pure data: each maps a descriptor's code to its (zh, en) labels, or to its code in another
vocabulary (EU authorities, data.json); `label` picks a label. The codes themselves are
`catalog.store.model.vocabulary`'s, the ones the descriptor model accepts.
"""

from __future__ import annotations

from typing import Final

# Theme slug → (zh, en); the order is the order of the home page.
THEMES: Final[dict[str, tuple[str, str]]] = {
    "social-insurance": ("社会保险", "Social insurance"),
    "employment": ("就业创业", "Employment and entrepreneurship"),
    "wages": ("工资收入", "Wages and income"),
    "statistics-bulletin": ("统计公报", "Statistical bulletins"),
    "government-transparency": ("政务公开", "Government transparency"),
    "labour-relations": ("劳动关系", "Labour relations"),
    "talent": ("人才人事", "Talent and personnel"),
    "reference-data": ("基础代码", "Reference data"),
}
# Theme slug → the EU data theme it falls under (dcat:theme for European harvesters).
THEME_EU_CODES: Final[dict[str, str]] = {
    "social-insurance": "SOCI",
    "employment": "SOCI",
    "wages": "ECON",
    "statistics-bulletin": "GOVE",
    "government-transparency": "GOVE",
    "labour-relations": "SOCI",
    "talent": "EDUC",
    "reference-data": "GOVE",
}
# 更新周期 → (zh, en): the zh labels are the words of 《政务信息资源目录编制指南（试行）》
# (实时、每日、每周、每月、每季度、每年), and in the same form for the codes it has no word for.
FREQUENCIES: Final[dict[str, tuple[str, str]]] = {
    "realtime": ("实时", "Real time"),
    "daily": ("每日", "Daily"),
    "weekly": ("每周", "Weekly"),
    "monthly": ("每月", "Monthly"),
    "quarterly": ("每季度", "Quarterly"),
    "semiannual": ("每半年", "Every six months"),
    "annual": ("每年", "Annual"),
    "irregular": ("不定期", "Irregular"),
    "archived": ("归档不更新", "Archived, not updated"),
    "other": ("其他", "Other"),
}
# A normalised unit (the `unit` column of the indicator tables) that is a code, not a word a
# Chinese reader reads → (zh, en); every other unit is already written as printed (元, 人, %).
UNIT_LABELS: Final[dict[str, tuple[str, str]]] = {
    "ratio": ("比值", "ratio"),  # a dimensionless ratio of two quantities (抚养比, 求人倍率)
}
ACCESS_LEVELS: Final[dict[str, tuple[str, str]]] = {
    "unconditional": ("无条件开放", "Open without conditions"),
    "conditional": ("有条件开放", "Open on conditions"),
}
# 更新周期 → EU frequency authority (dct:accrualPeriodicity).
FREQUENCY_EU_CODES: Final[dict[str, str]] = {
    "realtime": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "irregular": "IRREG",
    "archived": "NEVER",
    "other": "OTHER",
}
# 开放属性 → EU access-right authority (不予开放 would be NON_PUBLIC; such data is not published).
ACCESS_RIGHT_EU_CODES: Final[dict[str, str]] = {
    "unconditional": "PUBLIC",
    "conditional": "RESTRICTED",
}
# 开放属性 → data.json's accessLevel (Project Open Data's three values; "non-public" unused).
DATAJSON_ACCESS_LEVELS: Final[dict[str, str]] = {
    "unconditional": "public",
    "conditional": "restricted public",
}
# period_type: (name_zh, name_en); the datasets' field description defines each.
PERIOD_TYPE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "annual": ("年度（全年流量）", "Annual (flow over the calendar year)"),
    "year_end": ("年末（12月31日存量）", "Year end (stock at 31 December)"),
    "cumulative": ("累计（自项目开始至年末）", "Cumulative (since a programme began)"),
    "year_to_date": ("年初至今", "Year to date"),
    "half_year": ("半年", "Half year"),
    "quarter": ("季度", "Quarter"),
    "month_end": ("月度", "Month"),
    "target": ("目标值", "Target (planned figure)"),
    "multi_year": ("多年合计", "Total over several years"),
    "point_in_time": ("时点（指定日期存量）", "Point in time (stock at a stated date)"),
}

TIERS: Final[dict[str, tuple[str, str]]] = {
    "A": ("官方发布或官方统计表", "Official release or statistical table"),
    "B": ("媒体转载的官方发布", "Media reproduction of an official release"),
    "C": ("二手来源或页面有乱码", "Secondary source or garbled page"),
}
FIELD_TYPES: Final[dict[str, tuple[str, str]]] = {
    "string": ("文本", "text"),
    "integer": ("整数", "integer"),
    "number": ("数值", "number"),
    "boolean": ("布尔", "boolean"),
    "date": ("日期", "date"),
    "datetime": ("日期时间", "date-time"),
    "year": ("年份", "year"),
    "yearmonth": ("年月", "year-month"),
}


# EU file-type code → the format's name as CKAN's resource format register writes it (the
# register has no Parquet: named as the Apache project names it).
FORMAT_LABELS: Final[dict[str, str]] = {
    "CSV": "CSV",
    "JSON": "JSON",
    "XLSX": "XLSX",
    "PARQUET": "Parquet",
}
# CKAN's default licence register, in its order (CKAN 2.12, ckan/model/license.py): id →
# (title, url). The one home of it: `catalog.ckan` builds license_list from it, and DCAT names a
# licence by its url, so ckanext-dcat, which looks a distribution's dct:license up in the
# register by url (then by dct:title), finds license_id.
OPEN_DEFINITION = "http://www.opendefinition.org/licenses/"
CKAN_LICENCES: Final[dict[str, tuple[str, str]]] = {
    "notspecified": ("License not specified", ""),
    "odc-pddl": (
        "Open Data Commons Public Domain Dedication and License (PDDL)",
        OPEN_DEFINITION + "odc-pddl",
    ),
    "odc-odbl": (
        "Open Data Commons Open Database License (ODbL)",
        OPEN_DEFINITION + "odc-odbl",
    ),
    "odc-by": ("Open Data Commons Attribution License", OPEN_DEFINITION + "odc-by"),
    "cc-zero": ("Creative Commons CCZero", OPEN_DEFINITION + "cc-zero"),
    "cc-by": ("Creative Commons Attribution", OPEN_DEFINITION + "cc-by"),
    "cc-by-sa": ("Creative Commons Attribution Share-Alike", OPEN_DEFINITION + "cc-by-sa"),
    "gfdl": ("GNU Free Documentation License", OPEN_DEFINITION + "gfdl"),
    "other-open": ("Other (Open)", ""),
    "other-pd": ("Other (Public Domain)", ""),
    "other-at": ("Other (Attribution)", ""),
    "uk-ogl": (
        "UK Open Government Licence (OGL)",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    ),
    "cc-nc": (
        "Creative Commons Non-Commercial (Any)",
        "http://creativecommons.org/licenses/by-nc/2.0/",
    ),
    "other-nc": ("Other (Non-Commercial)", ""),
    "other-closed": ("Other (Not Open)", ""),
}
# SPDX names in descriptors → CKAN's licence ids, so harvesting CKANs recognise the licence.
SPDX_TO_CKAN: Final[dict[str, str]] = {
    "CC-BY-4.0": "cc-by",
    "CC-BY-3.0": "cc-by",
    "CC-BY-SA-4.0": "cc-by-sa",
    "CC0-1.0": "cc-zero",
    "ODbL-1.0": "odc-odbl",
    "ODC-By-1.0": "odc-by",
    "PDDL-1.0": "odc-pddl",
    "GFDL-1.3": "gfdl",
}


def label(vocabulary: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    """The label of `code` in `lang`; the code itself when the vocabulary lacks it."""
    pair = vocabulary.get(code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]
