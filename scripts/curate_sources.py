"""Curate the transcribed HRSS source tables into the data files under `datasets/`.

    .venv/bin/python scripts/curate_sources.py [SOURCES_DIR]

SOURCES_DIR defaults to `../shared/sources` relative to the repository root. The script
writes only `datasets/<slug>/data/*`; the descriptors (`datapackage.yaml`) are edited by hand.
Output is deterministic: running it twice gives byte-identical files.

Rules (documented for users in datasets/README.md):
- Units: scale prefixes are removed by exact decimal factors (万 10^4, 亿 10^8, 万亿 10^12,
  million 10^6), computed with Decimal, never floats.
- Conflicts: one preferred figure per key; agreeing copies become `also_source_ids`, every
  disagreeing or unreadable copy goes to `alternatives` with a reason. No row is dropped, and
  a self-check asserts it per input file.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlsplit

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
import curation_reference as ref

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETS = REPO_ROOT / "datasets"
DISCLOSURE_TITLE = "贵州省人力资源和社会保障厅2018年政府信息公开工作年度报告"

# printed unit -> (normalised unit, exact factor)
UNIT_SCALES: dict[str, tuple[str, Decimal]] = {
    "人": ("人", Decimal(1)),
    "万人": ("人", Decimal(10) ** 4),
    "万名": ("人", Decimal(10) ** 4),
    "亿人": ("人", Decimal(10) ** 8),
    "million persons": ("人", Decimal(10) ** 6),
    "人次": ("人次", Decimal(1)),
    "万人次": ("人次", Decimal(10) ** 4),
    "元": ("元", Decimal(1)),
    "亿元": ("元", Decimal(10) ** 8),
    "억원": ("元", Decimal(10) ** 8),
    "万亿元": ("元", Decimal(10) ** 12),
    "万户": ("户", Decimal(10) ** 4),
    "万次": ("次", Decimal(10) ** 4),
    "万条": ("条", Decimal(10) ** 4),
}
UNCHANGED_UNITS = {
    "%", "ratio", "元/月", "元/小时", "个", "所", "家", "件", "项", "条", "期", "次", "份",
    "条次", "月",
}  # fmt: skip

TIER_RANK = {"A": 0, "B": 1, "C": 2}
TIER_LABELS = {
    "A": ("官方发布或官方统计表", "official release or official statistical table"),
    "B": ("媒体转载的官方发布", "media reproduction of an official release"),
    "C": ("二手来源或页面有乱码", "secondary source or garbled page"),
}
# Flags that disqualify a figure from being preferred while a clean alternative exists.
DEFECT_FLAGS = frozenset({"as_printed_typo", "suspected_typo"})

# note fragment (case-sensitive) -> flag; the source notes are the transcriber's annotations.
NOTE_FLAGS: list[tuple[str, str]] = [
    ("revised figure", "revised"),
    ("AS PRINTED", "as_printed_typo"),
    ("likely translation typo", "suspected_typo"),
    ("rounded", "rounded"),
    ("unit error on page", "unit_error_on_page"),
    ("English translation", "translation"),
    ("Korean-language", "translation"),
    ("preliminary", "preliminary"),
    ("scope may differ", "scope_uncertain"),
    ("cutoff probably", "scope_uncertain"),
    ("exact reference date not stated", "scope_uncertain"),
    ("not population", "scope_uncertain"),
    ("DISAGREES", "conflict_noted"),
    ("CONFLICT", "conflict_noted"),
    ("machine-paraphrased", "garbled"),
    ("value garbled", "garbled"),
    ("not in stored excerpt", "partial_table"),
    ("cut off in stored excerpt", "partial_table"),
    ("only top-3", "partial_table"),
    ("sample counts", "unscaled_sample"),
    ("duplicate of stats.gov.cn", "mirror"),
    ("'Ganxu' typo", "label_typo"),
    ("digits concatenated", "digits_split"),
    ("region label missing", "region_inferred"),
    ("date not stated", "undated"),
    ("first tier only", "partial_table"),
    ("middle tier is missing", "partial_table"),
]
KIND_FLAGS: list[tuple[str, str]] = [
    ("_english", "translation"),
    ("_korean", "translation"),
    ("news_english", "translation"),
    ("_garbled", "garbled"),
]


# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    source_id: str
    url: str
    tier: str
    kinds: tuple[str, ...]


def load_sources(sources_dir: Path) -> dict[str, Source]:
    """Sources keyed by URL (or by title for the report), ids S001… in sources.csv order."""
    rows = read_rows(sources_dir / "sources.csv")
    by_key: dict[str, Source] = {}
    for number, row in enumerate(rows, start=1):
        kinds = tuple(k.strip() for k in row["source_kinds"].split(";"))
        tier = row["reliability_tier"][0]
        by_key[row["source_url"]] = Source(f"S{number:03d}", row["source_url"], tier, kinds)
    report_id = f"S{len(rows) + 1:03d}"
    by_key[DISCLOSURE_TITLE] = Source(report_id, "", "A", ("official_guizhou_hrss_report",))
    return by_key


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- units and values


def parse_decimal(text: str) -> Decimal | None:
    text = text.strip()
    return Decimal(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None


def normalise(value: Decimal | None, unit: str) -> tuple[Decimal | None, str]:
    """The value in the normalised unit, scaled by an exact decimal factor."""
    if unit in UNCHANGED_UNITS:
        return value, unit
    if unit not in UNIT_SCALES:
        raise ValueError(f"unit {unit!r} has no normalisation rule")
    target, factor = UNIT_SCALES[unit]
    return (None if value is None else value * factor), target


def quantum(printed: str, unit: str) -> Decimal:
    """The rounding step a printed figure implies, in the normalised unit (9.4亿 -> 10^7)."""
    digits = printed.split(".")[1] if "." in printed else ""
    factor = UNIT_SCALES[unit][1] if unit in UNIT_SCALES else Decimal(1)
    return Decimal(1).scaleb(-len(digits)) * factor


def is_rounding_of(candidate: Decimal, step: Decimal, exact: Decimal) -> bool:
    return (exact / step).to_integral_value(ROUND_HALF_UP) * step == candidate


def fmt_decimal(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." in text and len(text.split(".")[1]) > 4:
        raise ValueError(f"{value} needs more than the 4 published decimals")
    return text


# ---------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    measure: str  # letter code from curation_reference.INDICATOR_TABLE
    theme: str


def load_indicators() -> dict[str, Indicator]:
    table = {}
    for line in ref.INDICATOR_TABLE.strip().splitlines():
        code, name_zh, name_en, measure, theme = line.split("|")
        table[code] = Indicator(code, name_zh, name_en, measure, theme)
    return table


# ---------------------------------------------------------------- observations


@dataclass
class Row:
    """One printed figure, normalised, with where it came from."""

    file: str
    indicator_code: str
    region_code: str
    year: int
    period_type: str
    period: str
    period_as_printed: str
    value: Decimal | None
    unit: str
    value_as_printed: str
    unit_as_printed: str
    qualifier: str
    source: Source
    flags: set[str] = field(default_factory=set)
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator_code, self.region_code, self.period)

    @property
    def step(self) -> Decimal:
        return quantum(self.value_as_printed, self.unit_as_printed)


PERIOD_PATTERNS: list[tuple[str, str]] = [
    (r"\d{4}-H[12]", "half_year"),
    (r"\d{4}-Q[1-4]", "quarter"),
    (r"\d{4}-\d{2}", "month_end"),
    (r"\d{4}-\d{2}-\d{2}", "point_in_time"),
    (r"\d{4}\.\.\d{4}", "multi_year"),
]


def normalise_period(printed: str, year: int, indicator: Indicator) -> tuple[str, str, str]:
    """(period_type, period label, extra note) for a printed period."""
    if printed in ("annual", "year_end"):
        return printed, str(year), ""
    if printed in ("cumulative", "cumulative_to_2020_end"):
        return "cumulative", str(year), ""
    if printed == "target":
        return "target", str(year), ""
    if printed == "":  # files without a period column: derive it from the measure
        if indicator.code.startswith("census_"):
            return "point_in_time", "2010-11-01", "census standard time 2010-11-01 00:00"
        if indicator.code.endswith("_cumulative"):
            return "cumulative", str(year), ""
        return ("year_end" if indicator.measure in ("S", "Cs") else "annual"), str(year), ""
    if printed.startswith(f"{year}-ytd") or printed == str(year):
        return "year_to_date", f"{year}-YTD", "cutoff date not stated (article of 2020-12-28)"
    for pattern, period_type in PERIOD_PATTERNS:
        if re.fullmatch(pattern, printed):
            return period_type, printed, ""
    start, _, end = printed.partition("..")
    if start.startswith(f"{year}-01") and end.startswith(str(year)):
        return "year_to_date", printed, ""
    if end:
        return "multi_year", printed, ""
    raise ValueError(f"unrecognised period {printed!r}")


def flags_from(note: str, kinds: Iterable[str]) -> set[str]:
    flags = {flag for fragment, flag in NOTE_FLAGS if fragment in note}
    for kind in kinds:
        flags |= {flag for fragment, flag in KIND_FLAGS if fragment in kind}
    return flags


def printed_form(row: dict[str, str], unit: str, kind: str) -> tuple[str, str, str]:
    """(value_as_printed, unit_as_printed, qualifier) where the note records the page's text."""
    value, note, name = row["value"], row.get("note", ""), row.get("indicator_name_zh", "")
    qualifier = row.get("qualifier") or "exact"
    if match := re.search(r"page prints '?(-?[\d.]+)(%)?'?", note):
        value = match.group(1)
        if match.group(2) and unit == "ratio":
            unit = "%"  # the page printed a ratio with a percent sign
    if "约" in note or "左右" in name:
        qualifier = "about"
    if "余" in name:
        qualifier = "more_than"
    if "korean" in kind and unit == "亿元":
        unit = "억원"  # the Korean page prints 억원 (= 亿元), as its note says
    return value, unit, qualifier


