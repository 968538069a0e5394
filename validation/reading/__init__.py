"""Reading a source file as the steward gave it into a table of raw text: the encoding
(`encoding`), CSV with its Table Dialect (`delimited`, `dialect`), XLSX sheets (`workbook`)
and what every reader shares (`readers`: `RawTable`, zip limits, file statistics)."""

from validation.reading.delimited import read_csv
from validation.reading.dialect import Dialect, dialect_problems, with_null_sequence
from validation.reading.encoding import DecodeFailure, decode
from validation.reading.readers import (
    ZIP_LIMITS,
    RawTable,
    ReadFailure,
    SourceStats,
    ZipLimits,
    check_zip,
    check_zip_file,
    file_stats,
    read_bytes,
    row_numbers,
)
from validation.reading.workbook import pick_sheet, read_xlsx

__all__ = [
    "ZIP_LIMITS",
    "DecodeFailure",
    "Dialect",
    "RawTable",
    "ReadFailure",
    "SourceStats",
    "ZipLimits",
    "check_zip",
    "check_zip_file",
    "decode",
    "dialect_problems",
    "file_stats",
    "pick_sheet",
    "read_bytes",
    "read_csv",
    "read_xlsx",
    "row_numbers",
    "with_null_sequence",
]
