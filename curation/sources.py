"""The transcribed sources: reading their CSV files, numbering the source list, titling sources,
and the self-check that no source row is lost (rows in = preferred + duplicates + alternatives).

Source ids are S001… in the order of `sources.csv`; the 2018 disclosure report, which has no
URL, comes last and is found by its title. Titles are derived from each source's kind and host
(the reference table `source_titles.csv`), nothing invented.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from curation import reference

DISCLOSURE_TITLE = "贵州省人力资源和社会保障厅2018年政府信息公开工作年度报告"
DISCLOSURE_KIND = "official_guizhou_hrss_report"

TIER_RANK = {"A": 0, "B": 1, "C": 2}
TIER_LABELS = {
    "A": ("官方发布或官方统计表", "official release or official statistical table"),
    "B": ("媒体转载的官方发布", "media reproduction of an official release"),
    "C": ("二手来源或页面有乱码", "secondary source or garbled page"),
}
WIKISOURCE_TITLE = ("2020年遵义市人民政府工作报告（维基文库）",
                    "Zunyi government work report 2020 (Wikisource)", "遵义市人民政府")  # fmt: skip
SOURCE_COLUMNS = [
    "source_id", "url", "title_zh", "title_en", "publisher_zh", "reliability_tier",
    "tier_label", "source_kinds",
]  # fmt: skip


@dataclass(frozen=True)
class Source:
    source_id: str
    url: str
    tier: str
    kinds: tuple[str, ...]


def read_rows(path: Path) -> list[dict[str, str]]:
    """A source CSV as dicts; a missing file raises FileNotFoundError naming it."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_sources(sources_dir: Path) -> dict[str, Source]:
    """Sources keyed by URL (or by title for the report), ids S001… in sources.csv order."""
    rows = read_rows(sources_dir / "sources.csv")
    by_key: dict[str, Source] = {}
    for number, row in enumerate(rows, start=1):
        kinds = tuple(k.strip() for k in row["source_kinds"].split(";"))
        tier = row["reliability_tier"][0]
        by_key[row["source_url"]] = Source(f"S{number:03d}", row["source_url"], tier, kinds)
    report_id = f"S{len(rows) + 1:03d}"
    by_key[DISCLOSURE_TITLE] = Source(report_id, "", "A", (DISCLOSURE_KIND,))
    return by_key


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
    return titled_by_kind(kind, host)


def titled_by_kind(kind: str, host: str) -> tuple[str, str, str]:
    """The first reference title whose fragment occurs in `kind`, with the host appended."""
    for rule in reference.source_titles():
        if rule.kind_fragment in kind:
            zh_host, en_host = (f"（{host}）", f" ({host})") if host else ("", "")
            return rule.title_zh + zh_host, rule.title_en + en_host, rule.publisher_zh
    raise ValueError(f"no title rule for source kind {kind!r}")


def source_records(sources: dict[str, Source]) -> list[dict[str, str]]:
    """The rows of `hrss-sources/data/sources.csv`, by source id."""
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


@dataclass(frozen=True)
class Tally:
    """Where the rows of one input file went."""

    preferred: int
    duplicates: int
    alternatives: int

    @property
    def total(self) -> int:
        return self.preferred + self.duplicates + self.alternatives


def check_accounting(name: str, rows_in: int, tally: Tally) -> None:
    """Every input row is preferred, an agreeing duplicate, or an alternative — none lost.

    Prints the tally of each file, so a run shows where every row went.
    """
    if rows_in != tally.total:
        raise AssertionError(
            f"{name}: {rows_in} rows in, but {tally.preferred} preferred +"
            f" {tally.duplicates} duplicates + {tally.alternatives} alternatives"
        )
    print(
        f"{name}: {rows_in} rows = {tally.preferred} preferred"
        f" + {tally.duplicates} duplicates + {tally.alternatives} alternatives"
    )