def make_row(
    file: str, raw: dict[str, str], sources: dict[str, Source], indicators: dict[str, Indicator]
) -> Row:
    indicator = indicators[raw["indicator_code"]]
    source = sources[raw.get("source_url") or raw["source_title_zh"]]
    kind = raw.get("source_kind") or raw.get("source_table") or ""
    year = int(raw["year"])
    period_type, period, period_note = normalise_period(raw.get("period", ""), year, indicator)
    value_as_printed, unit_as_printed, qualifier = printed_form(raw, raw["unit"], kind)
    value, unit = normalise(parse_decimal(raw["value"]), raw["unit"])
    note = raw.get("note", "").strip()
    flags = flags_from(note, [kind, *source.kinds])
    if period_note:
        if "not stated" in period_note:
            flags.add("scope_uncertain")
        note = "; ".join(part for part in (note, period_note) if part)
    if value is None:
        flags.add("garbled")
    return Row(
        file, indicator.code, raw.get("region_code") or "520000", year, period_type, period,
        raw.get("period", "") or "", value, unit, value_as_printed, unit_as_printed, qualifier,
        source, flags, note,
    )  # fmt: skip


# ---------------------------------------------------------------- conflict resolution


@dataclass
class Cluster:
    """Rows of one key printing the same normalised value."""

    rows: list[Row]

    @property
    def value(self) -> Decimal | None:
        return self.rows[0].value

    @property
    def best(self) -> Row:
        return min(self.rows, key=row_rank)

    @property
    def defective(self) -> bool:
        return self.value is None or all(r.flags & DEFECT_FLAGS for r in self.rows)

    @property
    def revised(self) -> bool:
        return any("revised" in r.flags for r in self.rows)

    @property
    def tier(self) -> int:
        return min(TIER_RANK[r.source.tier] for r in self.rows)

    @property
    def rounded(self) -> bool:
        return all("rounded" in r.flags for r in self.rows)

    @property
    def source_ids(self) -> list[str]:
        return sorted({r.source.source_id for r in self.rows})


