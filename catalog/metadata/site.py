"""What the metadata mappings share that is not RDF: the catalogue's settings, the URL scheme
(`Links`, the one place every IRI of the catalogue is built: HTML pages, downloads, API,
vocabularies), the RDF serialisations and profiles asked for, region names, file facts.

The JSON mappings (data.json, schema.org) and the CKAN API read these and never build a graph:
a server imports them without rdflib (70 modules, ~4.5 MB), which comes with the first graph
(`catalog.metadata.graphs`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from catalog.errors import BadRequest
from catalog.query import Digest, Format
from catalog.store import Package, Resource

if TYPE_CHECKING:
    from rdflib import URIRef

# Serialisations: URL extension → (rdflib format, media type), as ckanext-dcat serves them.
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "text/turtle"),
    "n3": ("n3", "text/n3"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("pretty-xml", "application/rdf+xml"),
    "xml": ("pretty-xml", "application/rdf+xml"),
}
# The profile names ckanext-dcat 2.4 registers (`ckan.rdf.profiles`), as `profiles=` takes them.
# One graph answers every one: it is written so that each DCAT-AP profile (1, 2, 3, the
# scheming and HealthDCAT-AP variants) reads the same values; `schemaorg`, `croissant` and
# `dcat_us_3` are accepted as names but given that DCAT-AP graph too (docs/dcat.md).
# `profiles=` is echoed in every hydra link of a page: its length and distinct names are bounded.
MAX_PROFILES = 8
MAX_PROFILES_TEXT = 1024
RDF_PROFILES = (
    "euro_dcat_ap",
    "euro_dcat_ap_2",
    "euro_dcat_ap_3",
    "euro_dcat_ap_scheming",
    "euro_health_dcat_ap",
    "dcat_us_3",
    "schemaorg",
    "croissant",
)
# Region code → (name_zh, name_en), from the region code list the catalogue serves.
RegionNames = Mapping[str, tuple[str, str]]
NO_NAMES: RegionNames = {}


@dataclass(frozen=True)
class CatalogueInfo:
    """Who runs the catalogue and where: the settings that appear in every graph."""

    base_url: str
    title: str
    title_en: str
    description: str
    description_en: str
    publisher: str
    publisher_en: str


@dataclass(frozen=True)
class PageInfo:
    """One page of a paged listing; `url(n)` is the absolute URL of page n."""

    number: int
    size: int
    total: int
    url: Callable[[int], str]

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.size))


class Links:
    """The URL scheme every mapping shares (HTML pages, downloads, API, vocabularies)."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def catalog(self) -> str:
        return f"{self.base}/catalog"

    def dataset(self, slug: str) -> str:
        return f"{self.base}/dataset/{quote(slug)}"

    def fragment(self, slug: str, fragment: str) -> str:
        """A node of the dataset's graph, under its IRI (`…/dataset/wages#contact`)."""
        return f"{self.dataset(slug)}#{quote(fragment)}"

    def node(self, slug: str, fragment: str) -> URIRef:
        from rdflib import URIRef  # asked for by a graph's builder, which imported rdflib

        return URIRef(self.fragment(slug, fragment))

    def download(self, slug: str, resource: str, extension: str) -> str:
        return f"{self.base}/api/v1/datasets/{quote(slug)}/resources/{quote(resource)}.{extension}"

    def schema(self, slug: str, resource: str) -> str:
        return f"{self.base}/api/v1/datasets/{quote(slug)}/resources/{quote(resource)}/schema"

    def api(self, slug: str = "") -> str:
        return f"{self.base}/api/v1/datasets/{quote(slug)}" if slug else f"{self.base}/api/v1"

    def organization(self, name: str) -> str:
        return f"{self.base}/organization/{quote(name)}"

    def theme(self, slug: str = "") -> str:
        # A theme's concept is its page in the web catalogue, so the IRI dereferences.
        return f"{self.base}/group/{quote(slug)}" if slug else f"{self.base}/group"

    def region(self, code: str) -> str:
        return f"{self.base}/regions/{quote(code)}"

    def vocabulary(self, term: str) -> URIRef:
        from rdflib import URIRef  # as in `node`

        return URIRef(f"{self.base}/ns#{term}")


def check_profiles(profiles: str) -> list[str]:
    """The comma-separated profile names of `profiles=`, as ckanext-dcat splits them, each
    once; refused: a text past MAX_PROFILES_TEXT characters or more than MAX_PROFILES names
    (they are echoed in every hydra link), and a name ckanext-dcat does not register, with
    its message (ckanext-dcat answers it with 409), naming a few of them."""
    if len(profiles) > MAX_PROFILES_TEXT:
        raise BadRequest(
            f"profiles is {len(profiles)} characters long; at most {MAX_PROFILES_TEXT}"
        )
    names = list(dict.fromkeys(profiles.split(","))) if profiles else []
    if len(names) > MAX_PROFILES:
        raise BadRequest(f"{len(names)} different profiles; at most {MAX_PROFILES}")
    unknown = sorted(set(names) - set(RDF_PROFILES))
    if unknown:
        shown = ", ".join(name if len(name) <= 40 else name[:40] + "…" for name in unknown[:3])
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        raise BadRequest(f"Unknown RDF profiles: {shown}{more}; known: {', '.join(RDF_PROFILES)}")
    return names


def coverage_iri(base_url: str, slug: str) -> str:
    """The one dct:Location of a dataset's spatial coverage: ckanext-dcat's `spatial_uri`."""
    return Links(base_url).fragment(slug, "spatial")


def coverage_names(codes: Sequence[str], regions: RegionNames) -> tuple[str, str]:
    """The coverage's (zh, en) names, its skos:prefLabel: `全国、贵州省`, `China, Guizhou`.
    The zh one is its rdfs:label too, what ckanext-dcat keeps as `spatial_text`."""
    names = [region_names(code, regions) for code in codes]
    return "、".join(n[0] for n in names), ", ".join(n[1] for n in names)


def region_names(code: str, regions: RegionNames) -> tuple[str, str]:
    """A region's (zh, en) names; the code itself where the code list does not name it."""
    zh, en = regions.get(code, ("", ""))
    return zh or en or code, en or zh or code


def file_facts(resource: Resource, fmt: Format) -> tuple[int | None, str]:
    """Size and sha256 (hex; "" when unknown) of a resource's download as `fmt`, where its
    bytes are fixed: the published Parquet, or a download rendered at publish."""
    stored = resource.download(fmt.extension)
    if stored is not None:
        return stored.bytes, stored.sha256
    if fmt.digest is Digest.STORED:
        digest = resource.hash or ""
        sha256 = digest.removeprefix("sha256:") if digest.startswith("sha256:") else ""
        return published_bytes(resource), sha256
    return None, ""


def published_bytes(resource: Resource) -> int | None:
    """Size of the published Parquet file (`byte_size`; `bytes` in older versions)."""
    return resource.byte_size if resource.byte_size is not None else resource.bytes


def issued(package: Package) -> str:
    """When the dataset first appeared, as the descriptor writes it ("" if it does not)."""
    return "" if package.issued is None else str(package.issued)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> str:
    """`zh` for a text written mostly in Han characters, else `en` (what a steward wrote in a
    property meant for Chinese may be English: tag it with the language it is in)."""
    return "zh" if len(_HAN.findall(text)) >= len(_LATIN.findall(text)) else "en"
