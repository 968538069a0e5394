"""What a request names, read from its path: structure references, flow references and
series keys (SDMX-REST 1.x), bounded before anything is looked up.

A hostile caller controls every character here, so each part is matched against SDMX's
`IDType` (letters, digits, `_`, `@`, `$`, `-`), and keys are capped in length and in the
number of `+` alternatives: the filter a key becomes stays small whatever is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.sdmx.errors import BadSyntax, NoResults

AGENCY = "GZHRSS"
DIMENSIONS = ("INDICATOR", "REGION", "PERIOD_TYPE")
MAX_KEY_CHARS = 2000
MAX_ALTERNATIVES = 200  # `+`-separated values in one key, over all its dimensions
MAX_REFERENCE_PARTS = 50  # `+`-separated ids, agencies or versions in a structure path

_ID = re.compile(r"^[A-Za-z0-9_@$\-]{1,200}$")
_VERSION = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,9}){0,2}$")


@dataclass(frozen=True)
class Wanted:
    """Which maintainable artefacts a structure path names; None means any. Only the
    current version of each is served, so `latest` (and `all`) is it."""

    ids: frozenset[str] | None
    versions: frozenset[str] | None = None

    def admits(self, identifier: str, version: str) -> bool:
        return (self.ids is None or identifier in self.ids) and (
            self.versions is None or "latest" in self.versions or version in self.versions
        )


def structure_reference(agency: str, resource_id: str, version: str) -> Wanted:
    """`/{agency}/{id}/{version}` with `all`, `latest` and `+` lists; NoResults for an agency
    this service does not maintain (none of its structures can match)."""
    agencies = _parts(agency, "agency")
    if agencies is not None and AGENCY not in agencies:
        raise NoResults(f"No structures of agency {agency[:40]}: this service maintains {AGENCY}.")
    versions = _parts(version, "version", allow_latest=True)
    return Wanted(_parts(resource_id, "resource id"), versions)


def _parts(text: str, what: str, *, allow_latest: bool = False) -> frozenset[str] | None:
    if text == "all" or (allow_latest and text == "*"):
        return None
    parts = text.split("+")
    if len(parts) > MAX_REFERENCE_PARTS:
        raise BadSyntax(f"At most {MAX_REFERENCE_PARTS} alternatives in the {what}.")
    pattern = _VERSION if what == "version" else _ID
    for part in parts:
        if not (pattern.fullmatch(part) or (allow_latest and part == "latest")):
            raise BadSyntax(f"The {what} is not a valid SDMX identifier.")
    return frozenset(parts)


def flow_reference(flow: str) -> tuple[str, str | None]:
    """The dataflow id of `ID`, `AGENCY,ID` or `AGENCY,ID,VERSION`, and the version asked
    for (None: the latest)."""
    parts = flow.split(",")
    if not 1 <= len(parts) <= 3 or not all(parts[:2]):
        raise BadSyntax("The flow reference must be ID, AGENCY,ID or AGENCY,ID,VERSION.")
    if len(parts) == 1:
        return _identifier(parts[0], "dataflow id"), None
    agency = _identifier(parts[0], "agency")
    identifier = _identifier(parts[1], "dataflow id")
    version = parts[2] if len(parts) == 3 else "latest"
    if version not in ("latest", "") and not _VERSION.fullmatch(version):
        raise BadSyntax("The flow's version is not a valid SDMX version.")
    if agency not in (AGENCY, "all"):
        raise NoResults(f"No dataflow {identifier} of agency {agency}.")
    return identifier, None if version in ("latest", "") else version


def _identifier(text: str, what: str) -> str:
    if not _ID.fullmatch(text):
        raise BadSyntax(f"The {what} is not a valid SDMX identifier.")
    return text


def series_key(key: str) -> tuple[frozenset[str] | None, ...]:
    """One entry per dimension (`DIMENSIONS`): the values asked for, None for any."""
    if len(key) > MAX_KEY_CHARS:
        raise BadSyntax(f"The key is longer than {MAX_KEY_CHARS} characters.")
    if key in ("", "all"):
        return tuple(None for _ in DIMENSIONS)
    parts = key.split(".")
    if len(parts) != len(DIMENSIONS):
        raise BadSyntax(
            f"The key must have {len(DIMENSIONS)} parts, {'.'.join(DIMENSIONS)},"
            " each empty (any) or values joined by +."
        )
    alternatives = sum(len(part.split("+")) for part in parts if part)
    if alternatives > MAX_ALTERNATIVES:
        raise BadSyntax(f"At most {MAX_ALTERNATIVES} values in one key.")
    return tuple(_dimension_values(part) for part in parts)


def _dimension_values(part: str) -> frozenset[str] | None:
    if not part:
        return None
    values = part.split("+")
    for value in values:
        _identifier(value, "key value")
    return frozenset(values)
