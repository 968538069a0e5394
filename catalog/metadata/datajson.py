"""DCAT-US 1.1 (Project Open Data) `data.json` of the catalogue.

`bureauCode` and `programCode` are omitted: the specification requires them of US federal
agencies only. Languages are BCP 47 tags, dates ISO 8601, `temporal` an ISO 8601 interval,
`accrualPeriodicity` an ISO 8601 repeating duration (or `irregular`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.metadata.rdf import DOWNLOADS, CatalogueInfo, Links

CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
ACCESS_LEVELS = {"unconditional": "public", "conditional": "restricted public"}
# Frequency → ISO 8601 repeating duration (DCAT-US 1.1 accrualPeriodicity); None: leave out.
PERIODICITY: dict[str, str | None] = {
    "realtime": "R/PT1S",
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "semiannual": "R/P6M",
    "annual": "R/P1Y",
    "irregular": "irregular",
    "archived": None,
    "other": None,
}
RIGHTS = {
    "conditional": "有条件开放：使用须符合发布单位规定的条件。"
    " Conditionally open: use is subject to the publisher's conditions.",
}


def data_json_catalog(
    info: CatalogueInfo, descriptors: Sequence[dict[str, Any]], self_url: str
) -> dict[str, Any]:
    """The data.json document listing `descriptors`."""
    return {
        "@context": CONTEXT,
        "@id": self_url,
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": DESCRIBED_BY,
        "dataset": [dataset(info, descriptor) for descriptor in descriptors],
    }


def dataset(info: CatalogueInfo, descriptor: dict[str, Any]) -> dict[str, Any]:
    links = Links(info.base_url)
    slug = str(descriptor["name"])
    organization = descriptor.get("organization") or {}
    contact = descriptor.get("contact") or {}
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": links.dataset(slug),
        "title": descriptor.get("title") or slug,
        "description": _description(descriptor),
        "keyword": _keywords(descriptor),
        "modified": str(descriptor.get("build", {}).get("published", "")),
        "issued": str(descriptor.get("issued", "")),
        "publisher": {
            "@type": "org:Organization",
            "name": organization.get("title") or organization.get("name") or info.publisher,
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": contact.get("name") or organization.get("title") or info.publisher,
            "hasEmail": f"mailto:{contact['email']}" if contact.get("email") else "mailto:",
        },
        "accessLevel": ACCESS_LEVELS.get(str(descriptor.get("access_level")), "public"),
        "landingPage": links.dataset(slug),
        "language": ["zh", "en"],
        "theme": list(dict.fromkeys(descriptor.get("themes", []))) or None,
        "references": _references(descriptor) or None,
        "distribution": _distributions(descriptor, links),
    }
    optional = {
        "rights": RIGHTS.get(str(descriptor.get("access_level"))),
        "license": _licence(descriptor),
        "temporal": _temporal(descriptor),
        "spatial": ",".join(str(code) for code in descriptor.get("spatial", [])) or None,
        "accrualPeriodicity": PERIODICITY.get(str(descriptor.get("frequency"))),
        "describedBy": _first_schema(descriptor, links),
        "describedByType": "application/json" if descriptor.get("resources") else None,
    }
    entry.update({key: value for key, value in optional.items() if value})
    return {key: value for key, value in entry.items() if value is not None}


def _description(descriptor: dict[str, Any]) -> str:
    parts = [str(descriptor.get(k) or "").strip() for k in ("description", "description_en")]
    return "\n\n".join(part for part in parts if part) or str(descriptor["name"])


def _keywords(descriptor: dict[str, Any]) -> list[str]:
    words = [str(w) for k in ("keywords", "keywords_en") for w in descriptor.get(k, []) if w]
    return list(dict.fromkeys(words)) or [str(descriptor["name"])]


def _references(descriptor: dict[str, Any]) -> list[str]:
    paths = [str(source.get("path", "")) for source in descriptor.get("sources", [])]
    return list(dict.fromkeys(p for p in paths if p.startswith(("http://", "https://"))))


def _licence(descriptor: dict[str, Any]) -> str | None:
    for licence in descriptor.get("licenses", []):
        if licence.get("path"):
            return str(licence["path"])
    return None


def _temporal(descriptor: dict[str, Any]) -> str | None:
    temporal = descriptor.get("temporal") or {}
    start, end = temporal.get("start"), temporal.get("end")
    return f"{start}/{end}" if start and end else None


def _first_schema(descriptor: dict[str, Any], links: Links) -> str | None:
    resources = descriptor.get("resources", [])
    return links.schema(str(descriptor["name"]), resources[0]["name"]) if resources else None


def _distributions(descriptor: dict[str, Any], links: Links) -> list[dict[str, Any]]:
    slug = str(descriptor["name"])
    found = []
    for resource in descriptor.get("resources", []):
        name = str(resource["name"])
        for extension, (file_type, media_type) in DOWNLOADS.items():
            found.append(
                {
                    "@type": "dcat:Distribution",
                    "title": f"{resource.get('title') or name} ({file_type})",
                    "downloadURL": links.download(slug, name, extension),
                    "mediaType": media_type,
                    "format": file_type,
                    "describedBy": links.schema(slug, name),
                    "describedByType": "application/json",
                }
            )
    return found
