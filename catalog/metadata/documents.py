"""The DCAT documents of a catalogue index, and ckanext-dcat 2.4's actions that serve them.

`catalogue_page` is one page of the catalogue found by a search: the `/catalog.*` routes and
the `dcat_catalog_show` / `dcat_catalog_search` actions both answer with it. `DcatActions`
are the three actions ckanext-dcat 2.4.4 adds to CKAN's Action API (ckanext/dcat/logic.py):
their arguments, defaults and errors are ckanext-dcat's; each `result` is the serialised
document as a string, RDF/XML unless `format` names another serialisation. They are served
from the table of actions (`catalog.ckan.actions.registry`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from rdflib import Graph

from catalog.errors import BadRequest, InvalidFields, NotFound
from catalog.metadata.dcat import catalogue_graph, dataset_graph
from catalog.metadata.rdf import RDF_FORMATS, CatalogueInfo, PageInfo, check_profiles
from catalog.metadata.rdf import serialize_graph as serialize
from catalog.search import CatalogueIndex, SearchQuery
from catalog.store import parse_moment

# A page starting past every dataset there can be is answered empty, as a page past the last:
# a page number of any size costs no deeper scan than this.
MAX_OFFSET = 2**31
WRONG_PAGE = "Page param must be a positive integer starting in 1"
WRONG_DATE = "Wrong modified date format. Use ISO-8601 format"
# `format` as the actions take it: the routes' extensions and rdflib's names for the same
# serialisations (ckanext-dcat passes its value to rdflib after mapping the extensions).
ACTION_FORMATS = {
    **{extension: extension for extension in RDF_FORMATS},
    "turtle": "ttl",
    "json-ld": "jsonld",
    "pretty-xml": "rdf",
}
# The arguments ckanext-dcat keeps in the hydra links of a page (and `format`, which it drops).
LINKED = ("q", "fq", "modified_since", "profiles", "format")


@dataclass(frozen=True)
class CatalogueSearch:
    """Which datasets a catalogue page lists: the search, its order and the page."""

    q: str = ""
    fq: str = ""
    modified_since: datetime | None = None
    sort: str = "name"
    page: int = 1
    size: int = 100


def served_regions(index: CatalogueIndex) -> dict[str, tuple[str, str]]:
    """code → (name_zh, name_en) of every region the served datasets hold."""
    return {code: (n.name_zh, n.name_en) for code, n in index.names().regions.items()}


def catalogue_page(
    index: CatalogueIndex, info: CatalogueInfo, search: CatalogueSearch, url: Callable[[int], str]
) -> Graph:
    """One page of the catalogue; `url(n)` is page n's link. A page past the last is empty,
    with the paging (`previous` the last page); a search that finds nothing has no paging,
    both as ckanext-dcat's `_pagination_info` answers."""
    result = index.search(
        SearchQuery(
            q=search.q,
            fq=search.fq,
            sort=search.sort,
            limit=search.size,
            offset=min((search.page - 1) * search.size, MAX_OFFSET),
            modified_since=search.modified_since,
        )
    )
    paging = PageInfo(number=search.page, size=search.size, total=result.count, url=url)
    everything = index.packages()
    return catalogue_graph(
        info,
        [everything[slug] for slug in result.slugs if slug in everything],
        page=paging if result.count else None,
        modified=max((p.modified() for p in everything.values()), default=""),
        issued=min((str(p.issued or "") for p in everything.values()), default=""),
        regions=served_regions(index),
    )


