"""What /api/v1/series answers about one series: its JSON, its CSV, its citation, and the
summary a search or a list shows of it."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from typing_extensions import TypedDict

from api.deps import IndexDep, SettingsDep
from api.routes.documents import catalogue_info
from catalog.errors import OpenDataError
from catalog.metadata import SeriesCited, cite, cite_series
from catalog.search import CatalogueIndex, Named
from catalog.series import FIGURE_FIELDS, Series, figure_rows, point_record
from catalog.store import Package


class CodeName(TypedDict):
    code: str
    name_zh: str
    name_en: str


class Printing(TypedDict):
    """A dataset the series was read from, at the version read (its current one then)."""

    name: str
    title: str | None
    title_en: str | None
    version: str
    url: str  # that version's descriptor: /api/v1/datasets/{name}/versions/{version}
    page: str  # the dataset's page


class Latest(TypedDict):
    period: str
    period_type: str
    value: float | None
    value_text: str
    unit: str
    source_id: str


class SeriesSummary(TypedDict):
    """A series a search found: its names, its latest preferred figure, where to read it."""

    indicator: CodeName
    region: CodeName
    periods: int
    latest: Latest | None
    url: str  # /api/v1/series
    page: str  # the web page


SERIES_FOUND = 5  # series a search answer lists beside the datasets


def series_summary(series: Series) -> SeriesSummary:
    latest = series.latest
    record = point_record(latest) if latest is not None else None
    codes = {"indicator": series.indicator.code, "region": series.region.code}
    return SeriesSummary(
        indicator=code_name(series.indicator),
        region=code_name(series.region),
        periods=len(series.points),
        latest=None
        if record is None
        else Latest(
            period=record["period"],
            period_type=record["period_type"],
            value=record["value"],
            value_text=record["value_text"],
            unit=record["unit"],
            source_id=record["source_id"],
        ),
        url="/api/v1/series?" + urlencode(codes),
        page=f"/series/{quote(series.indicator.code)}/{quote(series.region.code)}",
    )


def code_name(named: Named) -> CodeName:
    return CodeName(code=named.code, name_zh=named.name_zh, name_en=named.name_en)


def series_path(indicator: str, region: str) -> str:
    return f"/series/{quote(indicator)}/{quote(region)}"


def series_answer(series: Series, request: Request, settings: SettingsDep, index: IndexDep,
                  note: str | None) -> dict[str, Any]:  # fmt: skip
    """The JSON of a series: names, the datasets (and versions) it was read from, one record
    per period, and how to cite it."""
    base = catalogue_info(request, settings).base_url
    packages = index.packages()
    printing = [
        Printing(
            name=slug,
            title=packages[slug].title if slug in packages else None,
            title_en=packages[slug].title_en if slug in packages else None,
            version=version,
            url=f"{base}/api/v1/datasets/{quote(slug)}/versions/{quote(version)}",
            page=f"{base}/dataset/{quote(slug)}",
        )
        for slug, version in series.datasets
    ]
    return {
        "indicator": code_name(series.indicator),
        "region": code_name(series.region),
        "count": len(series.points),
        "note": note,
        "datasets": printing,
        "points": [point_record(point) for point in series.points],
        "citation": series_citation(series, request, settings, index),
    }


def series_citation(
    series: Series,
    request: Request,
    settings: SettingsDep,
    index: CatalogueIndex,
    accessed: date | None = None,
) -> dict[str, Any]:
    """How to cite the series (GB/T 7714 and APA), and each dataset it was read from, read
    on `accessed` (the page: today). The API's answer is dated by its data instead, the
    latest publish day of the versions read (`as_of`): its ETag names the data, so its
    bytes must not change at midnight."""
    info = catalogue_info(request, settings)
    url = info.base_url + series_path(series.indicator.code, series.region.code)
    read = _read_packages(series, index)
    published = [m for p in read if (m := p.modified_at()) is not None]
    as_of = max(published).date() if published else date(1970, 1, 1)
    today = accessed or as_of
    ind, reg = series.indicator, series.region
    cited = SeriesCited(
        f"{ind.name_zh or ind.code}·{reg.name_zh or reg.code}",
        f"{ind.name_en or ind.name_zh or ind.code}, {reg.name_en or reg.name_zh or reg.code}",
        url,
        read,
    )
    whole = cite_series(cited, today, info.publisher, info.publisher_en)
    datasets = []
    for package in read:
        one = cite(package, f"{info.base_url}/dataset/{quote(package.name)}", today,
                   info.publisher_en)  # fmt: skip
        datasets.append({"name": package.name, "version": package.version,
                         "gbt7714": one.gbt7714, "apa": one.apa})  # fmt: skip
    return {"url": url, "accessed": today.isoformat(), "as_of": as_of.isoformat(),
            "gbt7714": whole.gbt7714, "apa": whole.apa, "datasets": datasets}  # fmt: skip


def _read_packages(series: Series, index: CatalogueIndex) -> list[Package]:
    """The descriptor of each dataset at the version the series was read from."""
    packages = index.packages()
    read = []
    for slug, version in series.datasets:
        package = packages.get(slug)
        if package is not None and package.version == version:
            read.append(package)
        else:  # republished since: cite the version read
            try:
                read.append(index.store.package(slug, version))
            except OpenDataError:
                continue
    return read


def series_csv(series: Series) -> bytes:
    """Every printed figure of the series, preferred first in each period, as UTF-8 CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, FIGURE_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(figure_rows(series))
    return out.getvalue().encode("utf-8")


class ListedSeries(SeriesSummary):
    """A series in a list: its summary and the datasets that print it."""

    datasets: list[str]


def listed_summary(series: Series) -> ListedSeries:
    summary = series_summary(series)
    return ListedSeries(**summary, datasets=sorted({slug for slug, _ in series.datasets}))
