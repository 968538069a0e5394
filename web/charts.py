"""Inline SVG line charts of yearly series, drawn on the server: no script, no library.

`line_chart` returns an `<svg>` element as text, every label escaped. Numbers on the axis are
compact (`4.7亿`, `470M`) so that ticks stay short on a phone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from catalog.store import Package, Resource, TableField
from web.rows import DataRow

# Eight colours distinguishable with the common colour-vision deficiencies (Okabe–Ito, darkened
# where needed for 3:1 contrast against white).
PALETTE = (
    "#0060a8",
    "#c0392b",
    "#1b7f4c",
    "#8e44ad",
    "#b35900",
    "#00707a",
    "#7a5c00",
    "#5d6d7e",
)
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 30, 16, 40


@dataclass(frozen=True)
class Series:
    name: str
    points: list[tuple[int, float]]  # (year, value), ascending years
    # The exact text of a year's value for its tooltip, where the float would round it.
    labels: Mapping[int, str] = field(default_factory=dict)


def compact(value: float, lang: str) -> str:
    """A short form of `value`: 万/亿 in Chinese, k/M/B in English."""
    magnitude = abs(value)
    steps: tuple[tuple[float, str], ...]
    if lang == "zh":
        steps = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))
    else:
        steps = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
    for size, suffix in steps:
        if magnitude >= size:
            return f"{_trim(value / size)}{suffix}"
    return _trim(value)


def _trim(value: float) -> str:
    text = f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values spanning [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(float(Decimal(str(round(value / step) * step)).normalize()))
        value += step
    return ticks


def line_chart(series: list[Series], *, title: str, unit: str, lang: str = "zh") -> str:
    """An accessible SVG chart of `series` (at most len(PALETTE) of them)."""
    series = [s for s in series if s.points][: len(PALETTE)]
    years = sorted({year for s in series for year, _ in s.points})
    values = [value for s in series for _, value in s.points]
    if not years:
        return ""
    ticks = nice_ticks(min(0.0, min(values)), max(values))
    low, high = ticks[0], ticks[-1]
    first, last = years[0], years[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        return LEFT + (plot_w / 2 if last == first else (year - first) / (last - first) * plot_w)

    def y(value: float) -> float:
        return TOP + plot_h - (value - low) / (high - low) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}{f"（{escape(unit)}）" if unit else ""}</title>',
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"'
            ' class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(compact(tick, lang))}</text>"
        )
    for year in _year_labels(years):
        parts.append(
            f'<text x="{x(year):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{year}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(low):.1f}" y2="{y(low):.1f}" class="axis"/>'
    )
    for colour, one in zip(PALETTE, series, strict=False):
        parts.append(f'<g class="series"><title>{escape(one.name)}</title>')
        for run in _runs(one.points):
            path = " ".join(f"{x(year):.1f},{y(value):.1f}" for year, value in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}"/>')
        for year, value in one.points:
            parts.append(
                f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(one.name)} {year}: {escape(one.labels.get(year) or _trim(value))}"
                "</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _runs(points: list[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """Stretches of consecutive years with two points or more: a line never bridges a
    missing year, which would draw a figure nobody published."""
    runs: list[list[tuple[int, float]]] = []
    for year, value in points:
        if runs and year - runs[-1][-1][0] == 1:
            runs[-1].append((year, value))
        else:
            runs.append([(year, value)])
    return [run for run in runs if len(run) > 1]


def _year_labels(years: list[int]) -> list[int]:
    """At most about eight year labels, evenly spread, first and last always shown."""
    span = years[-1] - years[0]
    step = max(1, math.ceil(span / 8))
    labels = list(range(years[0], years[-1] + 1, step))
    if labels[-1] != years[-1]:
        labels[-1 if years[-1] - labels[-1] < step / 2 else len(labels) :] = [years[-1]]
    return labels


# --- the chart of a dataset page -----------------------------------------------------------

NATIONAL = "000000"
# The period types of a yearly figure: the year's total or its year-end stock.
YEARLY_PERIODS = "annual,year_end"


@dataclass(frozen=True)
class Chart:
    svg: str
    indicator: str
    indicators: list[tuple[str, str]]  # (code, label)
    unit: str
    series: list[Series]
    years: list[int]


def chart_resource(package: Package) -> Resource | None:
    """The first own resource with `indicator_code`, a year and a numeric `value`."""
    for resource in package.resources:
        if resource.embedded_from is not None or not resource.rows:
            continue
        types = {f.name: f.type for f in fields_of(resource)}
        if (
            "indicator_code" in types
            and types.get("year") in ("integer", "year")
            and types.get("value") in ("number", "integer")
        ):
            return resource
    return None


def fields_of(resource: Resource | None) -> list[TableField]:
    """The resource's Table Schema fields (none without a resource or a schema)."""
    if resource is None or resource.table_schema is None:
        return []
    return resource.table_schema.fields


def build_chart(
    rows: list[DataRow],
    indicator: str,
    names: dict[str, str],
    regions: dict[str, str],
    lang: str,
) -> Chart | None:
    """The chart of `indicator` (or the indicator with the most years) from aggregated rows."""
    by_indicator: dict[str, list[DataRow]] = {}
    for row in rows:
        if row.get("max_value") is not None:
            by_indicator.setdefault(str(row["indicator_code"]), []).append(row)
    years = {code: {r["year"] for r in found} for code, found in by_indicator.items()}
    eligible = sorted((code for code in years if len(years[code]) >= 2), key=lambda c: c)
    if not eligible:
        return None
    if indicator not in eligible:
        indicator = max(eligible, key=lambda c: (len(years[c]), -eligible.index(c)))
    chosen = by_indicator[indicator]
    units = Counter(str(r.get("unit") or "") for r in chosen)
    unit = units.most_common(1)[0][0]
    lines: dict[str, dict[int, float]] = {}
    for row in chosen:
        if str(row.get("unit") or "") == unit:
            region = str(row.get("region_code") or "")
            lines.setdefault(region, {})[int(row["year"])] = float(row["max_value"])
    if len(lines) > 2:
        # The national total next to provinces flattens every provincial line against zero.
        lines.pop(NATIONAL, None)
    ranked = sorted(lines, key=lambda r: (-len(lines[r]), -max(lines[r].values()), r))[:8]
    series = [
        Series(regions.get(r, r) or names.get(indicator, indicator), sorted(lines[r].items()))
        for r in sorted(ranked)
    ]
    title = names.get(indicator, indicator)
    return Chart(
        svg=line_chart(series, title=title, unit=unit, lang=lang),
        indicator=indicator,
        indicators=[(code, names.get(code, code)) for code in eligible],
        unit=unit,
        series=series,
        years=sorted({y for s in series for y, _ in s.points}),
    )
