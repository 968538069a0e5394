"""schema.org/Dataset JSON-LD of a published descriptor, for Google Dataset Search.

Carries every property Google's Dataset documentation lists as required (`name`,
`description`) or recommended (alternateName, creator, citation, funder, hasPart,
isAccessibleForFree, isBasedOn, isPartOf, identifier, keywords, license,
measurementTechnique, measurementMethod, sameAs, spatialCoverage, temporalCoverage,
variableMeasured, version, url, includedInDataCatalog, distribution with contentUrl and
encodingFormat), plus dateModified and datePublished. Google reads one `description` string
of 50 to 5,000 characters, so the Chinese and English descriptions are joined into it.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from catalog.metadata.site import CatalogueInfo, Links, file_facts, issued
from catalog.query import CATALOGUED
from catalog.store import Package, Resource, TableField

MIN_DESCRIPTION = 50
MAX_DESCRIPTION = 5000

# The nodes' shapes, keys in the order they are written (the bytes served follow it).
PropertyValue = TypedDict("PropertyValue", {"@type": str, "propertyID": str, "value": str})
ContactPoint = TypedDict(
    "ContactPoint", {"@type": str, "name": str, "email": str, "contactType": str}
)
Organization = TypedDict(
    "Organization",
    {
        "@type": str,
        "name": str,
        "alternateName": str,
        "url": str,
        "identifier": NotRequired[PropertyValue],
        "contactPoint": NotRequired[ContactPoint],
    },
)
CreativeWork = TypedDict("CreativeWork", {"@type": str, "name": str, "url": NotRequired[str]})
DataCatalog = TypedDict(
    "DataCatalog", {"@type": str, "@id": str, "name": str, "alternateName": str, "url": str}
)
Place = TypedDict("Place", {"@type": str, "name": str, "identifier": PropertyValue})
Variable = TypedDict(
    "Variable",
    {
        "@type": str,
        "name": str,
        "propertyID": str,
        "description": NotRequired[str],
        "unitText": NotRequired[str],
    },
)
DataDownload = TypedDict(
    "DataDownload",
    {
        "@type": str,
        "name": str,
        "contentUrl": str,
        "encodingFormat": str,
        "contentSize": NotRequired[str],
        "sha256": NotRequired[str],
    },
)
Part = TypedDict(
    "Part",
    {
        "@type": str,
        "@id": str,
        "name": str,
        "description": str,
        "url": str,
        "license": str,
        "creator": Organization,
        "distribution": list[DataDownload],
    },
)
Dataset = TypedDict(
    "Dataset",
    {
        "@context": str,
        "@type": str,
        "@id": str,
        "name": str,
        "alternateName": list[str],
        "description": str,
        "inLanguage": list[str],
        "identifier": str,
        "url": str,
        "sameAs": str,
        "version": str,
        "datePublished": str,
        "dateModified": str,
        "keywords": list[str],
        "license": str,
        "isAccessibleForFree": bool,
        "creator": Organization,
        "publisher": Organization,
        "funder": Organization,
        "citation": str,
        "isBasedOn": list[CreativeWork],
        "isPartOf": DataCatalog,
        "includedInDataCatalog": DataCatalog,
        "measurementTechnique": list[str],
        "measurementMethod": str,
        "temporalCoverage": str,
        "spatialCoverage": list[Place],
        "variableMeasured": list[Variable],
        "hasPart": list[Part],
        "distribution": list[DataDownload],
        "conditionsOfAccess": NotRequired[str],
    },
)


def dataset_jsonld(info: CatalogueInfo, package: Package) -> Dataset:
    """The schema.org Dataset node of one published descriptor."""
    links = Links(info.base_url)
    slug = package.name
    publisher = _organization(package, links)
    url = links.dataset(slug)
    node: Dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": url,
        "name": package.title or slug,
        "alternateName": [v for v in (package.title_en, slug) if v],
        "description": description(package),
        "inLanguage": ["zh", "en"],
        "identifier": slug,
        "url": url,
        "sameAs": links.api(slug),
        "version": package.version or "",
        "datePublished": issued(package),
        "dateModified": package.modified(),
        "keywords": [*package.keywords, *package.keywords_en],
        "license": _licence(package),
        "isAccessibleForFree": True,
        "creator": publisher,
        "publisher": publisher,
        "funder": publisher,
        "citation": citation(info, package),
        "isBasedOn": _sources(package),
        "isPartOf": _catalogue(info, links),
        "includedInDataCatalog": _catalogue(info, links),
        "measurementTechnique": _technique(package),
        "measurementMethod": _method(package, links),
        "temporalCoverage": _temporal(package),
        "spatialCoverage": _spatial(package),
        "variableMeasured": _variables(package),
        "hasPart": _parts(package, links),
        "distribution": _distributions(package, links),
    }
    if package.access_level == "conditional":  # 有条件开放: its downloads need a grant
        node["conditionsOfAccess"] = package.conditions("zh")
    return node


def description(package: Package) -> str:
    """The zh and en descriptions in one string that Google accepts (50–5,000 characters)."""
    parts = [(text or "").strip() for text in (package.description, package.description_en)]
    text = "\n\n".join(part for part in parts if part)
    if len(text) < MIN_DESCRIPTION:
        text += f"\n\n{package.title or ''} — {package.title_en or ''}".rstrip()
        text += f" (dataset {package.name}, {_temporal(package) or 'no period'})."
    return text[:MAX_DESCRIPTION]


def citation(info: CatalogueInfo, package: Package) -> str:
    organization = package.organization
    author = (organization and (organization.title or organization.name)) or info.publisher
    url = Links(info.base_url).dataset(package.name)
    return f"{author}. {package.title or ''}（版本 {package.version or ''}）. {url}"


def _organization(package: Package, links: Links) -> Organization:
    organization = package.organization
    name = organization.name if organization is not None else ""
    node: Organization = {
        "@type": "Organization",
        "name": (organization and organization.title) or name,
        "alternateName": (organization and organization.title_en) or "",
        "url": links.organization(name),
    }
    if organization is not None and organization.credit_code:
        node["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "统一社会信用代码 (GB 32100)",
            "value": organization.credit_code,
        }
    contact = package.contact
    if contact is not None and contact.email:
        node["contactPoint"] = {
            "@type": "ContactPoint",
            "name": contact.name or "",
            "email": contact.email,
            "contactType": "data steward",
        }
    return node


def _licence(package: Package) -> str:
    return next((licence.path for licence in package.licenses if licence.path), "")


def _sources(package: Package) -> list[CreativeWork]:
    found: list[CreativeWork] = []
    for source in package.sources:
        node: CreativeWork = {"@type": "CreativeWork", "name": source.title or ""}
        if source.path is not None and source.path.startswith(("http://", "https://")):
            node["url"] = source.path
        found.append(node)
    return found


def _catalogue(info: CatalogueInfo, links: Links) -> DataCatalog:
    return {
        "@type": "DataCatalog",
        "@id": links.catalog(),
        "name": info.title,
        "alternateName": info.title_en,
        "url": f"{links.base}/",
    }


def _technique(package: Package) -> list[str]:
    titles = [source.title for source in package.sources if source.title]
    if not titles:
        return ["Published statistics"]
    return ["摘录自：" + "；".join(titles), "Compiled from: " + "; ".join(titles)]


def _method(package: Package, links: Links) -> str:
    report = f"{links.api(package.name)}/validation"
    return (
        "Figures transcribed from the cited sources, typed by a Table Schema and checked by"
        f" domain checks before publication; validation report: {report}"
    )


def _temporal(package: Package) -> str:
    temporal = package.temporal
    if temporal is None:
        return ""
    start, end = str(temporal.start or ".."), str(temporal.end or "..")
    return "" if start == end == ".." else f"{start}/{end}"


def _spatial(package: Package) -> list[Place]:
    return [
        {
            "@type": "Place",
            "name": "中华人民共和国" if code == "000000" else f"行政区划 {code}",
            "identifier": {"@type": "PropertyValue", "propertyID": "GB/T 2260", "value": code},
        }
        for code in package.spatial
    ]


def _variables(package: Package) -> list[Variable]:
    variables: list[Variable] = []
    for resource in package.resources:
        if resource.embedded_from is not None:
            continue  # code lists copied in describe other datasets' variables
        fields = resource.table_schema.fields if resource.table_schema is not None else []
        variables.extend(_variable(resource.name, field) for field in fields)
    return variables


def _variable(resource: str, field: TableField) -> Variable:
    variable: Variable = {
        "@type": "PropertyValue",
        "name": field.name,
        "propertyID": f"{resource}.{field.name}",
    }
    label = " / ".join(title for title in (field.title, field.title_en) if title)
    if label or field.description:
        variable["description"] = " — ".join(
            part for part in (label, field.description or "") if part
        )
    if field.unit:
        variable["unitText"] = field.unit
    return variable


def _parts(package: Package, links: Links) -> list[Part]:
    """Each table of the package as a Dataset of its own."""
    slug = package.name
    parts: list[Part] = []
    for resource in package.resources:
        name = resource.name
        title = resource.title or resource.title_en or name
        parts.append(
            {
                "@type": "Dataset",
                "@id": f"{links.dataset(slug)}#{name}",
                "name": title,
                "description": resource.description
                or f"{title}: table {name} of {package.title_en or slug}.",
                "url": links.dataset(slug),
                "license": _licence(package),
                "creator": _organization(package, links),
                "distribution": _resource_downloads(package, resource, links),
            }
        )
    return parts


def _distributions(package: Package, links: Links) -> list[DataDownload]:
    return [
        download
        for resource in package.resources
        for download in _resource_downloads(package, resource, links)
    ]


def _resource_downloads(package: Package, resource: Resource, links: Links) -> list[DataDownload]:
    """A DataDownload per format (of a conditional dataset too: `conditionsOfAccess` says
    that its files answer only a token granted them)."""
    slug, name = package.name, resource.name
    downloads: list[DataDownload] = []
    for fmt in CATALOGUED:
        download: DataDownload = {
            "@type": "DataDownload",
            "name": f"{resource.title_en or name} ({fmt.label})",
            "contentUrl": links.download(slug, name, fmt.extension),
            "encodingFormat": fmt.essence,
        }
        size, sha256 = file_facts(resource, fmt)
        if size is not None:
            download["contentSize"] = f"{size} B"
        if sha256:
            download["sha256"] = sha256
        downloads.append(download)
    return downloads
