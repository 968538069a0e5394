"""The home page's latest national figures, chosen by the datasets themselves.

A dataset offers figures for the home page with the `featured` property of its descriptor:
the resource to read (observations by `indicator_code`, `region_code`, `year`, `value`,
`unit`, `source_id`), the indicators to show, in order, and the short title of the link to
it. The latest yearly national value of each indicator is shown with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from catalog.store import Package
from web.charts import NATIONAL, YEARLY_PERIODS, compact
from web.rows import DataRow
from web.text import safe_link


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    year: int
    value: str
    source_title: str
    source_url: str
    tier: str


@dataclass(frozen=True)
class Featured:
    """What a dataset's `featured` property asks the home page to show."""

    slug: str
    resource: str
    indicators: list[str]
    title: str
    title_en: str

    @classmethod
    def of(cls, package: Package) -> Featured | None:
        offered = package.featured
        if offered is None or not offered.indicators:
            return None
        return cls(
            slug=package.name,
            resource=offered.resource or "observations",
            indicators=list(offered.indicators),
            title=offered.title or package.title or "",
            title_en=offered.title_en or package.title_en or "",
        )


@dataclass(frozen=True)
class Headline:
    """The figures of one featured dataset, in one language, and the link to it."""

    slug: str
    title: str
    figures: list[Figure] = field(default_factory=list)


def featured(packages: Mapping[str, Package]) -> Featured | None:
    """The first dataset (by slug) that offers figures for the home page; never a
    conditional one (有条件开放), whose figures are for applicants granted them."""
    for slug in sorted(packages):
        if packages[slug].access_level == "conditional":
            continue
        found = Featured.of(packages[slug])
        if found is not None:
            return found
    return None


def national_filters(offer: Featured) -> list[tuple[str, str]]:
    """The rows query of the featured figures: national, yearly, the chosen indicators."""
    return [
        ("region_code", NATIONAL),
        ("indicator_code__in", ",".join(offer.indicators)),
        ("period_type__in", YEARLY_PERIODS),
    ]


def figures(
    offer: Featured,
    rows: list[DataRow],
    names: dict[str, str],
    sources: dict[str, DataRow],
    tiers: dict[str, str],
    lang: str,
) -> list[Figure]:
    """The latest of `rows` (newest first) for each featured indicator, with its source."""
    latest: dict[str, DataRow] = {}
    for row in rows:
        latest.setdefault(str(row["indicator_code"]), row)
    found = []
    for code in offer.indicators:
        chosen = latest.get(code)
        if chosen is None:
            continue
        source = sources.get(str(chosen["source_id"]), {})
        title = source.get("title_en" if lang == "en" else "title_zh") or chosen["source_id"]
        found.append(
            Figure(
                code=code,
                name=names.get(code, code),
                year=int(chosen["year"]),
                value=figure_text(float(chosen["value"]), str(chosen["unit"]), lang),
                source_title=str(title),
                source_url=safe_link(source.get("url")),
                tier=tiers.get(str(chosen["source_id"]), ""),
            )
        )
    return found


def figure_text(value: float, unit: str, lang: str) -> str:
    """A headline number with its unit: `4.68亿人`, `5.2%`, `467.73 million persons`."""
    if unit in ("%", "ratio"):
        return f"{value:g}{'%' if unit == '%' else ''}"
    if lang == "zh":
        return f"{compact(value, 'zh')}{unit}"
    english = {"人": "persons", "元": "yuan", "人次": "person-times", "户": "households"}
    return f"{_english_number(value)} {english.get(unit, unit)}".strip()


def _english_number(value: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