class DcatActions:
    """ckanext-dcat 2.4's `dcat_dataset_show`, `dcat_catalog_show` and `dcat_catalog_search`
    over one catalogue index; catalogue pages of `page_size` datasets, newest change first
    (ckanext-dcat's `metadata_modified desc`), linked to `action_url/<action>`."""

    def __init__(
        self, index: CatalogueIndex, info: CatalogueInfo, *, page_size: int, action_url: str
    ) -> None:
        self.index = index
        self.info = info
        self.page_size = page_size
        self.action_url = action_url.rstrip("/")

    def dataset_show(self, data: Mapping[str, Any]) -> str:
        """Return one dataset as DCAT-AP 3, serialised: `id` (name or id), `format` (RDF/XML
        without it; `ttl`, `n3`, `jsonld`, `rdf`, `xml`, or rdflib's `turtle`, `json-ld`,
        `pretty-xml`), `profiles` (ckanext-dcat's names; docs/dcat.md)."""
        extension = action_format(data)
        action_profiles(data)
        name_or_id = data.get("id") or data.get("name_or_id")
        if not name_or_id:
            raise InvalidFields({"name_or_id": ["Missing value"]})
        slug = self.index.slug_of(str(name_or_id))
        packages = self.index.packages()
        if slug not in packages:
            raise NotFound("")
        graph = dataset_graph(self.info, packages[slug], served_regions(self.index))
        return serialize(graph, extension).decode("utf-8")

    def catalog_show(self, data: Mapping[str, Any]) -> str:
        """Return one page of the catalogue as DCAT-AP 3, serialised, with hydra paging:
        `page` (from 1), `q`, `fq`, `modified_since` (ISO 8601), `format`, `profiles`."""
        return self._catalogue("dcat_catalog_show", data)

    def catalog_search(self, data: Mapping[str, Any]) -> str:
        """Return one page of the datasets a search finds, as `dcat_catalog_show` does:
        `page`, `q`, `fq`, `modified_since`, `format`, `profiles`."""
        return self._catalogue("dcat_catalog_search", data)

    def _catalogue(self, action: str, data: Mapping[str, Any]) -> str:
        extension = action_format(data)
        action_profiles(data)
        q = _text(data, "q", "*:*")
        search = CatalogueSearch(
            q="" if q.strip() == "*:*" else q,  # Solr's "everything", ckanext-dcat's default
            fq=_text(data, "fq", ""),
            modified_since=_since(data),
            sort="-modified",
            page=action_page(data),
            size=self.page_size,
        )
        linked = {key: str(data[key]) for key in LINKED if isinstance(data.get(key), str)}
        if isinstance(data.get("profiles"), list):
            linked["profiles"] = ",".join(data["profiles"])

        def url(number: int) -> str:
            query = urlencode({**{k: v for k, v in linked.items() if v}, "page": number})
            return f"{self.action_url}/{action}?{query}"

        graph = catalogue_page(self.index, self.info, search, url)
        return serialize(graph, extension).decode("utf-8")


def action_format(data: Mapping[str, Any]) -> str:
    """The serialisation `format` names (RDF/XML without it), as an extension."""
    value = data.get("format") or "xml"
    if not isinstance(value, str) or value not in ACTION_FORMATS:
        known = ", ".join(ACTION_FORMATS)
        raise BadRequest(f"Unknown RDF format {str(value)[:100]!r}; use one of {known}")
    return ACTION_FORMATS[value]


def action_profiles(data: Mapping[str, Any]) -> list[str]:
    """`profiles`: a list of ckanext-dcat's names, or the same comma-separated."""
    value = data.get("profiles") or []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidFields({"profiles": ["Must be a list of profile names"]})
    return check_profiles(",".join(value))


def action_page(data: Mapping[str, Any]) -> int:
    """`page` as ckanext-dcat reads it: 1 when absent or 0, else an integer from 1."""
    value = data.get("page") or 1
    try:
        page = int(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(WRONG_PAGE) from exc
    if page < 1:
        raise BadRequest(WRONG_PAGE)
    return page


def _since(data: Mapping[str, Any]) -> datetime | None:
    value = data.get("modified_since")
    if not value:
        return None
    if not isinstance(value, str):
        raise BadRequest(WRONG_DATE)
    try:
        return parse_moment(value, "modified_since")
    except BadRequest as exc:
        raise BadRequest(WRONG_DATE) from exc


def _text(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidFields({key: ["Must be a string"]})
    return value