def row_rank(row: Row) -> tuple[int, bool, bool, str]:
    """Which copy of an agreeing figure represents it: best tier, original language, id."""
    return (TIER_RANK[row.source.tier], "translation" in row.flags, "rounded" in row.flags,
            row.source.source_id)  # fmt: skip


def cluster_rank(cluster: Cluster) -> tuple[bool, bool, int, bool, int, str]:
    """The preference rule, in order: usable and not a typo, revised, tier, exact, support, id."""
    return (cluster.defective, not cluster.revised, cluster.tier, cluster.rounded,
            -len(cluster.source_ids), cluster.source_ids[0])  # fmt: skip


def mark_roundings(clusters: list[Cluster]) -> None:
    """Flag a figure `rounded` when it equals another printed figure rounded to its precision."""
    for cluster in clusters:
        for other in clusters:
            if other is cluster or cluster.value is None or other.value is None:
                continue
            for row in cluster.rows:
                finer = other.best.step < row.step
                if finer and is_rounding_of(row.value, row.step, other.value):  # type: ignore[arg-type]
                    row.flags.add("rounded")


def why_not_preferred(alt: Cluster, chosen: Cluster) -> str:
    if alt.value is None:
        return "value unreadable on the page; the printed text is kept in value_as_printed"
    if alt.defective:
        return "typo on the page (see note); the correctly printed figure is preferred"
    if chosen.revised and not alt.revised:
        return "original figure, superseded by the revised figure"
    if alt.tier != chosen.tier:
        tiers = "ABC"
        return (
            f"source tier {tiers[alt.tier]} is below the preferred source's tier"
            f" {tiers[chosen.tier]}"
        )
    if alt.rounded and not chosen.rounded:
        return "rounded version of the preferred exact figure"
    if len(alt.source_ids) != len(chosen.source_ids):
        return f"fewer sources agree ({len(alt.source_ids)} against {len(chosen.source_ids)})"
    return "equal standing; tie broken deterministically by the lower source_id"


@dataclass
class Resolved:
    preferred: list[dict[str, str]]
    alternatives: list[dict[str, str]]
    duplicates: int


def resolve(rows: Sequence[Row]) -> Resolved:
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.key].append(row)
    out = Resolved([], [], 0)
    for key in sorted(groups):
        clusters = make_clusters(groups[key])
        mark_roundings(clusters)
        clusters.sort(key=cluster_rank)
        chosen, others = clusters[0], clusters[1:]
        best = chosen.best
        also = [s for s in chosen.source_ids if s != best.source.source_id]
        out.duplicates += len(chosen.rows) - 1
        out.preferred.append(observation_record(best, chosen, also, bool(others)))
        for alt in others:
            unique = unique_rows(alt.rows)
            out.duplicates += len(alt.rows) - len(unique)
            reason = why_not_preferred(alt, chosen)
            for row in unique:
                out.alternatives.append({**observation_record(row, alt, [], True),
                                         "reason": reason})  # fmt: skip
    return out


def make_clusters(rows: list[Row]) -> list[Cluster]:
    by_value: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        # unreadable values never agree with anything: each is its own cluster
        token = fmt_decimal(row.value) if row.value is not None else f"?{id(row)}"
        by_value[token].append(row)
    return [Cluster(members) for members in by_value.values()]


def unique_rows(rows: list[Row]) -> list[Row]:
    seen: dict[tuple[str, str], Row] = {}
    for row in sorted(rows, key=row_rank):
        seen.setdefault((row.source.source_id, row.value_as_printed), row)
    return list(seen.values())


def observation_record(
    row: Row, cluster: Cluster, also: list[str], has_alt: bool
) -> dict[str, str]:
    # flags and note describe the printed copy shown; agreeing copies are only cited
    flags = row.flags | ({"revised"} if cluster.revised else set())
    notes = [row.note]
    return {
        "indicator_code": row.indicator_code,
        "region_code": row.region_code,
        "year": str(row.year),
        "period_type": row.period_type,
        "period": row.period,
        "period_as_printed": row.period_as_printed,
        "value": fmt_decimal(row.value),
        "unit": row.unit,
        "value_as_printed": row.value_as_printed,
        "unit_as_printed": row.unit_as_printed,
        "qualifier": row.qualifier,
        "source_id": row.source.source_id,
        "also_source_ids": ";".join(also),
        "has_alternatives": "true" if has_alt else "false",
        "flags": ";".join(sorted(flags)),
        "note": " | ".join(n for n in notes if n),
    }


