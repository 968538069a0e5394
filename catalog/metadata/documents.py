"""The DCAT documents of a catalogue index, and ckanext-dcat 2.4's actions that serve them.

`catalogue_page` is one page of the catalogue found by a search: the `/catalog.*` routes and
the `dcat_catalog_show` / `dcat_catalog_search` actions both answer with it. `DcatActions`
are the three actions ckanext-dcat 2.4.4 adds to CKAN's Action API (ckanext/dcat/logic.py):
their arguments, defaults and errors are ckanext-dcat's; each `result` is the serialised
document as a string, RDF/XML unless `format` names another serialisation. They are served
from the table of actions (`catalog.ckan.actions.registry`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from catalog.errors import BadRequest, InvalidFields, NotFound
from catalog.metadata.graphs import catalogue_graph, dataset_graph
from catalog.metadata.graphs import serialize_graph as serialize
from catalog.metadata.page_cache import CataloguePages
from catalog.metadata.site import RDF_FORMATS, CatalogueInfo, PageInfo, check_profiles
from catalog.search import CatalogueIndex, SearchResult
from catalog.store import parse_moment

if TYPE_CHECKING:
    from rdflib import Graph

# A page starting past every dataset there can be is answered empty, as a page past the last:
# a page number of any size costs no deeper scan than this.
MAX_OFFSET = 2**31
WRONG_PAGE = "Page param must be a positive integer starting in 1"
WRONG_DATE = "Wrong modified date format. Use ISO-8601 format"
# `page` as text: ASCII digits only (no sign, point or full-width digit, which int() takes).
PAGE_DIGITS = re.compile(r"[0-9]+")
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
# The base URL of the request being answered, where the API knows it (a trusted proxy's
# X-Forwarded-*): the actions then link as the routes do (`links_on`).
_LINK_BASE: ContextVar[str | None] = ContextVar("link_base", default=None)


@dataclass(frozen=True)
class CatalogueSearch:
    """Which datasets a catalogue page lists: the search and the page."""

    q: str = ""
    fq: str = ""
    modified_since: datetime | None = None
    page: int = 1
    size: int = 100

    @property
    def start(self) -> int:
        """The page's first dataset, 0-based; a page past every dataset there can be starts
        at MAX_OFFSET."""
        return min((self.page - 1) * self.size, MAX_OFFSET)


# How a page finds its datasets: package_search's own search (`catalog.ckan.catalogue_search`,
# handed in by the API, since this package cannot import `catalog.ckan`).
CatalogueSelect = Callable[[CatalogueIndex, CatalogueSearch], SearchResult]


def served_regions(index: CatalogueIndex) -> dict[str, tuple[str, str]]:
    """code → (name_zh, name_en) of every region the served datasets hold."""
    return {code: (n.name_zh, n.name_en) for code, n in index.names().regions.items()}


def catalogue_page(
    index: CatalogueIndex,
    info: CatalogueInfo,
    search: CatalogueSearch,
    url: Callable[[int], str],
    select: CatalogueSelect,
) -> Graph:
    """One page of the catalogue; `url(n)` is page n's link. A page past the last is empty,
    with the paging (`previous` the last page); a search that finds nothing has no paging,
    both as ckanext-dcat's `_pagination_info` answers."""
    everything = index.packages()
    result = select(index, search)
    paging = PageInfo(number=search.page, size=search.size, total=result.count, url=url)
    return catalogue_graph(
        info,
        [everything[slug] for slug in result.slugs if slug in everything],
        page=paging if result.count else None,
        modified=max((p.modified() for p in everything.values()), default=""),
        issued=min((str(p.issued or "") for p in everything.values()), default=""),
        regions=served_regions(index),
    )


@contextmanager
def links_on(base_url: str) -> Iterator[None]:
    """Within this block, ckanext-dcat's actions link on `base_url` (the request's public
    base) instead of the configured one, so that they answer the routes' bytes."""
    token = _LINK_BASE.set(base_url.rstrip("/"))
    try:
        yield
    finally:
        _LINK_BASE.reset(token)


class DcatActions:
    """ckanext-dcat 2.4's `dcat_dataset_show`, `dcat_catalog_show` and `dcat_catalog_search`
    over one catalogue index; catalogue pages of `page_size` datasets found by `select`
    (package_search, newest change first), linked to `<base>/api/3/action/<action>` and kept
    in `pages`."""

    def __init__(
        self,
        index: CatalogueIndex,
        info: CatalogueInfo,
        *,
        page_size: int,
        select: CatalogueSelect,
        pages: CataloguePages,
    ) -> None:
        self.index = index
        self.configured = info
        self.page_size = page_size
        self.select = select
        self.pages = pages

    @property
    def info(self) -> CatalogueInfo:
        """The catalogue's description, on the request's base URL (`links_on`)."""
        base = _LINK_BASE.get()
        return self.configured if base is None else replace(self.configured, base_url=base)

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
        profiles = action_profiles(data)
        q = _text(data, "q", "*:*")
        search = CatalogueSearch(
            q=q,
            fq=_text(data, "fq", ""),
            modified_since=_since(data),
            page=action_page(data),
            size=self.page_size,
        )
        linked = {key: str(data[key]) for key in LINKED if isinstance(data.get(key), str)}
        linked["profiles"] = ",".join(profiles)
        info = self.info
        action_url = f"{info.base_url}/api/3/action/{action}"

        def url(number: int) -> str:
            query = urlencode({**{k: v for k, v in linked.items() if v}, "page": number})
            return f"{action_url}?{query}"

        def make() -> bytes:
            graph = catalogue_page(self.index, info, search, url, self.select)
            return serialize(graph, extension)

        key = (action_url, extension, search, tuple(sorted(linked.items())))
        return self.pages.body(self.index.packages(), key, make).decode("utf-8")


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
    """`page` as ckanext-dcat reads it: 1 when absent or 0, else an integer from 1, given as
    a JSON integer or ASCII digits; 409 for anything else (1.9, true, full-width ２, Infinity),
    which ckanext-dcat's int() would take or fail on. A page past every dataset there can be
    is read as that far (an empty page)."""
    value = data.get("page") or 1
    if isinstance(value, str) and PAGE_DIGITS.fullmatch(value):
        value = int(value) if len(value) <= 18 else MAX_OFFSET + 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequest(WRONG_PAGE)
    return min(value, MAX_OFFSET + 1)


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
