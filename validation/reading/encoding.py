"""Decoding CSV bytes: strict UTF-8 (with or without BOM), then strict GB18030.

The whole file is decoded, never a sample: department exports often start with an ASCII
block and carry GBK text only further down, which sampling detectors (and chardet, which
calls GBK "GB2312") get wrong.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

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
