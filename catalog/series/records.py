"""A series as records: one per period for the API and the page, one per printed figure for the
CSV download (the preferred figure and each alternative on its own line, with the reason)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from catalog.series.catalogue import Series
from catalog.series.figures import TIERS, PrintedFigure
from catalog.series.preference import Agreeing, Point
from catalog.sql import neutralised

# The columns of the CSV download, in order.
FIGURE_FIELDS = (
    "indicator_code", "indicator_name_zh", "indicator_name_en", "region_code", "region_name_zh",
    "region_name_en", "period_type", "period", "year", "preferred", "value",
    "unit", "value_as_printed", "unit_as_printed", "period_as_printed", "qualifier", "source_id",
    "source_title", "source_url", "also_source_ids", "tier", "datasets", "flags", "note",
    "reason",
)  # fmt: skip


def value_text(figure: PrintedFigure) -> str:
    """The value exactly, with the places printed precision says: `82291`, `3.40`; empty
    when unreadable. Places are only ever added: a value finer than its recorded precision
    keeps every digit (the text is the exact figure; `value` is a float for charts)."""
    if figure.value is None:
        return ""
    if figure.decimals is None or figure.decimals < 0:
        return _plain(figure.value)
    try:
        printed = figure.value.quantize(Decimal(1).scaleb(-figure.decimals))
    except InvalidOperation:  # more places than the context holds: as stored
        return _plain(figure.value)
    return _plain(printed if printed == figure.value else figure.value)


def _plain(value: Decimal) -> str:
    return format(value, "f")


def group_record(group: Agreeing) -> dict[str, Any]:
    """What one group of agreeing figures says, through the copy that stands for it."""
    shown = group.shown
    text = value_text(shown)
    return {
        "period_type": shown.period_type,
        "value": float(text) if text else None,
        "value_text": text,
        "unit": shown.unit,
        "value_as_printed": shown.value_as_printed,
        "unit_as_printed": shown.unit_as_printed,
        "source_id": shown.source_id,
        "source_title": shown.source_title,
        "source_url": shown.source_url,
        "also_source_ids": [s for s in group.source_ids if s != shown.source_id],
        "tier": TIERS[shown.tier] if shown.tier < len(TIERS) else None,
        "datasets": sorted({f.slug for f in group.figures}),
        "flags": sorted({flag for f in group.figures for flag in f.flags}),
        "note": shown.note,
        "qualifier": shown.qualifier,
        "period_as_printed": shown.period_as_printed,
    }


def point_record(point: Point) -> dict[str, Any]:
    """One period: its preferred figure and the alternatives with their reasons."""
    preferred = group_record(point.preferred)
    return {
        "period_type": preferred.pop("period_type"),
        "period": point.period,
        "year": point.year,
        **preferred,
        "alternatives": [
            {**group_record(group), "reason": reason} for group, reason in point.alternatives
        ],
    }


NUMBERS = frozenset({"value", "year"})  # the CSV columns that are numbers, never formulas


def figure_rows(series: Series) -> list[dict[str, str]]:
    """Every group of every period as CSV text, preferred first within a period; text that
    would run as a formula in a spreadsheet starts with `'`."""
    rows = []
    names = {
        "indicator_code": series.indicator.code,
        "indicator_name_zh": series.indicator.name_zh,
        "indicator_name_en": series.indicator.name_en,
        "region_code": series.region.code,
        "region_name_zh": series.region.name_zh,
        "region_name_en": series.region.name_en,
    }
    for point in series.points:
        groups = [(point.preferred, ""), *point.alternatives]
        for rank, (group, reason) in enumerate(groups):
            record = group_record(group)
            rows.append(
                {
                    **names,
                    "period_type": record["period_type"],
                    "period": point.period,
                    "year": str(point.year),
                    "preferred": "true" if rank == 0 else "false",
                    "value": record["value_text"],
                    "unit": record["unit"],
                    "value_as_printed": record["value_as_printed"],
                    "unit_as_printed": record["unit_as_printed"],
                    "period_as_printed": record["period_as_printed"],
                    "qualifier": record["qualifier"],
                    "source_id": record["source_id"],
                    "source_title": record["source_title"],
                    "source_url": record["source_url"],
                    "also_source_ids": ";".join(record["also_source_ids"]),
                    "tier": record["tier"] or "",
                    "datasets": ";".join(record["datasets"]),
                    "flags": ";".join(record["flags"]),
                    "note": record["note"],
                    "reason": reason,
                }
            )
    # A person opens this in a spreadsheet: text that would run as a formula is neutralised
    # as in every CSV download (`catalog.sql.neutralised`); the numbers are left as they are.
    return [{k: v if k in NUMBERS else neutralised(v) for k, v in row.items()} for row in rows]
