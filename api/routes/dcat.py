"""Metadata for harvesters and search engines: DCAT-AP 3, data.json, schema.org.

DCAT answers where ckanext-dcat serves it: `/catalog.{ttl,n3,jsonld,rdf,xml}`, `/dataset/{slug}.
{same}`, `/catalog` by `Accept` or `?format=`, `/dataset/{slug}?format=` or by `Accept` as
ckanext-dcat negotiates it (`dataset_format`, `page_format`; the HTML page otherwise), each
with ckanext-dcat's `profiles`; its actions are `catalog.metadata.DcatActions`. The catalogue
takes its `page`, `q`, `fq`, `modified_since`, and `rows` (1 to 200, kept in the hydra
links) where ckanext-dcat fixes the page size; `q` and `fq` are package_search's (ckanext-dcat
hands them to it), the order its newest change first. The change feed is `api.routes.changes`;
links are built on `api.routes.documents.public_base`, `Accept` read there too.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, cast
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.deps import IndexDep, SettingsDep, StoreDep
from api.openapi import (
    REFUSED,
    SLUG,
    TAGGED,
    TIME,
    UNKNOWN,
    Slug,
    bodies,
    cached,
    example,
    problem_responses,
    responses,
)
from api.routes.documents import (
    InfoDep,
    RdfFormat,
    get_and_head,
    json_document,
    negotiate,
    page_format,
    refuse_version_pin,
    tagged,
    vary,
)
from catalog.ckan import catalogue_search
from catalog.errors import BadRequest, Gone, NotFound
from catalog.metadata import (
    RDF_FORMATS,
    CataloguePages,
    CatalogueSearch,
    PageInfo,
    catalogue_page,
    check_profiles,
    data_json_catalog,
    dataset_graph,
    dataset_jsonld,
    serialize_graph,
    served_regions,
)
from catalog.search import CatalogueIndex
from catalog.store import Package, Store, parse_moment, with_organization

router = APIRouter(tags=["metadata"])


async def get_pages(request: Request) -> CataloguePages:
    pages: CataloguePages = request.app.state.catalogue_pages
    return pages


PagesDep = Annotated[CataloguePages, Depends(get_pages)]

# A page's graph and serialisation cost about 10 ms and 80 KB per dataset (JSON-LD): 200 keep a
# request near two seconds and 20 MB, however many run at once (the search admission class).
MAX_ROWS = 200
RDF_EXAMPLES = {
    "text/turtle": "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
    f"<catalog> a dcat:Catalog ; dcat:dataset <dataset/{SLUG}> .\n",
    "application/ld+json": {"@context": {"dcat": "http://www.w3.org/ns/dcat#"}, "@graph": []},
    "application/rdf+xml": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    "text/n3": "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
    f"<catalog> a dcat:Catalog ; dcat:dataset <dataset/{SLUG}> .\n",
}
# JSON-LD documents are JSON objects; the other formats are text.
JSON_LD = {"application/ld+json": {"type": "object"}}
RDF = bodies(RDF_EXAMPLES, JSON_LD)
Words = Annotated[
    str,
    Query(
        description="package_search's `q`: words (CKAN's dismax), or Solr syntax (`tags:wages`).",
        openapi_examples=example("最低工资"),
    ),
]
Filters = Annotated[
    str,
    Query(
        description="package_search's `fq`, a filter the whole of which must match: "
        '`groups:employment tags:"工资"`, `groups:wages OR groups:employment`.',
        openapi_examples=example("organization:guizhou-hrss"),
    ),
]
ModifiedSince = Annotated[
    str,
    Query(
        description="Only datasets published at or after this ISO 8601 time.",
        openapi_examples=example(TIME),
    ),
]
Profiles = Annotated[
    str,
    Query(
        description="ckanext-dcat's profile names, comma-separated (`euro_dcat_ap_2`); any it "
        "registers is accepted, another is 400. One graph answers all: DCAT-AP 3, written so "
        "that DCAT-AP 1, 2 and 3 read the same values (docs/dcat.md).",
        openapi_examples=example("euro_dcat_ap_2"),
    ),
]
PageNumber = Annotated[
    int, Query(ge=1, description="1-based page number.", openapi_examples=example(1))
]
Rows = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_ROWS,
        description="Datasets per page (1 to 200); the server's page size without it.",
        openapi_examples=example(50),
    ),
]


@get_and_head(
    router,
    "/catalog",
    summary="The DCAT-AP 3 catalogue in the format `format` or the Accept header asks for",
    response_class=Response,
    responses=responses(RDF, TAGGED, problem_responses(*REFUSED, 404, 406)),
)
def negotiated_catalog(
    request: Request,
    index: IndexDep,
    info: InfoDep,
    settings: SettingsDep,
    pages: PagesDep,
    page: PageNumber = 1,
    q: Words = "",
    fq: Filters = "",
    modified_since: ModifiedSince = "",
    rows: Rows = None,
    profiles: Profiles = "",
    fmt: Annotated[
        RdfFormat | None,
        Query(
            alias="format",
            description="The serialisation, as the path's extension names it; wins over Accept.",
            openapi_examples=example("ttl"),
        ),
    ] = None,
) -> Response:
    """`format` if given, else Turtle, JSON-LD or RDF/XML by `Accept` (Turtle for `*/*`);
    406 for anything else."""
    extension = fmt or negotiate(request.headers.get("accept", "*/*"))
    response = catalog(
        request,
        extension,
        index,
        info,
        settings,
        pages,
        page,
        q,
        fq,
        modified_since,
        rows,
        profiles,
    )
    response.headers["Vary"] = vary(request, "Accept")
    response.headers["Content-Location"] = f"{info.base_url}/catalog.{extension}"
    return response


@get_and_head(
    router,
    "/catalog.{extension}",
    summary="One page of the DCAT-AP 3 catalogue (hydra paging)",
    description="One page of the DCAT-AP 3 catalogue as Turtle (`ttl`), N3 (`n3`), JSON-LD "
    "(`jsonld`) or RDF/XML (`rdf`, `xml`), paged with hydra links.",
    response_class=Response,
    responses=responses(RDF, TAGGED, problem_responses(*REFUSED, *UNKNOWN)),
)
def catalog(
    request: Request,
    extension: Annotated[RdfFormat, Path(openapi_examples=example("ttl"))],
    index: IndexDep,
    info: InfoDep,
    settings: SettingsDep,
    pages: PagesDep,
    page: PageNumber = 1,
    q: Words = "",
    fq: Filters = "",
    modified_since: ModifiedSince = "",
    rows: Rows = None,
    profiles: Profiles = "",
) -> Response:
    """A page past the last is empty, with the paging (`previous` is the last page), as
    ckanext-dcat answers it; a search that finds nothing has no paging, as there. The
    datasets are package_search's for `q` and `fq`, newest change first, as ckanext-dcat
    finds them; the body is kept per state of the catalogue (`CataloguePages`)."""
    names = check_profiles(profiles)
    since = parse_moment(modified_since, "modified_since") if modified_since else None
    filters = {
        "q": q,
        "fq": fq,
        "modified_since": modified_since,
        "rows": str(rows or ""),
        "profiles": ",".join(names),
    }
    search = CatalogueSearch(
        q=q, fq=fq, modified_since=since, page=page, size=rows or settings.catalog_page_size
    )

    def make() -> bytes:
        url = partial(_page_url, info.base_url, f"/catalog.{extension}", filters)
        graph = catalogue_page(index, info, search, url, catalogue_search)
        return serialize_graph(graph, extension)

    key = ("route", info.base_url, extension, search, tuple(filters.items()))
    body = pages.body(index.packages(), key, make)
    return rdf_response(request, body, extension)


@get_and_head(
    router,
    "/dataset/{slug}.{extension}",
    summary="One dataset as DCAT-AP 3 (Turtle, N3, JSON-LD or RDF/XML)",
    description="One dataset and its distributions as DCAT-AP 3.",
    response_class=Response,
    responses=responses(RDF, TAGGED, problem_responses(*REFUSED, *UNKNOWN)),
)
def dataset(
    request: Request,
    slug: Slug,
    extension: Annotated[RdfFormat, Path(openapi_examples=example("jsonld"))],
    store: StoreDep,
    index: IndexDep,
    info: InfoDep,
    profiles: Profiles = "",
) -> Response:
    check_profiles(profiles)
    package = served_package(store, index.slug_of(slug), index)
    graph = dataset_graph(info, package, served_regions(index))
    return rdf_response(request, serialize_graph(graph, extension), extension)


def dataset_format(
    request: Request,
    slug: str,
    store: StoreDep,
    index: IndexDep,
    info: InfoDep,
    fmt: Annotated[str, Query(alias="format")] = "",
    profiles: Profiles = "",
) -> Response | None:
    """`/dataset/{slug}?format=ttl` (`n3`, `jsonld`, `rdf`, `xml`): the DCAT document, as
    `/dataset/{slug}.ttl`. Without `format`, the one `Accept` asks for with no text/html
    preferred (`page_format`, said by `Vary: Accept`); None for the HTML page (`format=html`,
    or an `Accept` that prefers it or names no RDF type)."""
    if fmt == "":
        negotiated = page_format(request.headers.get("accept", ""))
        if negotiated is None:
            return None
        response = dataset(request, slug, negotiated, store, index, info, profiles)
        response.headers["Vary"] = vary(request, "Accept")
        response.headers["Content-Location"] = f"{info.base_url}/dataset/{quote(slug)}.{negotiated}"
        return response
    if fmt == "html":
        return None
    if fmt not in RDF_FORMATS:
        raise BadRequest(f"unknown format {fmt!r}; use html or one of {', '.join(RDF_FORMATS)}")
    return dataset(request, slug, cast(RdfFormat, fmt), store, index, info, profiles)


DatasetFormat = Annotated[Response | None, Depends(dataset_format)]


@get_and_head(
    router,
    "/api/v1/datasets/{slug}/schemaorg",
    summary="One dataset as schema.org/Dataset JSON-LD (what the HTML page embeds)",
    description="The schema.org/Dataset JSON-LD of a dataset, as embedded in its HTML page "
    "for search engines.",
    response_class=Response,
    responses=responses(
        bodies(
            {
                "application/ld+json": {
                    "@context": "https://schema.org/",
                    "@type": "Dataset",
                    "name": "贵州省最低工资标准",
                }
            },
            JSON_LD,
        ),
        cached(200),
        problem_responses(*REFUSED, *UNKNOWN),
    ),
)
def schema_org(
    request: Request, slug: Slug, store: StoreDep, index: IndexDep, info: InfoDep
) -> Response:
    refuse_version_pin(request, "it describes the served version")
    document = dataset_jsonld(info, served_package(store, slug, index))
    return json_document(request, document, "application/ld+json")


@get_and_head(
    router,
    "/data.json",
    summary="The catalogue as DCAT-US 1.1 (Project Open Data) data.json",
    response_class=Response,
    responses=responses(
        bodies(
            {
                "application/json": {
                    "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
                    "dataset": [],
                }
            },
            {"application/json": {"type": "object"}},
        ),
        TAGGED,
        problem_responses(*REFUSED, 404),
    ),
)
def data_json(
    request: Request,
    index: IndexDep,
    info: InfoDep,
    settings: SettingsDep,
    page: Annotated[
        int | None,
        Query(
            ge=1,
            description="1-based page; without it, every dataset.",
            openapi_examples=example(1),
        ),
    ] = None,
) -> Response:
    """Without `page`, the whole catalogue (what data.json harvesters read); with it, one page
    of `catalog_page_size` datasets and `Link` headers to the first, last, next, previous."""
    everything = index.packages()
    slugs = sorted(everything)
    self_url = f"{info.base_url}/data.json"
    headers: dict[str, str] = {}
    if page is not None:
        size = settings.catalog_page_size
        paging = PageInfo(
            number=page, size=size, total=len(slugs), url=lambda n: f"{self_url}?page={n}"
        )
        if page > paging.last:
            raise NotFound(f"page {page} is past the last page, {paging.last}")
        slugs = slugs[(page - 1) * size : page * size]
        headers["Link"] = _link_header(paging)
        self_url = paging.url(page)
    document = data_json_catalog(info, [everything[s] for s in slugs], self_url)
    return json_document(request, document, "application/json", headers)


def served_package(store: Store, slug: str, index: CatalogueIndex) -> Package:
    """The current descriptor, its organisation's facts as all its datasets state them; 410
    Gone for a withdrawn dataset."""
    if store.current(slug) is None and store.withdrawals(slug):
        raise Gone(f"dataset {slug!r} was withdrawn")
    return with_organization(store.package(slug), index.organizations())


def rdf_response(request: Request, body: bytes, extension: str) -> Response:
    media_type = RDF_FORMATS[extension][1]
    return tagged(request, body, f"{media_type}; charset=utf-8")


def _page_url(base: str, path: str, filters: dict[str, str], number: int) -> str:
    params = {key: value for key, value in filters.items() if value}
    params["page"] = str(number)
    return f"{base}{path}?{urlencode(params)}"


def _link_header(page: PageInfo) -> str:
    targets = {"first": 1, "last": page.last}
    if page.number < page.last:
        targets["next"] = page.number + 1
    if page.number > 1:
        targets["prev"] = page.number - 1
    return ", ".join(f'<{page.url(n)}>; rel="{rel}"' for rel, n in targets.items())