OBSERVATION_COLUMNS = [
    "indicator_code", "region_code", "year", "period_type", "period", "period_as_printed",
    "value", "unit", "value_as_printed", "unit_as_printed", "qualifier", "source_id",
    "also_source_ids", "has_alternatives", "flags", "note",
]  # fmt: skip
ALTERNATIVE_COLUMNS = [*OBSERVATION_COLUMNS, "reason"]


def curate_indicator_file(
    path: Path, sources: dict[str, Source], indicators: dict[str, Indicator]
) -> Resolved:
    raw_rows = read_rows(path)
    rows = [make_row(path.name, raw, sources, indicators) for raw in raw_rows]
    resolved = resolve(rows)
    check_accounting(path.name, len(raw_rows), resolved)
    return resolved


def check_accounting(name: str, rows_in: int, resolved: Resolved) -> None:
    """Every input row is preferred, an agreeing duplicate, or an alternative — none lost."""
    rows_out = len(resolved.preferred) + resolved.duplicates + len(resolved.alternatives)
    if rows_in != rows_out:
        raise AssertionError(
            f"{name}: {rows_in} rows in, but {len(resolved.preferred)} preferred +"
            f" {resolved.duplicates} duplicates + {len(resolved.alternatives)} alternatives"
        )
    print(
        f"{name}: {rows_in} rows = {len(resolved.preferred)} preferred"
        f" + {resolved.duplicates} duplicates + {len(resolved.alternatives)} alternatives"
    )


# ---------------------------------------------------------------- writers


def write_csv(
    path: Path, columns: list[str], records: Iterable[dict[str, str]], encoding: str = "utf-8"
) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))


FIXED_ZIP_TIME = (2026, 11, 25, 0, 0, 0)
FIXED_XLSX_TIME = "2026-11-25T00:00:00Z"


def write_xlsx(
    path: Path, sheet: str, title: str, columns: list[str], records: list[dict[str, str]],
    numeric: set[str],
) -> None:  # fmt: skip
    """An XLSX with a title row above the header, reproducible byte for byte."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append([title])
    worksheet.append(columns)
    for record in records:
        worksheet.append([cell_value(record[c], c in numeric) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pin_zip_times(buffer.getvalue()))


def cell_value(text: str, numeric: bool) -> str | int | float | None:
    if text == "":
        return None
    if not numeric:
        return text
    number = Decimal(text)
    # exact for these figures: integers, or at most 4 decimals well inside float precision
    return int(number) if number == number.to_integral_value() else float(number)


def pin_zip_times(data: bytes) -> bytes:
    """openpyxl stamps the save time into the zip entries and docProps/core.xml: pin both."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
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


# ---------------------------------------------------------------- code lists


def region_records() -> list[dict[str, str]]:
    records = [
        {"code": "000000", "name_zh": "全国", "name_en": "China (national total)",
         "level": "national", "parent_code": "", "note": ""},
    ]  # fmt: skip
    for code, name, name_en in ref.PROVINCES:
        records.append(region(code, name, name_en, "province", "000000", ""))
    records.append(region("660000", "新疆生产建设兵团", "Xinjiang Production and Construction"
                          " Corps", "province", "000000", ref.XPCC_NOTE))  # fmt: skip
    for code, name, name_en, parent, note in ref.OTHER_PREFECTURES:
        records.append(region(code, name, name_en, "prefecture", parent, note))
    for code, name, name_en in ref.GUIZHOU_PREFECTURES:
        records.append(region(code, name, name_en, "prefecture", "520000", ""))
    for printed, (code, name, name_en) in ref.GUIZHOU_COUNTIES.items():
        note = f"printed as {printed} in the minimum-wage tier list" if printed != name else ""
        records.append(region(code, name, name_en, "county", code[:4] + "00", note))
    return sorted(records, key=lambda r: r["code"])


def region(
    code: str, name: str, name_en: str, level: str, parent: str, note: str
) -> dict[str, str]:
    return {"code": code, "name_zh": name, "name_en": name_en, "level": level,
            "parent_code": parent, "note": note}  # fmt: skip


MEASURES = {
    "S": "stock", "F": "flow", "R": "rate", "Q": "ratio", "A": "average", "L": "level",
    "Cs": "count", "Cf": "count",
}  # fmt: skip
THEMES = {
    "e": "employment", "s": "social-insurance", "w": "wages", "t": "talent",
    "g": "government-transparency",
}  # fmt: skip


def definition(ind: Indicator, unit: str) -> tuple[str, str]:
    """One sentence each saying what is measured and whether it is a stock or a flow."""
    growth = ind.code.endswith(("_growth", "_increase")) or "growth" in ind.code
    phrases = {
        "S": ("统计时点（通常为年末）的存量", "a stock measured at the reference date (usually"
              " the year end)"),
        "F": ("报告期内累计发生的流量", "a flow accumulated over the reference period"),
        "R": ("报告期的比率，以百分数表示" + ("，为增长率，可为负值" if growth else ""),
              "a rate for the reference period in per cent" + (", a growth rate that can be"
              " negative" if growth else "")),
        "Q": ("两个数量之比（比重或倍数）", "a ratio of two quantities (a share or a multiple)"),
        "A": ("报告期内的平均水平", "an average over the reference period"),
        "L": ("计划目标或控制上限，不是实际完成值", "a planned target or ceiling, not an outcome"),
        "Cs": ("统计时点存在的事项个数（存量）", "a count of items existing at the reference date"
               " (stock)"),
        "Cf": ("报告期内办理或发布的事项个数（流量）", "a count of items handled or published in"
               " the reference period (flow)"),
    }  # fmt: skip
    zh, en = phrases[ind.measure]
    return f"{ind.name_zh}：{zh}，单位为{unit}。", f"{ind.name_en}: {en}, in {unit}."


