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

from typing import Any

from catalog.metadata.distributions import published_bytes
from catalog.metadata.rdf import DOWNLOADS, CatalogueInfo, Links

MIN_DESCRIPTION = 50
MAX_DESCRIPTION = 5000


def dataset_jsonld(info: CatalogueInfo, descriptor: dict[str, Any]) -> dict[str, Any]:
    """The schema.org Dataset node of one published descriptor."""
    links = Links(info.base_url)
    slug = str(descriptor["name"])
    publisher = _organization(descriptor, links)
    url = links.dataset(slug)
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": url,
        "name": descriptor.get("title") or slug,
        "alternateName": [v for v in (descriptor.get("title_en"), slug) if v],
        "description": description(descriptor),
        "inLanguage": ["zh", "en"],
        "identifier": slug,
        "url": url,
        "sameAs": links.api(slug),
        "version": str(descriptor.get("version", "")),
        "datePublished": str(descriptor.get("issued", "")),
        "dateModified": str(descriptor.get("build", {}).get("published", "")),
        "keywords": [*descriptor.get("keywords", []), *descriptor.get("keywords_en", [])],
        "license": _licence(descriptor),
        "isAccessibleForFree": True,
        "creator": publisher,
        "publisher": publisher,
        "funder": publisher,
        "citation": citation(info, descriptor),
        "isBasedOn": _sources(descriptor),
        "isPartOf": _catalogue(info, links),
        "includedInDataCatalog": _catalogue(info, links),
        "measurementTechnique": _technique(descriptor),
        "measurementMethod": _method(descriptor, links),
        "temporalCoverage": _temporal(descriptor),
        "spatialCoverage": _spatial(descriptor),
        "variableMeasured": _variables(descriptor),
        "hasPart": _parts(descriptor, links),
        "distribution": _distributions(descriptor, links),
    }


def description(descriptor: dict[str, Any]) -> str:
    """The zh and en descriptions in one string that Google accepts (50–5,000 characters)."""
    parts = [str(descriptor.get(k) or "").strip() for k in ("description", "description_en")]
    text = "\n\n".join(part for part in parts if part)
    if len(text) < MIN_DESCRIPTION:
        text += f"\n\n{descriptor.get('title', '')} — {descriptor.get('title_en', '')}".rstrip()
        text += f" (dataset {descriptor['name']}, {_temporal(descriptor) or 'no period'})."
    return text[:MAX_DESCRIPTION]


def citation(info: CatalogueInfo, descriptor: dict[str, Any]) -> str:
    organization = descriptor.get("organization") or {}
    author = organization.get("title") or organization.get("name") or info.publisher
    version = descriptor.get("version", "")
    url = Links(info.base_url).dataset(str(descriptor["name"]))
    return f"{author}. {descriptor.get('title', '')}（版本 {version}）. {url}"


def _organization(descriptor: dict[str, Any], links: Links) -> dict[str, Any]:
    organization = descriptor.get("organization") or {}
    node: dict[str, Any] = {
        "@type": "Organization",
        "name": organization.get("title") or organization.get("name", ""),
        "alternateName": organization.get("title_en", ""),
        "url": links.organization(str(organization.get("name", ""))),
    }
    if organization.get("credit_code"):
        node["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "统一社会信用代码 (GB 32100)",
            "value": organization["credit_code"],
        }
    contact = descriptor.get("contact") or {}
    if contact.get("email"):
        node["contactPoint"] = {
            "@type": "ContactPoint",
            "name": contact.get("name", ""),
            "email": contact["email"],
            "contactType": "data steward",
        }
    return node


def _licence(descriptor: dict[str, Any]) -> str:
    for licence in descriptor.get("licenses", []):
        if licence.get("path"):
            return str(licence["path"])
    return ""


