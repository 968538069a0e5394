"""Which SDMX-ML 2.1 format answers a request, chosen by its `Accept` header (RFC 9110 12.5.1).

Each media range is read with its parameters: names and types in any case, values quoted or
not (`version="2.1"`), spaces around `;` and `=`. Each offered format takes the weight of
the most specific range that names it (`application/vnd.sdmx.genericdata+xml;version=2.1`
before `application/vnd.sdmx.genericdata+xml`, before `application/xml` or `text/xml`,
before `*/*`, `application/*` or `text/*`), so `q=0` refuses a format even when a wildcard
admits the others. The heaviest wins; a tie goes to the range named first, then to the
service's default. No `Accept` at all is `*/*`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.sdmx.errors import NotAcceptable

MAX_RANGES = 50  # media ranges read from one header
SDMX_PREFIX, SDMX_SUFFIX = "application/vnd.sdmx.", "+xml"
WILDCARDS = frozenset({"*/*", "application/*", "text/*"})
XML_TYPES = frozenset({"application/xml", "text/xml"})
_WEIGHT = re.compile(r"^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class MediaRange:
    kind: str  # lowercased `type/subtype`
    parameters: dict[str, str]  # lowercased names, unquoted values (but `q`)
    weight: float
    position: int


def negotiate(accept: str, offered: dict[str, str]) -> str:
    """The media type of `offered` (SDMX format name: media type, the default first) that
    `accept` prefers; NotAcceptable when it admits none of them."""
    ranges = media_ranges(accept) or [MediaRange("*/*", {}, 1.0, 0)]
    ranked: list[tuple[float, int, int, str]] = []
    for order, (name, media_type) in enumerate(offered.items()):
        found = _most_specific(ranges, name)
        if found is not None and found.weight > 0:
            ranked.append((-found.weight, found.position, order, media_type))
    if not ranked:
        raise NotAcceptable(
            "This resource is served as " + " or ".join(sorted(set(offered.values()))) + "."
        )
    return min(ranked)[3]


def media_ranges(accept: str) -> list[MediaRange]:
    """The media ranges of an `Accept` header (at most `MAX_RANGES`), malformed ones left out."""
    ranges = []
    for position, item in enumerate(_split(accept, ",")[:MAX_RANGES]):
        kind, *parts = _split(item, ";")
        parameters: dict[str, str] = {}
        for part in parts:
            name, equals, value = part.partition("=")
            if equals:
                parameters[name.strip().lower()] = _unquoted(value.strip())
        weight = parameters.pop("q", "1")
        kind = kind.strip().lower()
        if kind.count("/") == 1:
            ranges.append(MediaRange(kind, parameters, _weight(weight), position))
    return ranges


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside quoted strings (a `\\` escapes inside them)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()] if separator == "," else parts


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _ESCAPE.sub(r"\1", value[1:-1])
    return value


def _weight(text: str) -> float:
    return float(text) if _WEIGHT.match(text.strip()) else 0.0


def _most_specific(ranges: list[MediaRange], name: str) -> MediaRange | None:
    """The range that names the SDMX format `name` most specifically, if any does."""
    best: tuple[int, MediaRange] | None = None
    for media_range in ranges:
        level = _specificity(media_range, name)
        if level is not None and (best is None or level > best[0]):
            best = (level, media_range)
    return best[1] if best else None


def _specificity(media_range: MediaRange, name: str) -> int | None:
    if media_range.kind in WILDCARDS:
        return 0
    if media_range.kind in XML_TYPES:
        return 1
    if media_range.kind != f"{SDMX_PREFIX}{name}{SDMX_SUFFIX}":
        return None
    version = media_range.parameters.get("version")
    if version is None:
        return 2
    return 3 if version.strip() == "2.1" else None
