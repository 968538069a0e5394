"""DCAT-US 1.1 (Project Open Data) `data.json` of the catalogue.

`bureauCode` and `programCode` are omitted: the specification requires them of US federal
agencies only. Languages are BCP 47 tags, dates ISO 8601, `temporal` an ISO 8601 interval,
`accrualPeriodicity` an ISO 8601 repeating duration (or `irregular`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NotRequired, TypedDict

from catalog.metadata.site import CatalogueInfo, Links
from catalog.metadata.vocabularies import DATAJSON_ACCESS_LEVELS, FORMAT_LABELS
from catalog.query import CATALOGUED
from catalog.store import Package

CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
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
MAX_RIGHTS = 255  # DCAT-US 1.1's limit on `rights`


# The documents' shapes, keys in the order they are written (the bytes served follow it).
DataJson = TypedDict(
    "DataJson",
    {
        "@context": str,
        "@id": str,
        "@type": str,
        "conformsTo": str,
        "describedBy": str,
        "dataset": "list[Dataset]",
    },
)
Publisher = TypedDict("Publisher", {"@type": str, "name": str})
Contact = TypedDict("Contact", {"@type": str, "fn": str, "hasEmail": str})
Distribution = TypedDict(
    "Distribution",
    {
        "@type": str,
        "title": str,
        "downloadURL": NotRequired[str],
        "accessURL": NotRequired[str],
        "mediaType": str,
        "format": str,
        "describedBy": str,
        "describedByType": str,
        "description": NotRequired[str],
    },
)
Dataset = TypedDict(
    "Dataset",
    {
        "@type": str,
        "identifier": str,
        "title": str,
        "description": str,
        "keyword": list[str],
        "modified": str,
        "issued": str,
        "publisher": Publisher,
        "contactPoint": Contact,
        "accessLevel": str,
        "landingPage": str,
        "language": list[str],
        "theme": NotRequired[list[str]],
        "references": NotRequired[list[str]],
        "distribution": NotRequired[list[Distribution]],
        "rights": NotRequired[str],
        "license": NotRequired[str],
        "temporal": NotRequired[str],
        "spatial": NotRequired[str],
        "accrualPeriodicity": NotRequired[str],
        "describedBy": NotRequired[str],
        "describedByType": NotRequired[str],
    },
)


def data_json_catalog(info: CatalogueInfo, packages: Sequence[Package], self_url: str) -> DataJson:
    """The data.json document listing `packages`."""
    return {
        "@context": CONTEXT,
        "@id": self_url,
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": DESCRIBED_BY,
        "dataset": [dataset(info, package) for package in packages],
    }


def dataset(info: CatalogueInfo, package: Package) -> Dataset:
    links = Links(info.base_url)
    slug = package.name
    entry: Dataset = {
        "@type": "dcat:Dataset",
        "identifier": links.dataset(slug),
        "title": package.title or slug,
        "description": _description(package),
        "keyword": _keywords(package),
        "modified": package.modified(),
        "issued": "" if package.issued is None else str(package.issued),
        "publisher": {"@type": "org:Organization", "name": _publisher(info, package)},
        "contactPoint": _contact(info, package),
        "accessLevel": DATAJSON_ACCESS_LEVELS.get(package.access_level or "", "public"),
        "landingPage": links.dataset(slug),
        "language": ["zh", "en"],
    }
    if package.themes:
        entry["theme"] = list(dict.fromkeys(package.themes))
    if references := _references(package):
        entry["references"] = references
    entry["distribution"] = _distributions(package, links)
    _add_optional(entry, package, links)
    return entry


def _add_optional(entry: Dataset, package: Package, links: Links) -> None:
    """The properties written only when the descriptor gives them, in this order."""
    if rights := _rights(package):
        entry["rights"] = rights
    if licence := _licence(package):
        entry["license"] = licence
    if temporal := _temporal(package):
        entry["temporal"] = temporal
    if package.spatial:
        entry["spatial"] = ",".join(package.spatial)
    if periodicity := PERIODICITY.get(package.frequency or ""):
        entry["accrualPeriodicity"] = periodicity
    if package.resources:
        entry["describedBy"] = links.schema(package.name, package.resources[0].name)
        entry["describedByType"] = "application/json"


def _rights(package: Package) -> str:
    """The access restriction, with the dataset's own conditions when it states them."""
    general = RIGHTS.get(package.access_level or "", "")
    if not general or not package.conditions():
        return general
    stated = " ".join(t for t in (package.conditions(), package.access_conditions_en) if t)
    text = f"有条件开放 (conditionally open): {stated}"
    return text if len(text) <= MAX_RIGHTS else text[: MAX_RIGHTS - 1] + "…"


def _publisher(info: CatalogueInfo, package: Package) -> str:
    organization = package.organization
    return (organization and (organization.title or organization.name)) or info.publisher


def _contact(info: CatalogueInfo, package: Package) -> Contact:
    contact, organization = package.contact, package.organization
    name = (contact and contact.name) or (organization and organization.title) or info.publisher
    email = contact.email if contact is not None else None
    return {
        "@type": "vcard:Contact",
        "fn": name,
        "hasEmail": f"mailto:{email}" if email else "mailto:",
    }


def _description(package: Package) -> str:
    parts = [(text or "").strip() for text in (package.description, package.description_en)]
    return "\n\n".join(part for part in parts if part) or package.name


def _keywords(package: Package) -> list[str]:
    words = [word for word in (*package.keywords, *package.keywords_en) if word]
    return list(dict.fromkeys(words)) or [package.name]


def _references(package: Package) -> list[str]:
    paths = [source.path or "" for source in package.sources]
    return list(dict.fromkeys(p for p in paths if p.startswith(("http://", "https://"))))


def _licence(package: Package) -> str | None:
    return next((licence.path for licence in package.licenses if licence.path), None)


def _temporal(package: Package) -> str | None:
    temporal = package.temporal
    if temporal is None or not (temporal.start and temporal.end):
        return None
    return f"{temporal.start}/{temporal.end}"


def _location(package: Package, links: Links, resource: str, extension: str) -> dict[str, str]:
    """A file anyone may fetch (`downloadURL`); for a conditional dataset (有条件开放), whose
    files need a grant, the page that states the conditions and links to the application."""
    if package.access_level == "conditional":
        return {"accessURL": links.dataset(package.name)}
    return {"downloadURL": links.download(package.name, resource, extension)}


def _distributions(package: Package, links: Links) -> list[Distribution]:
    slug = package.name
    found: list[Distribution] = []
    for resource in package.resources:
        name = resource.name
        for fmt in CATALOGUED:
            # Named as our CKAN API names the resource; the format tells them apart.
            distribution: Distribution = {
                "@type": "dcat:Distribution",
                "title": resource.title or name,
                **_location(package, links, name, fmt.extension),  # type: ignore[typeddict-item]
                "mediaType": fmt.essence,
                "format": FORMAT_LABELS.get(fmt.file_type or "", fmt.label),
                "describedBy": links.schema(slug, name),
                "describedByType": "application/json",
            }
            description = resource.description or resource.description_en
            if description:
                distribution["description"] = description
            found.append(distribution)
    return found