def indicator_records(
    units: dict[str, str], indicators: dict[str, Indicator]
) -> list[dict[str, str]]:
    records = []
    for code in sorted(units):
        ind = indicators[code]
        def_zh, def_en = definition(ind, units[code])
        additive = ind.measure in ("S", "F", "Cs", "Cf")
        records.append({
            "code": code, "name_zh": ind.name_zh, "name_en": ind.name_en,
            "definition_zh": def_zh, "definition_en": def_en, "unit": units[code],
            "measure": MEASURES[ind.measure], "additive": "true" if additive else "false",
            "theme": THEMES[ind.theme],
        })  # fmt: skip
    return records


KIND_TITLES: list[tuple[str, str, str, str]] = [
    # source-kind fragment, 中文标题, English title, original issuer
    ("mohrss_min_wage_table", "全国各地区最低工资标准情况表（人社部表格转载）",
     "Reproduction of the MOHRSS table of minimum wage standards by province",
     "人力资源和社会保障部"),
    ("min_wage_table", "各地区最低工资标准表（转载，编制机构未注明）",
     "Reproduced table of minimum wage standards (compiler not stated)", "未注明"),
    ("news_explainer", "最低工资标准解读文章", "Explainer article on minimum wages", "未注明"),
    ("news_secondary_ranking", "各省最低工资排行（二手来源）",
     "Ranking of provincial minimum wages (secondary source)", "未注明"),
    ("official_guizhou_hrss_bulletin_2020", "贵州省2020年人力资源和社会保障事业发展统计公报",
     "Guizhou HRSS statistical bulletin 2020", "贵州省人力资源和社会保障厅"),
    ("guizhou_hrss_notice", "贵州省人力资源和社会保障厅公布2022年平均工资和养老金数据的通知",
     "Guizhou HRSS notice on 2022 average wages and pensions", "贵州省人力资源和社会保障厅"),
    ("official_guizhou_hrss_report", DISCLOSURE_TITLE,
     "Guizhou HRSS government-information-disclosure annual report 2018",
     "贵州省人力资源和社会保障厅"),
    ("guizhou_stats_bulletin_2022", "贵州省2022年国民经济和社会发展统计公报（转载）",
     "Guizhou statistical communiqué 2022 (reproduction)", "贵州省统计局"),
    ("guizhou_stats_bureau", "贵州省统计局城镇非私营单位平均工资发布",
     "Guizhou Bureau of Statistics release on average wages", "贵州省统计局"),
    ("guizhou_employment_2020", "贵州省2020年就业工作报道（转载）",
     "News report on Guizhou employment work in 2020", "贵州省人力资源和社会保障厅"),
    ("xinhua_guizhou_pressconf", "贵州省新闻发布会报道（新华社，转载）",
     "Xinhua report of a Guizhou press conference", "贵州省人民政府新闻办公室"),
    ("nbs_guizhou_survey_team", "国家统计局贵州调查总队发布（转载）",
     "Release of the NBS Guizhou Survey Organisation (reproduction)", "国家统计局贵州调查总队"),
    ("news_guizhou_daily", "贵州日报报道", "Guizhou Daily report", "贵州日报"),
    ("news_jinqian_zaixian", "金黔在线报道", "Jinqian Online news report", "金黔在线"),
    ("news_commentary", "评论文章（二手来源）", "Commentary article (secondary source)", "未注明"),
    ("guizhou_ndrc_midterm_review", "贵州省“十二五”规划中期评估（转载）",
     "Guizhou mid-term review of the 12th five-year plan (reproduction)",
     "贵州省发展和改革委员会"),
    ("plan_document_repro", "贵州省就业规划文件（转载）",
     "Guizhou employment plan document (reproduction)", "贵州省（规划文件，发布机关未注明）"),
    ("bijie_stats_bulletin_2018", "毕节市2018年国民经济和社会发展统计公报（转载）",
     "Bijie statistical communiqué 2018 (reproduction)", "毕节市统计局"),
    ("prefecture_govt_work_report", "市（州）政府工作报告", "Prefecture government work report",
     "市（州）人民政府"),
    ("mohrss_bulletin_english", "人力资源和社会保障事业发展统计公报（英文报道）",
     "MOHRSS statistical bulletin (English-language report)", "人力资源和社会保障部"),
    ("mohrss_bulletin_korean", "人力资源和社会保障事业发展统计公报（韩文报道）",
     "MOHRSS statistical bulletin (Korean-language report)", "人力资源和社会保障部"),
    ("mohrss_bulletin_garbled", "人力资源和社会保障事业发展统计公报（机器改写转载）",
     "MOHRSS statistical bulletin (machine-paraphrased reproduction)", "人力资源和社会保障部"),
    ("pdf_text_mohrss_bulletin", "人力资源和社会保障事业发展统计公报（PDF文本）",
     "MOHRSS statistical bulletin (PDF text)", "人力资源和社会保障部"),
    ("mohrss_bulletin", "人力资源和社会保障事业发展统计公报（转载）",
     "MOHRSS statistical bulletin (reproduction)", "人力资源和社会保障部"),
    ("mohrss_pressconf", "人力资源和社会保障部新闻发布会（转载）",
     "MOHRSS press conference (reproduction)", "人力资源和社会保障部"),
    ("mohrss_data_release", "人力资源和社会保障部数据发布（转载）",
     "MOHRSS data release (reproduction)", "人力资源和社会保障部"),
    ("social_insurance_annual_report", "中国社会保险发展年度报告（转载）",
     "China Social Insurance Development Annual Report (reproduction)", "人力资源和社会保障部"),
    ("human_rights_plan_review", "国家人权行动计划实施评估报告（转载）",
     "Assessment report on the National Human Rights Action Plan (reproduction)",
     "国务院新闻办公室"),
    ("nbs_wage_release", "国家统计局平均工资数据发布（转载）",
     "NBS release on average wages (reproduction)", "国家统计局"),
    ("nbs_pressconf", "国家统计局新闻发布会（转载）", "NBS press conference (reproduction)",
     "国家统计局"),
    ("nbs_bulletin", "国民经济和社会发展统计公报（转载）",
     "NBS statistical communiqué (reproduction)", "国家统计局"),
    ("news_repro_nbs", "国家统计局数据发布（转载）", "NBS data release (reproduction)",
     "国家统计局"),
    ("news_english_xinhua", "新华社英文报道", "Xinhua English-language report", "新华社"),
    ("news_secondary", "网络文章（二手来源）", "Web article (secondary source)", "未注明"),
]  # fmt: skip
WIKISOURCE_TITLE = ("2020年遵义市人民政府工作报告（维基文库）",
                    "Zunyi government work report 2020 (Wikisource)", "遵义市人民政府")  # fmt: skip


