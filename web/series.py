"""A series' page model: its chart (one line per type of yearly period) and its unit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from catalog.series import Series
from web.charts import Series as Line
from web.charts import line_chart


def series_unit(series: Series) -> str:
    """The unit most of the preferred figures are in (a series rarely changes unit)."""
    units = Counter(p.preferred.shown.unit for p in series.points if p.preferred.shown.unit)
    return units.most_common(1)[0][0] if units else ""


@dataclass(frozen=True)
class SeriesChart:
    svg: str
    lines: list[str]  # the names of the lines, in the palette's order
    unit: str


def series_chart(
    series: Series, title: str, type_label: Callable[[str], str], lang: str
) -> SeriesChart | None:
    """An SVG chart of the preferred figures of whole years in the main unit, one line per
    period type (a year-end stock and a year's flow are different lines); None if none."""
    unit = series_unit(series)
    lines: dict[str, list[tuple[int, float]]] = {}
    for point in series.points:
        shown = point.preferred.shown
        whole_year = len(point.period) == 4 and point.period.isdigit()
        if whole_year and shown.value is not None and shown.unit == unit:
            year = (int(point.period), float(shown.value))
            lines.setdefault(point.period_type, []).append(year)
    drawn = [Line(type_label(kind), points) for kind, points in sorted(lines.items())]
    if not drawn:
        return None
    svg = line_chart(drawn, title=title, unit=unit, lang=lang)
    return SeriesChart(svg, [line.name for line in drawn], unit)
