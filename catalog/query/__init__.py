"""The DuckDB query engine over the published Parquet: rows, aggregates, totals, exports."""

from catalog.query.cursor import Cursor
from catalog.query.engine import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    AggregateRequest,
    ExportRequest,
    QueryEngine,
    Resource,
    RowsRequest,
    Selection,
    export_runs,
    json_row_sql,
    view_name,
)
from catalog.query.export import (
    CHUNK,
    FORMATS,
    TEXTUAL,
    ZIP_MEDIA_TYPE,
    ZipMember,
    csv_chunks,
    json_chunks,
    neutralised_sql,
    parquet_chunks,
    write_xlsx,
    zip_chunks,
)
from catalog.query.totals import Mode

__all__ = [
    "CHUNK",
    "DEFAULT_LIMIT",
    "FORMATS",
    "MAX_LIMIT",
    "TEXTUAL",
    "ZIP_MEDIA_TYPE",
    "AggregateRequest",
    "Cursor",
    "ExportRequest",
    "Mode",
    "QueryEngine",
    "Resource",
    "RowsRequest",
    "Selection",
    "ZipMember",
    "csv_chunks",
    "export_runs",
    "json_chunks",
    "json_row_sql",
    "neutralised_sql",
    "parquet_chunks",
    "view_name",
    "write_xlsx",
    "zip_chunks",
]
