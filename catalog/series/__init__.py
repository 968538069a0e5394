"""Every indicator × region as a series across the datasets that print it: the preferred figure
of each period, every alternative with the reason it was not preferred, and where each is
printed."""

from catalog.series.catalogue import CACHED_SERIES, Printed, Series, SeriesCatalogue
from catalog.series.figures import FIGURE_COLUMNS, MAX_FIGURES, IndicatorTable, PrintedFigure
from catalog.series.listing import (
    SUGGESTED,
    edit_distance,
    nearest,
    place_rank,
    researcher_order,
)
from catalog.series.periods import calendar_span, months_span
from catalog.series.preference import (
    DEFECT_FLAGS,
    Agreeing,
    Point,
    Ranked,
    prefer,
    standing,
    why_not_preferred,
)
from catalog.series.records import (
    FIGURE_FIELDS,
    figure_rows,
    group_record,
    point_record,
    value_text,
)

__all__ = [
    "CACHED_SERIES",
    "DEFECT_FLAGS",
    "FIGURE_COLUMNS",
    "FIGURE_FIELDS",
    "MAX_FIGURES",
    "SUGGESTED",
    "Agreeing",
    "IndicatorTable",
    "Point",
    "Printed",
    "PrintedFigure",
    "Ranked",
    "Series",
    "SeriesCatalogue",
    "calendar_span",
    "edit_distance",
    "figure_rows",
    "group_record",
    "months_span",
    "nearest",
    "place_rank",
    "point_record",
    "prefer",
    "researcher_order",
    "standing",
    "value_text",
    "why_not_preferred",
]
