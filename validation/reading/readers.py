"""Reading a source file into a table of raw strings, one column per header position.

Readers know nothing of types: every cell comes back as text ("" for an empty cell, null for
a cell the row does not have), with the row number Frictionless would give it. Structural
problems that only the reader can see (ragged rows) are recorded as they are met.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import pyarrow as pa


class FileStats(TypedDict):
    """What the report says of a source file's bytes (Frictionless's task stats names)."""

    md5: str
    sha256: str
    bytes: int


class SourceStats(FileStats, total=False):
    encoding: str  # a CSV's: the encoding its text was decoded from


class ReadFailure(Exception):
    """The file cannot be read at all; ``type`` is the Frictionless error type."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


@dataclass
class RawTable:
    """A source file as text: ``columns[i]`` holds header position ``i`` for every data row."""

    labels: list[str]
    header_row: int | None
    columns: list[pa.StringArray]
    rows: pa.Int64Array
    extra_cells: list[tuple[int, int, str]] = field(default_factory=list)
    ragged: dict[int, tuple[str, ...]] = field(default_factory=dict)
    stats: SourceStats | None = None  # set by the reader once the file is read

    @property
    def num_rows(self) -> int:
        return len(self.rows)

    def cells(self, index: int) -> tuple[str, ...]:
        """The cells of the data row at ``index`` as the source has them (for reports)."""
        row = int(self.rows[index].as_py())
        if row in self.ragged:
            return self.ragged[row]
        values = [column[index].as_py() for column in self.columns]
        return tuple("" if value is None else str(value) for value in values)


def row_numbers(rows: pa.Int64Array) -> list[int]:
    """Source row numbers as Python ints (for reports)."""
    # A row column never holds a null; the test only narrows ``int | None`` for the checker.
    return [row for row in rows.to_pylist() if row is not None]


def read_bytes(base_path: Path, relative: str) -> bytes:
    """The file at ``relative`` inside ``base_path``; refuse anything that escapes it."""
    data = source_path(base_path, relative).read_bytes()
    if not data:
        raise ReadFailure("source-error", f'file "{relative}" is empty')
    return data


def source_path(base_path: Path, relative: str) -> Path:
    """Where the file ``relative`` inside ``base_path`` is; refuse anything that escapes it."""
    if Path(relative).is_absolute() or ".." in Path(relative).parts or "://" in relative:
        raise ReadFailure(
            "scheme-error", f'path "{relative}" must be relative to the dataset folder'
        )
    root = base_path.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise ReadFailure("scheme-error", f'path "{relative}" leaves the dataset folder')
    if not target.is_file():
        raise ReadFailure("scheme-error", f'file "{relative}" does not exist')
    return target


def file_stats(data: bytes, encoding: str | None = None) -> SourceStats:
    """The digests and size of a source file, and the encoding its text was decoded from."""
    stats: SourceStats = {
        "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    if encoding is not None:
        stats["encoding"] = encoding
    return stats


# ------------------------------------------------------------------------------ zip archives

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class ZipLimits:
    """What an archive (an XLSX is one) may claim in its central directory before any member
    is decompressed. `zipfile` never yields more than a member's declared size, so the
    directory's claims bound the bytes a reader will ever inflate.

    - ``total_bytes``: all members together, uncompressed. The sheet reader holds every cell
      as text, several times the XML's size in memory; larger tables belong in CSV.
    - ``members``: an XLSX has a few dozen parts.
    - ``ratio``: uncompressed to compressed, for members past ``ratio_floor`` bytes. Sheet XML
      deflates 10 to 30 times; a run of zeros 1000 times, which only a bomb needs.
    """

    total_bytes: int = 256 * 2**20
    members: int = 1000
    ratio: int = 100
    ratio_floor: int = 2**20


ZIP_LIMITS = ZipLimits()


@dataclass(frozen=True)
class SheetLimits:
    """What one XLSX sheet may hold, measured by streaming its XML before any cell is built
    (`validation.reading.sheet`). Yearbook pages run to a few thousand lines by a few hundred
    columns; a sheet past these belongs in CSV.

    - ``rows``: the last row holding content.
    - ``area``: rows × columns of the used area, A1 to the last row and column with content;
      a reader holds every cell of it as text.
    - ``cells``: cells with content (a value, an inline string or a formula).
    - ``merges``: merged ranges; a yearbook's header and title merge a few dozen.
    - ``merged_cells``: the cells all merged ranges cover within the used area together,
      each of which receives its range's text.
    """

    rows: int = 200_000
    area: int = 5_000_000
    cells: int = 2_000_000
    merges: int = 10_000
    merged_cells: int = 200_000


SHEET_LIMITS = SheetLimits()


def is_zip(head: bytes) -> bool:
    """Whether a file starting with `head` is a zip archive (an XLSX, a .zip)."""
    return head[:4] in ZIP_MAGIC


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits = ZIP_LIMITS) -> None:
    """Refuse (`ReadFailure`) an archive that would expand past `limits`, holds another archive,
    or names a member outside itself; reads only the directory and each member's first bytes."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise _zip_refused(f"it has {len(members)} members, more than {limits.members}")
    total = sum(member.file_size for member in members)
    if total > limits.total_bytes:
        raise _zip_refused(
            f"it would expand to {_size(total)}, more than {_size(limits.total_bytes)}"
        )
    for member in members:
        _check_member(archive, member, limits)


def _check_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ZipLimits) -> None:
    name = member.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise _zip_refused(f"member {name!r} points outside the archive")
    if member.file_size > limits.ratio_floor:
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.ratio:
            raise _zip_refused(
                f"member {name!r} would expand {ratio:.0f} times to {_size(member.file_size)}"
                f" (at most {limits.ratio} times)"
            )
    if member.is_dir():
        return
    try:
        with archive.open(member) as opened:
            head = opened.read(4)
    except (RuntimeError, NotImplementedError):  # encrypted, or a compression zipfile lacks
        raise _zip_refused(f"member {name!r} cannot be read") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        # e.g. a directory that understates a member's size: its CRC fails at the declared end
        raise _zip_refused(f"member {name!r} is damaged") from None
    if name.lower().endswith(".zip") or is_zip(head):
        raise _zip_refused(f"member {name!r} is itself an archive")


def _zip_refused(reason: str) -> ReadFailure:
    return ReadFailure("format-error", f"the archive is refused unopened: {reason}")


def _size(count: int) -> str:
    return f"{count / 2**20:,.0f} MiB" if count >= 2**20 else f"{count:,} bytes"


def check_zip_file(path: Path, limits: ZipLimits = ZIP_LIMITS) -> None:
    """`check_zip` for a file on disk, when it is an archive at all (uploads of any name)."""
    with path.open("rb") as handle:
        if not is_zip(handle.read(4)):
            return
        try:
            with zipfile.ZipFile(handle) as archive:
                check_zip(archive, limits)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ReadFailure("format-error", f"not a readable zip archive ({exc})") from None
