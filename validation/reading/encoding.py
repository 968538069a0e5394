"""Decoding CSV bytes: strict UTF-8 (with or without BOM), then strict GB18030.

The whole file is decoded, never a sample: department exports often start with an ASCII
block and carry GBK text only further down, which sampling detectors (and chardet, which
calls GBK "GB2312") get wrong.
"""

from __future__ import annotations

import codecs
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOM = codecs.BOM_UTF8
ALIASES = {"utf8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk", "gb2312": "gb18030"}


@dataclass(frozen=True)
class Decoded:
    """UTF-8 bytes without a BOM, ready for the CSV parser, and the encoding they came in."""

    data: bytes
    encoding: str


class DecodeFailure(Exception):
    """The bytes do not decode; ``message`` says where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode ``data`` with the declared encoding, or detect it; raise DecodeFailure."""
    if encoding:
        return _decode_as(data, _normalise(encoding))
    if data.startswith(BOM):
        return _decode_as(data, "utf-8-sig")
    try:
        return _decode_as(data, "utf-8")
    except DecodeFailure as utf8_failure:
        try:
            return _decode_as(data, "gb18030")
        except DecodeFailure:
            raise DecodeFailure(f"{utf8_failure.message} (and it is not GB18030 either)") from None


def _normalise(encoding: str) -> str:
    name = encoding.strip().lower().replace("_", "-")
    try:
        return codecs.lookup(ALIASES.get(name, name)).name
    except LookupError:
        raise DecodeFailure(f'unknown encoding "{encoding}"') from None


def _decode_as(data: bytes, encoding: str) -> Decoded:
    # utf-8-sig counts offsets after the BOM; decoding past it ourselves keeps the file's own.
    skip = len(BOM) if encoding == "utf-8-sig" and data.startswith(BOM) else 0
    try:
        text = str(memoryview(data)[skip:], "utf-8" if skip else encoding, "strict")
    except UnicodeDecodeError as exc:
        start = exc.start + skip
        line = data.count(b"\n", 0, start) + 1
        bad = data[start : start + 4].hex(" ")
        raise DecodeFailure(
            f"not valid {encoding}: byte offset {start} (line {line}) holds {bad}"
        ) from None
    if encoding in ("utf-8", "utf-8-sig"):
        # The parser wants UTF-8: reuse the bytes rather than re-encoding a large text.
        return Decoded(data[len(BOM) :] if data.startswith(BOM) else data, encoding)
    return Decoded(text.lstrip("\ufeff").encode("utf-8"), encoding)


# ------------------------------------------------------------------- a file too large to hold

# Pieces of a streamed file end at a line break: no byte of a multi-byte character is ever
# 0x0A in UTF-8 or GB18030, so every piece decodes by itself.
PIECE_BYTES = 4 << 20


@dataclass(frozen=True)
class Scanned:
    """What one pass over a file found: the encoding it decodes in, and its digests."""

    encoding: str
    md5: str
    sha256: str
    size: int


def pieces(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file as (offset, bytes) pieces, each ending at a line break (the last may not)."""
    offset, carry = 0, b""
    with path.open("rb") as stream:
        while block := stream.read(PIECE_BYTES):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            if cut:
                yield offset, data[:cut]
                offset, data = offset + cut, data[cut:]
            carry = data
    if carry:
        yield offset, carry


def scan(path: Path, encoding: str | None = None) -> Scanned:
    """The encoding ``path`` decodes in (as ``decode`` finds it: declared, else UTF-8 with or
    without BOM, else GB18030) and its digests, holding one piece at a time."""
    declared = _normalise(encoding) if encoding else None
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    first = declared or "utf-8"
    failure: DecodeFailure | None = None
    for offset, piece in pieces(path):
        md5.update(piece)
        sha256.update(piece)
        size += len(piece)
        if offset == 0 and declared is None and piece.startswith(BOM):
            first = "utf-8-sig"
        if failure is None:
            failure = _piece_failure(path, offset, piece, first)
    found = first
    if failure is not None:
        if declared is not None or first == "utf-8-sig":
            raise failure
        if _file_failure(path, "gb18030") is not None:
            raise DecodeFailure(f"{failure.message} (and it is not GB18030 either)")
        found = "gb18030"
    return Scanned(found, md5.hexdigest(), sha256.hexdigest(), size)


def _file_failure(path: Path, encoding: str) -> DecodeFailure | None:
    for offset, piece in pieces(path):
        failure = _piece_failure(path, offset, piece, encoding)
        if failure is not None:
            return failure
    return None


def _piece_failure(path: Path, offset: int, piece: bytes, encoding: str) -> DecodeFailure | None:
    """Why ``piece`` (at ``offset``) does not decode, worded as ``decode`` words it."""
    skip = len(BOM) if offset == 0 and encoding == "utf-8-sig" and piece.startswith(BOM) else 0
    try:
        str(memoryview(piece)[skip:], "utf-8" if skip else encoding, "strict")
    except UnicodeDecodeError as exc:
        start = offset + skip + exc.start
        lines = _lines_before(path, offset) + piece.count(b"\n", 0, skip + exc.start)
        with path.open("rb") as stream:
            stream.seek(start)
            bad = stream.read(4).hex(" ")
        return DecodeFailure(
            f"not valid {encoding}: byte offset {start} (line {lines + 1}) holds {bad}"
        )
    return None


def _lines_before(path: Path, offset: int) -> int:
    """Line breaks before ``offset`` (only a failing file pays this second read)."""
    count = 0
    with path.open("rb") as stream:
        while offset > 0 and (block := stream.read(min(offset, PIECE_BYTES))):
            count += block.count(b"\n")
            offset -= len(block)
    return count


class Utf8Stream(io.RawIOBase):
    """``path`` as UTF-8 bytes without a BOM, decoded piece by piece from ``encoding``: what
    ``decode`` gives the parser, for a file that is read as a stream."""

    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__()
        self._pieces = pieces(path)
        self._encoding = encoding
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            found = next(self._pieces, None)
            if found is None:
                return 0
            self._buffer = memoryview(self._utf8(*found))
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def _utf8(self, offset: int, piece: bytes) -> bytes:
        if self._encoding in ("utf-8", "utf-8-sig"):
            return piece[len(BOM) :] if offset == 0 and piece.startswith(BOM) else piece
        text = str(piece, self._encoding, "strict")
        return (text.lstrip("\ufeff") if offset == 0 else text).encode("utf-8")