def describe_source(source: Source) -> tuple[str, str, str]:
    """(title_zh, title_en, publisher_zh) from the source kind and host, nothing invented."""
    host = urlsplit(source.url).hostname or ""
    kind = source.kinds[0]
    if match := re.fullmatch(r"China (Labour )?Statistical Yearbook (\d{4}), table (\S+)", kind):
        labour, year, table = match.groups()
        if labour:
            return (f"中国劳动统计年鉴{year} 表{table}", f"{kind} (NBS and MOHRSS)",
                    "国家统计局、人力资源和社会保障部")  # fmt: skip
        return (
            f"中国统计年鉴{year} 表{table}",
            f"{kind} (National Bureau of Statistics)",
            "国家统计局",
        )
    if match := re.fullmatch(r"2010 Population Census tabulation (\S+) \((cities|towns)\)", kind):
        area = {"cities": "城市", "towns": "镇"}[match.group(2)]
        return (f"2010年人口普查资料 表{match.group(1)}（{area}）",
                f"{kind} (National Bureau of Statistics)", "国家统计局")  # fmt: skip
    if kind.startswith("JST mirror"):
        return ("中国统计年鉴2009 表22-43（日本科学技术振兴机构日文镜像）",
                f"{kind}, Japan Science and Technology Agency", "国家统计局")  # fmt: skip
    if kind.startswith("wikisource"):
        return WIKISOURCE_TITLE
    for fragment, zh, en, publisher in KIND_TITLES:
        if fragment in kind:
            suffix = f"（{host}）" if host else ""
            return zh + suffix, en + (f" ({host})" if host else ""), publisher
    raise ValueError(f"no title rule for source kind {kind!r}")


def source_records(sources: dict[str, Source]) -> list[dict[str, str]]:
    records = []
    for source in sorted(sources.values(), key=lambda s: s.source_id):
        title_zh, title_en, publisher = describe_source(source)
        label_zh, label_en = TIER_LABELS[source.tier]
        records.append({
            "source_id": source.source_id, "url": source.url, "title_zh": title_zh,
            "title_en": title_en, "publisher_zh": publisher, "reliability_tier": source.tier,
            "tier_label": f"{label_zh} / {label_en}", "source_kinds": ";".join(source.kinds),
        })  # fmt: skip
    return records


# ---------------------------------------------------------------- minimum wages


@dataclass
class WageRow:
    region_code: str
    wage_type: str
    tier: int
    reference_date: str
    date_basis: str
    as_of_date: str
    effective_date: str
    value: Decimal | None
    unit: str
    value_as_printed: str
    source: Source
    flags: set[str]
    note: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.region_code, self.wage_type, self.tier, self.reference_date)

    @property
    def series(self) -> tuple[str, str, int]:
        return (self.region_code, self.wage_type, self.tier)


def make_wage_row(raw: dict[str, str], sources: dict[str, Source]) -> WageRow:
    source = sources[raw["source_url"]]
    as_of, effective = raw["as_of_date"], raw["effective_date"]
    # The date a figure speaks about: the table date, else the date the page says it took effect.
    reference, basis = (as_of, "as_of") if as_of else (effective, "effective")
    if not reference:
        reference, basis = "undated", "undated"
    note = raw["note"].strip()
    flags = flags_from(note, source.kinds)
    value = parse_decimal(raw["value"])
    if value is None:
        flags.add("garbled")
    if "CONFLICT" in note:
        flags.add("contradicted_in_note")  # the transcriber checked it against MOHRSS tables
    return WageRow(
        raw["region_code"], raw["wage_type"], int(raw["tier"]), reference, basis, as_of,
        effective, value, raw["unit"], raw["value_as_printed"], source, flags, note,
    )  # fmt: skip


