"""What the catalogue index keeps of one published descriptor: its searchable columns.

Also the catalogue's stable ids and the descriptor values the index derives (times as naive
UTC, the years a dataset covers), which the CKAN mapping and the web pages share.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

# The namespace of the catalogue's stable UUIDs (uuid5 of "<kind>:<key>"). Never change it:
# harvesters key their copies on these ids.
ID_NAMESPACE = uuid.UUID("6b1f3c2e-8d4a-5f0b-9c7e-2a4d6e8f0b13")

COLUMNS = (
    "slug VARCHAR PRIMARY KEY, title VARCHAR, title_en VARCHAR, title_text VARCHAR,"
    " keyword_text VARCHAR, text VARCHAR, themes VARCHAR[], keywords VARCHAR[],"
    " formats VARCHAR[], organization VARCHAR, frequency VARCHAR, access_level VARCHAR,"
    " years VARCHAR[], issued VARCHAR, modified VARCHAR, id VARCHAR, version VARCHAR,"
    " licenses VARCHAR[], resource_names VARCHAR[], resource_text VARCHAR,"
    " modified_at TIMESTAMP, created_at TIMESTAMP"
)


def catalogue_uuid(kind: str, key: str) -> str:
    """The stable id of a dataset ("dataset", slug), resource, organization, group or tag."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}"))


def utc_moment(value: Any) -> datetime | None:
    """A descriptor timestamp or date (`2026-01-01T09:00:00Z`, `2026-01-01`) as naive UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def years_covered(descriptor: dict[str, Any]) -> list[int]:
    """Every year between the descriptor's `temporal` start and end."""
    temporal = descriptor.get("temporal") or {}
    found = [_year(temporal.get("start")), _year(temporal.get("end"))]
    start, end = found[0] or found[1], found[1] or found[0]
    if start is None or end is None or end < start:
        return []
    return list(range(start, end + 1))


def _year(value: Any) -> int | None:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


def entry(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The searchable columns of one published descriptor (see `COLUMNS`).

    List columns hold each value once (a keyword in both languages is one keyword), so a
    facet counts a dataset once per value, as Solr counts documents.
    """
    resources = descriptor.get("resources", [])
    keywords = [*descriptor.get("keywords", []), *descriptor.get("keywords_en", [])]
    return {
        **_texts(descriptor, keywords),
        "slug": descriptor["name"],
        "title": descriptor.get("title", ""),
        "title_en": descriptor.get("title_en", ""),
        "themes": list(dict.fromkeys(descriptor.get("themes", []))),
        "keywords": list(dict.fromkeys(keywords)),
        "formats": _formats(resources),
        "organization": (descriptor.get("organization") or {}).get("name", ""),
        "frequency": descriptor.get("frequency", ""),
        "access_level": descriptor.get("access_level", ""),
        "years": [str(year) for year in years_covered(descriptor)],
        "issued": str(descriptor.get("issued", "")),
        "modified": str(descriptor.get("build", {}).get("published", "")),
        "id": catalogue_uuid("dataset", descriptor["name"]),
        "version": str(descriptor.get("version", "")),
        "licenses": [str(lic.get("name", "")) for lic in descriptor.get("licenses", [])],
        "resource_names": [str(r.get("name", "")) for r in resources],
        **_times(descriptor),
    }


def _texts(descriptor: dict[str, Any], keywords: list[str]) -> dict[str, str]:
    """The lowercased text columns words are looked for in."""
    parts = [
        descriptor.get("name", ""),
        descriptor.get("title", ""),
        descriptor.get("title_en", ""),
        descriptor.get("description", ""),
        descriptor.get("description_en", ""),
        " ".join(keywords),
    ]
    resources = descriptor.get("resources", [])
    return {
        "title_text": f"{descriptor.get('title', '')} {descriptor.get('title_en', '')}".lower(),
        "keyword_text": " ".join(keywords).lower(),
        "text": " ".join(str(part) for part in parts).lower(),
        "resource_text": " ".join(
            f"{r.get('name', '')} {r.get('title', '')} {r.get('title_en', '')}" for r in resources
        ).lower(),
    }


def _formats(resources: list[dict[str, Any]]) -> list[str]:
    """Parquet (every resource is published as it) and the formats of the source files."""
    found = {"PARQUET"} | {
        str(r["source_file"]["format"]).upper() for r in resources if "source_file" in r
    }
    return sorted(found)


def _times(descriptor: dict[str, Any]) -> dict[str, datetime | None]:
    modified = utc_moment(descriptor.get("build", {}).get("published", ""))
    issued = utc_moment(descriptor.get("issued", ""))
    # first published: the issued date, never after the current version
    created = min(issued, modified) if issued and modified else issued or modified
    return {"modified_at": modified, "created_at": created}
