"""Reading a source file as the steward gave it into a table of raw text: the encoding
(`encoding`), CSV with its Table Dialect (`delimited`, `dialect`), an XLSX sheet read within
its limits (`sheet`) and made a tidy table (`workbook`), and what every reader shares
(`readers`: `RawTable`, zip and sheet limits, file statistics)."""

from __future__ import annotations

import typing

from validation import lazy

if typing.TYPE_CHECKING:
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

# Where each name lives, imported on first use: checking an upload's zip needs `readers`, not
# the workbook reader (validation.lazy).
_HOMES = {
    "CellRefused": "validation.reading.sheet",
    "DecodeFailure": "validation.reading.encoding",
    "Dialect": "validation.reading.dialect",
    "MergedRange": "validation.reading.sheet",
    "RawTable": "validation.reading.readers",
    "ReadFailure": "validation.reading.readers",
    "SHEET_LIMITS": "validation.reading.readers",
    "Sheet": "validation.reading.sheet",
    "SheetLimits": "validation.reading.readers",
    "SourceStats": "validation.reading.readers",
    "ZIP_LIMITS": "validation.reading.readers",
    "ZipLimits": "validation.reading.readers",
    "check_zip": "validation.reading.readers",
    "check_zip_file": "validation.reading.readers",
    "decode": "validation.reading.encoding",
    "dialect_problems": "validation.reading.dialect",
    "file_stats": "validation.reading.readers",
    "read_bytes": "validation.reading.readers",
    "read_csv": "validation.reading.delimited",
    "read_sheet": "validation.reading.sheet",
    "read_xlsx": "validation.reading.workbook",
    "row_numbers": "validation.reading.readers",
    "with_null_sequence": "validation.reading.dialect",
}


def __getattr__(name: str) -> object:
    return lazy.exported(__name__, _HOMES, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