def _sources(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for source in descriptor.get("sources", []):
        node: dict[str, Any] = {"@type": "CreativeWork", "name": source.get("title", "")}
        if str(source.get("path", "")).startswith(("http://", "https://")):
            node["url"] = source["path"]
        found.append(node)
    return found


def _catalogue(info: CatalogueInfo, links: Links) -> dict[str, Any]:
    return {
        "@type": "DataCatalog",
        "@id": links.catalog(),
        "name": info.title,
        "alternateName": info.title_en,
        "url": f"{links.base}/",
    }


def _technique(descriptor: dict[str, Any]) -> list[str]:
    titles = [str(s.get("title", "")) for s in descriptor.get("sources", []) if s.get("title")]
    if not titles:
        return ["Published statistics"]
    return ["摘录自：" + "；".join(titles), "Compiled from: " + "; ".join(titles)]


def _method(descriptor: dict[str, Any], links: Links) -> str:
    report = f"{links.api(str(descriptor['name']))}/validation"
    return (
        "Figures transcribed from the cited sources, typed by a Table Schema and checked by"
        f" domain checks before publication; validation report: {report}"
    )


def _temporal(descriptor: dict[str, Any]) -> str:
    temporal = descriptor.get("temporal") or {}
    start, end = str(temporal.get("start") or ".."), str(temporal.get("end") or "..")
    return "" if start == end == ".." else f"{start}/{end}"


def _spatial(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "@type": "Place",
            "name": "中华人民共和国" if str(code) == "000000" else f"行政区划 {code}",
            "identifier": {"@type": "PropertyValue", "propertyID": "GB/T 2260", "value": code},
        }
        for code in descriptor.get("spatial", [])
    ]


def _variables(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    variables = []
    for resource in descriptor.get("resources", []):
        if resource.get("embedded_from"):
            continue  # code lists copied in describe other datasets' variables
        for field in resource.get("schema", {}).get("fields", []):
            variable: dict[str, Any] = {
                "@type": "PropertyValue",
                "name": field["name"],
                "propertyID": f"{resource['name']}.{field['name']}",
            }
            label = " / ".join(str(field[k]) for k in ("title", "title_en") if field.get(k))
            if label or field.get("description"):
                variable["description"] = " — ".join(
                    part for part in (label, str(field.get("description") or "")) if part
                )
            if field.get("unit"):
                variable["unitText"] = field["unit"]
            variables.append(variable)
    return variables


def _parts(descriptor: dict[str, Any], links: Links) -> list[dict[str, Any]]:
    """Each table of the package as a Dataset of its own."""
    slug = str(descriptor["name"])
    parts = []
    for resource in descriptor.get("resources", []):
        name = str(resource["name"])
        title = resource.get("title") or resource.get("title_en") or name
        parts.append(
            {
                "@type": "Dataset",
                "@id": f"{links.dataset(slug)}#{name}",
                "name": title,
                "description": str(
                    resource.get("description")
                    or f"{title}: table {name} of {descriptor.get('title_en') or slug}."
                ),
                "url": links.dataset(slug),
                "license": _licence(descriptor),
                "creator": _organization(descriptor, links),
                "distribution": _resource_downloads(slug, resource, links),
            }
        )
    return parts


def _distributions(descriptor: dict[str, Any], links: Links) -> list[dict[str, Any]]:
    slug = str(descriptor["name"])
    return [
        download
        for resource in descriptor.get("resources", [])
        for download in _resource_downloads(slug, resource, links)
    ]


def _resource_downloads(slug: str, resource: dict[str, Any], links: Links) -> list[dict[str, Any]]:
    name = str(resource["name"])
    downloads = []
    for extension, (file_type, media_type) in DOWNLOADS.items():
        download: dict[str, Any] = {
            "@type": "DataDownload",
            "name": f"{resource.get('title_en') or name} ({file_type})",
            "contentUrl": links.download(slug, name, extension),
            "encodingFormat": media_type,
        }
        size = published_bytes(resource)
        if extension == "parquet" and size is not None:
            download["contentSize"] = f"{size} B"
            download["sha256"] = str(resource.get("hash", "")).removeprefix("sha256:")
        downloads.append(download)
    return downloads