def mark_contradictions(rows: list[WageRow]) -> None:
    """A figure is contradicted when better-tier tables before and after its date agree on
    another value: a standard shown identically on both dates was in force in between."""
    dated = [r for r in rows if r.date_basis != "undated" and r.value is not None]
    by_series: dict[tuple[str, str, int], list[WageRow]] = defaultdict(list)
    for row in dated:
        by_series[row.series].append(row)
    for row in dated:
        better = [o for o in by_series[row.series]
                  if TIER_RANK[o.source.tier] < TIER_RANK[row.source.tier]]  # fmt: skip
        before = [o for o in better if o.reference_date < row.reference_date]
        after = [o for o in better if o.reference_date > row.reference_date]
        if not before or not after:
            continue
        last = max(before, key=lambda o: o.reference_date).value
        first = min(after, key=lambda o: o.reference_date).value
        if last == first and row.value != last:
            row.flags.add("contradicted")


WAGE_COLUMNS = [
    "region_code", "wage_type", "tier", "reference_date", "date_basis", "as_of_date",
    "effective_date", "value", "unit", "value_as_printed", "source_id", "also_source_ids",
    "status", "flags", "reason", "note",
]  # fmt: skip


def wage_rank(rows: list[WageRow]) -> tuple[bool, int, int, str]:
    blocked = rows[0].value is None or all(
        r.flags & {"contradicted", "contradicted_in_note", "undated"} for r in rows
    )
    sources = sorted(r.source.source_id for r in rows)
    return (blocked, min(TIER_RANK[r.source.tier] for r in rows), -len(set(sources)), sources[0])


def wage_reason(alt: list[WageRow], chosen: list[WageRow] | None) -> str:
    first = alt[0]
    if first.value is None:
        return "value garbled on the page; the printed text is kept in value_as_printed"
    if "undated" in first.flags:
        return "the page states no date, so the figure cannot be placed in time"
    if "contradicted_in_note" in first.flags:
        return ("the source notes mark it CONFLICT: it contradicts the MOHRSS national tables"
                " (see note)")  # fmt: skip
    if "contradicted" in first.flags:
        return ("contradicted by higher-tier MOHRSS tables dated before and after it, which"
                " agree with each other")  # fmt: skip
    if chosen is None:
        return ""
    if wage_rank(alt)[1] != wage_rank(chosen)[1]:
        return "lower reliability tier than the preferred source"
    return "fewer sources agree, or tie broken by the lower source_id"


def resolve_wages(rows: list[WageRow]) -> tuple[list[dict[str, str]], int, int, int]:
    """Records with status preferred/alternative, plus the counts for the accounting check."""
    mark_contradictions(rows)
    groups: dict[tuple[str, str, int, str], list[WageRow]] = defaultdict(list)
    for row in rows:
        groups[row.key].append(row)
    records, preferred, duplicates, alternatives = [], 0, 0, 0
    for key in sorted(groups):
        clusters: dict[str, list[WageRow]] = defaultdict(list)
        for row in groups[key]:
            token = fmt_decimal(row.value) if row.value is not None else f"?{id(row)}"
            clusters[token].append(row)
        ordered = sorted(clusters.values(), key=wage_rank)
        chosen = None if wage_rank(ordered[0])[0] else ordered[0]
        for cluster in ordered:
            cluster.sort(key=lambda r: (TIER_RANK[r.source.tier], r.source.source_id))
            if cluster is chosen:
                also = sorted(
                    {r.source.source_id for r in cluster[1:]} - {cluster[0].source.source_id}
                )
                records.append(wage_record(cluster[0], cluster, also, "preferred", ""))
                preferred += 1
                duplicates += len(cluster) - 1
                continue
            reason = wage_reason(cluster, chosen)
            seen: set[tuple[str, str]] = set()
            for row in cluster:
                ident = (row.source.source_id, row.value_as_printed)
                if ident in seen:
                    duplicates += 1
                    continue
                seen.add(ident)
                records.append(wage_record(row, [row], [], "alternative", reason))
                alternatives += 1
    return records, preferred, duplicates, alternatives


def wage_record(
    row: WageRow, cluster: list[WageRow], also: list[str], status: str, reason: str
) -> dict[str, str]:
    flags, notes = row.flags, [row.note] if row.note else []
    return {
        "region_code": row.region_code, "wage_type": row.wage_type, "tier": str(row.tier),
        "reference_date": row.reference_date, "date_basis": row.date_basis,
        "as_of_date": row.as_of_date, "effective_date": row.effective_date,
        "value": fmt_decimal(row.value), "unit": row.unit,
        "value_as_printed": row.value_as_printed, "source_id": row.source.source_id,
        "also_source_ids": ";".join(also), "status": status, "flags": ";".join(sorted(flags)),
        "reason": reason, "note": " | ".join(notes),
    }  # fmt: skip


def curate_wages(path: Path, sources: dict[str, Source]) -> list[dict[str, str]]:
    raw_rows = read_rows(path)
    records, preferred, duplicates, alternatives = resolve_wages(
        [make_wage_row(raw, sources) for raw in raw_rows]
    )
    check_accounting(path.name, len(raw_rows), Resolved(
        [{}] * preferred, [{}] * alternatives, duplicates))  # fmt: skip
    return records


TIER_AREA_COLUMNS = [
    "as_of_date", "prefecture_code", "prefecture_name_zh", "tier", "county_code",
    "county_name_zh", "county_name_as_printed", "source_id", "note",
]  # fmt: skip


