"""A series' page model: its chart (one line per type of yearly period) and its unit."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalog.metadata import UNIT_LABELS, label
from catalog.series import Series, value_text
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
    omitted: int  # periods in the table but not drawn (not a whole year, or another unit)


def series_chart(
    series: Series, title: str, type_label: Callable[[str], str], lang: str
) -> SeriesChart | None:
    """An SVG chart of the preferred figures of whole years in the main unit, one line per
    period type (a year-end stock and a year's flow are different lines); None if none."""
    unit = series_unit(series)
    lines: dict[str, list[tuple[int, float]]] = {}
    labels: dict[str, dict[int, str]] = {}
    for point in series.points:
        shown = point.preferred.shown
        whole_year = len(point.period) == 4 and point.period.isdigit()
        if whole_year and shown.value is not None and shown.unit == unit:
            year = int(point.period)
            lines.setdefault(point.period_type, []).append((year, float(shown.value)))
            labels.setdefault(point.period_type, {})[year] = grouped(value_text(shown))
    drawn = [Line(type_label(kind), points, labels[kind]) for kind, points in sorted(lines.items())]
    if not drawn:
        return None
    svg = line_chart(drawn, title=title, unit=label(UNIT_LABELS, unit, lang), lang=lang)
    omitted = len(series.points) - sum(len(line.points) for line in drawn)
    return SeriesChart(svg, [line.name for line in drawn], unit, omitted)


# The preference rule's reasons (`catalog.series.why_not_preferred`) as a Chinese page says them.
REASONS_ZH = (
    (r"value unreadable on the page.*", "页面上的数值无法辨认，原文保留在 value_as_printed"),
    (r"typo on the page.*", "页面印刷错误（见注），采用印刷正确的数值"),
    (r"original figure, superseded by the revised figure", "初始数值，已被修订后的数值取代"),
    (
        r"source tier (\w+) is below the preferred source's tier (\w+)",
        r"来源可靠性等级 \1 低于采用来源的等级 \2",
    ),
    (r"rounded version of the preferred exact figure", "采用的精确数值经四舍五入后的数值"),
    (r"fewer sources agree \((\d+) against (\d+)\)", r"一致的来源较少（\1 个，采用值 \2 个）"),
    (r"equal standing; tie broken .*", "各条件相同，按来源编号较小者确定"),
    (
        r"the same source prints both values; this one in fewer tables \((\d+) against (\d+)\)",
        r"同一来源印有两个数值；此值刊载的表较少（\1 个，采用值 \2 个）",
    ),
    (
        r"the same source prints both values in as many tables; the lower value is shown first",
        "同一来源印有两个数值，刊载的表一样多；先列较小的数值",
    ),
)


def reason_text(reason: str, lang: str) -> str:
    """`reason` in the page's language (the published reason is English)."""
    if lang != "zh":
        return reason
    for pattern, chinese in REASONS_ZH:
        if re.fullmatch(pattern, reason):
            # A source without a tier is named `unrated` inside the tier sentence.
            return re.sub(pattern, chinese, reason).replace("unrated", "未评级")
    return reason


def grouped(text: str) -> str:
    """An exact decimal text with thousands separators in its whole part (`372870000` →
    `372,870,000`, `-1234.50` → `-1,234.50`); any other text unchanged."""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, point, fraction = digits.partition(".")
    if not whole.isdigit() or (point and not fraction.isdigit()):
        return text
    return f"{sign}{int(whole):,}{point}{fraction}"


def as_printed(record: dict[str, Any]) -> str:
    """The figure as the source printed it, when it printed another unit (`37287 万人` for
    372870000 人); empty when it printed the unit shown or kept no printed form."""
    printed, unit = record.get("value_as_printed") or "", record.get("unit_as_printed") or ""
    if not printed or not unit or unit == record.get("unit"):
        return ""
    return f"{grouped(printed)} {unit}"


def shown_figures(record: dict[str, Any]) -> dict[str, Any]:
    """A period's record (`catalog.series.point_record`) with what a page shows of each
    figure: `shown` (grouped digits; the printed text when unreadable) and `printed`."""
    for figure in (record, *record.get("alternatives", ())):
        text = figure.get("value_text") or ""
        figure["shown"] = grouped(text) if text else figure.get("value_as_printed") or ""
        figure["printed"] = as_printed(figure)
    return record
