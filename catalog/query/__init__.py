"""The DuckDB query engine over the published Parquet: rows, aggregates, totals, downloads, and
the output renderer the downloads and the CKAN DataStore share.

    engine      QueryEngine: resolves resources, runs queries on the shared database
    resources   which file a (dataset, resource, version) is; the SQL views of the current ones
    pages       pages of rows by offset (at any depth) or cursor (`cursor`, which also
                holds a page's SQL), with their totals (`totals`: per row group, from the
                footer's statistics where they decide), read from kept row groups
                (`rowgroups`) when they hold them; a page asked in parsed terms
                (`PageQuestion`, the CKAN DataStore's) is read the same way
    statistics  matches per row group from the footer's statistics where they decide the
                filters (`GroupCounts`), shared by pages, totals and filtered downloads
    aggregates  grouped counts, sums, averages, minima and maxima
    selection   the rows a download reads, in typed or file order
    database    the DuckDB connection, locked to the store; its errors made ours
    renderer    the one output renderer: CSV and TSV, JSON and NDJSON, XLSX, over cells
                selected as `catalog.sql.cells` renders them
    downloads   the encoders of each download format, Parquet and zip included
    formats     the one table of download formats (media type, EU file type, digest,
                encoder) and `encode`, read by the route, the metadata feeds and the pages
"""

from catalog.query.aggregates import MAX_GROUPS, AggregateRequest, Table
from catalog.query.cursor import (
    DEFAULT_LIMIT,
    MAX_ROWS_LIMIT,
    Cursor,
    FoundPage,
    PageQuestion,
    RowsPage,
    RowsRequest,
)
from catalog.query.database import in_file_order, memory_for_serving, trim_freed_memory
from catalog.query.downloads import (
    CHUNK,
    ZIP_MEDIA_TYPE,
    TooManyRows,
    ZipMember,
    csv_chunks,
    json_chunks,
    parquet_chunks,
    write_xlsx,
    zip_chunks,
    zip_member_chunks,
)
from catalog.query.engine import QueryEngine
from catalog.query.formats import (
    CATALOGUED,
    DOWNLOADS_REVISION,
    FORMATS,
    PUBLISHED_XLSX_MAX_CELLS,
    Digest,
    Encoded,
    Encoding,
    Format,
    PublishedDownloads,
    encode,
    publisher_of,
)
from catalog.query.renderer import (
    BOM,
    csv_header,
    delimited_chunks,
    delimited_line,
    delimited_text,
    json_array_chunks,
    ndjson_chunks,
    text_csv_chunks,
    write_sheet,
)
from catalog.query.resources import Generation, ResourceFile, StoredDownload, view_name
from catalog.query.selection import ExportRequest, RowSelection, export_runs
from catalog.query.totals import Mode

__all__ = [
    "BOM",
    "CATALOGUED",
    "CHUNK",
    "DEFAULT_LIMIT",
    "DOWNLOADS_REVISION",
    "FORMATS",
    "MAX_GROUPS",
    "MAX_ROWS_LIMIT",
    "PUBLISHED_XLSX_MAX_CELLS",
    "ZIP_MEDIA_TYPE",
    "AggregateRequest",
    "Cursor",
    "Digest",
    "Encoded",
    "Encoding",
    "ExportRequest",
    "Format",
    "FoundPage",
    "Generation",
    "Mode",
    "PageQuestion",
    "PublishedDownloads",
    "QueryEngine",
    "ResourceFile",
    "RowSelection",
    "RowsPage",
    "RowsRequest",
    "StoredDownload",
    "Table",
    "TooManyRows",
    "ZipMember",
    "csv_chunks",
    "csv_header",
    "delimited_chunks",
    "delimited_line",
    "delimited_text",
    "encode",
    "export_runs",
    "in_file_order",
    "json_array_chunks",
    "json_chunks",
    "memory_for_serving",
    "ndjson_chunks",
    "parquet_chunks",
    "publisher_of",
    "text_csv_chunks",
    "trim_freed_memory",
    "view_name",
    "write_sheet",
    "write_xlsx",
    "zip_chunks",
    "zip_member_chunks",
]