def curate_tier_areas(path: Path, sources: dict[str, Source]) -> list[dict[str, str]]:
    records = []
    for raw in read_rows(path):
        printed = raw["county_or_district_zh"]
        # never guess: a name not in the verified table keeps an empty code and says so
        code, name, _ = ref.GUIZHOU_COUNTIES.get(printed, ("", "", ""))
        note = raw["note"].strip()
        if not code:
            note = "; ".join(p for p in (note, "county code not verified; left empty") if p)
        records.append({
            "as_of_date": raw["as_of_date"], "prefecture_code": raw["prefecture_code"],
            "prefecture_name_zh": raw["prefecture_zh"], "tier": raw["tier"],
            "county_code": code, "county_name_zh": name, "county_name_as_printed": printed,
            "source_id": sources[raw["source_url"]].source_id, "note": note,
        })  # fmt: skip
    print(f"{path.name}: {len(records)} rows = {len(records)} tier-area rows")
    return sorted(
        records,
        key=lambda r: (
            r["as_of_date"],
            r["prefecture_code"],
            r["tier"],
            r["county_code"],
            r["county_name_as_printed"],
        ),
    )


# ---------------------------------------------------------------- main


INDICATOR_DATASETS: list[tuple[str, str]] = [
    ("national_hrss_bulletin.csv", "national-hrss-bulletin"),
    ("guizhou_hrss_indicators.csv", "guizhou-hrss-indicators"),
    ("guizhou_prefecture_indicators.csv", "guizhou-prefecture-indicators"),
    ("provincial_social_insurance_yearbook.csv", "provincial-social-insurance-yearbook"),
    ("guizhou_hrss_disclosure_2018.csv", "guizhou-hrss-disclosure-2018"),
]
YEARBOOK_TITLE = "分省社会保险统计（中国统计年鉴、中国劳动统计年鉴、2010年人口普查资料）"


def write_indicator_dataset(slug: str, resolved: Resolved) -> None:
    data = DATASETS / slug / "data"
    if slug == "provincial-social-insurance-yearbook":
        write_xlsx(data / "observations.xlsx", "分省社会保险", YEARBOOK_TITLE,
                   OBSERVATION_COLUMNS, resolved.preferred, {"year", "value"})  # fmt: skip
        write_csv(data / "alternatives.csv", ALTERNATIVE_COLUMNS, resolved.alternatives)
    elif slug == "guizhou-hrss-disclosure-2018":
        # the department's own report: published the way its offices export, in GB18030
        write_csv(data / "observations.csv", OBSERVATION_COLUMNS, resolved.preferred, "gb18030")
        write_csv(data / "alternatives.csv", ALTERNATIVE_COLUMNS, resolved.alternatives, "gb18030")
    else:
        write_csv(data / "observations.csv", OBSERVATION_COLUMNS, resolved.preferred)
        write_csv(data / "alternatives.csv", ALTERNATIVE_COLUMNS, resolved.alternatives)


def check_references(records: Iterable[dict[str, str]], field_name: str, known: set[str]) -> None:
    missing = {r[field_name] for r in records if r[field_name]} - known
    if missing:
        raise AssertionError(f"{field_name} values missing from the code list: {sorted(missing)}")


def main(argv: Sequence[str]) -> int:
    sources_dir = Path(argv[1]) if len(argv) > 1 else REPO_ROOT.parent / "shared" / "sources"
    sources = load_sources(sources_dir)
    indicators = load_indicators()
    regions = region_records()
    region_codes = {r["code"] for r in regions}
    units: dict[str, set[str]] = defaultdict(set)
    for file_name, slug in INDICATOR_DATASETS:
        resolved = curate_indicator_file(sources_dir / file_name, sources, indicators)
        for record in resolved.preferred + resolved.alternatives:
            units[record["indicator_code"]].add(record["unit"])
        check_references(resolved.preferred + resolved.alternatives, "region_code", region_codes)
        write_indicator_dataset(slug, resolved)
    ambiguous = {code: u for code, u in units.items() if len(u) != 1}
    if ambiguous:
        raise AssertionError(f"indicators with more than one normalised unit: {ambiguous}")
    single_units = {code: next(iter(u)) for code, u in units.items()}

    wages = DATASETS / "minimum-wage-standards" / "data"
    guizhou = curate_wages(sources_dir / "guizhou_min_wage.csv", sources)
    snapshots = curate_wages(sources_dir / "provincial_min_wage_snapshots.csv", sources)
    areas = curate_tier_areas(sources_dir / "guizhou_min_wage_tier_areas.csv", sources)
    check_references(guizhou + snapshots, "region_code", region_codes)
    check_references(areas, "county_code", region_codes)
    check_references(areas, "prefecture_code", region_codes)
    write_csv(wages / "guizhou_standards.csv", WAGE_COLUMNS, guizhou)
    write_csv(wages / "provincial_snapshots.csv", WAGE_COLUMNS, snapshots)
    write_csv(wages / "guizhou_tier_areas.csv", TIER_AREA_COLUMNS, areas)

    write_csv(DATASETS / "region-codes" / "data" / "regions.csv",
              ["code", "name_zh", "name_en", "level", "parent_code", "note"], regions,
              "utf-8-sig")  # fmt: skip
    write_csv(DATASETS / "indicator-codes" / "data" / "indicators.csv",
              ["code", "name_zh", "name_en", "definition_zh", "definition_en", "unit",
               "measure", "additive", "theme"],
              indicator_records(single_units, indicators))  # fmt: skip
    write_csv(DATASETS / "hrss-sources" / "data" / "sources.csv",
              ["source_id", "url", "title_zh", "title_en", "publisher_zh", "reliability_tier",
               "tier_label", "source_kinds"],
              source_records(sources))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
