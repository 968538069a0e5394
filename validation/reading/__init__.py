"""Reading a source file as the steward gave it into a table of raw text: the encoding
(`encoding`), CSV with its Table Dialect (`delimited`, `dialect`), an XLSX sheet read within
its limits (`sheet`) and made a tidy table (`workbook`), and what every reader shares
(`readers`: `RawTable`, zip and sheet limits, file statistics)."""

from validation.reading.delimited import read_csv
from validation.reading.dialect import Dialect, dialect_problems, with_null_sequence
from validation.reading.encoding import DecodeFailure, decode
from validation.reading.readers import (
    SHEET_LIMITS,
    ZIP_LIMITS,
    RawTable,
    ReadFailure,
    SheetLimits,
    SourceStats,
    ZipLimits,
    check_zip,
    check_zip_file,
    file_stats,
    read_bytes,
    row_numbers,
)
from validation.reading.sheet import CellRefused, MergedRange, Sheet, read_sheet
from validation.reading.workbook import read_xlsx

__all__ = [
    "SHEET_LIMITS",
    "ZIP_LIMITS",
    "CellRefused",
    "DecodeFailure",
    "Dialect",
    "MergedRange",
    "RawTable",
    "ReadFailure",
    "Sheet",
    "SheetLimits",
    "SourceStats",
    "ZipLimits",
    "check_zip",
    "check_zip_file",
    "decode",
    "dialect_problems",
    "file_stats",
    "read_bytes",
    "read_csv",
    "read_sheet",
    "read_xlsx",
    "row_numbers",
    "with_null_sequence",
]
