"""Downloads: `/api/v1/datasets/{slug}/resources/{resource}.{csv,json,ndjson,parquet,xlsx}` and
`/api/v1/datasets/{slug}.zip`, streamed batch by batch (see `catalog.query.downloads`).

Downloads take the filters, `sort`, `fields` and `version` of /rows. An unfiltered Parquet
download is the stored file itself, served with `Range` support; so is an unfiltered CSV,
JSON or XLSX of a version that rendered it at publish (`downloads/` in the version); anything
else is encoded as it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.responses import FileResponse, MalformedRangeHeader

from api.caching import HEAD, HttpCache, head_response
from api.deps import EngineDep, StoreDep
from api.openapi import (
    BINARY,
    REFUSED,
    UNKNOWN,
    Resource,
    Slug,
    cached,
    example,
    problem_responses,
    responses,
)
from api.routes.rows import FILTERS_HELP, Sort, Version, filter_params
from catalog.errors import InvalidParameter
from catalog.query import (
    BOM,
    FORMATS,
    ZIP_MEDIA_TYPE,
    Digest,
    Encoding,
    ExportRequest,
    QueryEngine,
    RowSelection,
    StoredDownload,
    ZipMember,
    encode,
    zip_chunks,
    zip_member_chunks,
)
from catalog.state import data_level, require_data
from catalog.store import DESCRIPTOR, REPORT

router = APIRouter(prefix="/api/v1/datasets", tags=["downloads"])

DOWNLOAD_PARAMETERS = frozenset({"sort", "fields", "version", "bom"})


# The path's extension: one member per format of the registry, so OpenAPI lists them all.
Extension = StrEnum("Extension", [(extension, extension) for extension in FORMATS])  # type: ignore[misc]


RESPONSES = responses(
    {
        200: {
            "description": "The rows in the format the extension names.",
            "content": {
                FORMATS["csv"].media_type: {
                    "example": "region_code,year,workers\n520000,2021,1000\n"
                },
                FORMATS["json"].media_type: {"example": [{"region_code": "520000", "year": 2021}]},
                FORMATS["ndjson"].media_type: {"example": '{"region_code":"520000","year":2021}\n'},
                FORMATS["parquet"].media_type: {"schema": BINARY},
                FORMATS["xlsx"].media_type: {"schema": BINARY},
            },
        },
        206: {"description": "The requested byte range of the stored Parquet file."},
    },
    cached(200, 206),
    problem_responses(*REFUSED, *UNKNOWN, 416),
)
DESCRIPTION = (
    "The rows of a resource as a file: CSV (UTF-8, header row; `bom=true` adds a byte-order "
    "mark for Excel), a JSON array, NDJSON, Parquet or XLSX (at most 1,048,575 rows). Text "
    "cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'` in "
    "CSV and XLSX so that spreadsheets do not run them as formulas. Without filters, `fields` "
    "and `sort`, the Parquet download is the published file, served with `Range` support. "
    "Rows keep the published file's order unless `sort` is given; `sort` orders the typed "
    "values (numbers as numbers, dates as dates), ties broken by the primary key. A download "
    "that fails after its first byte is cut off, never ended as if complete. " + FILTERS_HELP
)


class RangedFile(FileResponse):
    """A stored file with `Range` support that ignores a `Range` it cannot parse.

    Starlette answers 400 to `bytes=abc`, `bytes=5-2` or `items=0-1`; RFC 9110 14.2 says to
    ignore such a header, so the whole file comes (200). A range of valid syntax that starts
    past the end stays 416.
    """

    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        try:
            return super()._parse_range_header(http_range, file_size)
        except MalformedRangeHeader:
            return []  # no range: the whole file


def attachment(name: str) -> str:
    """`Content-Disposition` naming `name`, with an ASCII fallback and RFC 5987 `filename*`."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _validators(request: Request) -> dict[str, str]:
    cache: HttpCache = request.app.state.http_cache
    query = request.query_params.multi_items()
    # As the caching middleware computes them, so that the route's tag is the middleware's.
    found = cache.validators(request.scope["path"], query, request.headers.items())
    return found.headers() if found is not None else {}


@router.get(
    "/{slug}/resources/{resource}.{extension}",
    summary="Download a resource as CSV, JSON, NDJSON, Parquet or XLSX",
    description=DESCRIPTION,
    response_class=Response,
    responses=RESPONSES,
)
def download(
    slug: Slug,
    resource: Resource,
    extension: Annotated[Extension, Path(openapi_examples=example("csv"))],
    request: Request,
    engine: EngineDep,
    sort: Sort = None,
    fields: Annotated[
        str | None,
        Query(
            description="Columns to include, comma-separated; all by default.",
            examples=["year,workers"],
        ),
    ] = None,
    version: Version = None,
    bom: Annotated[
        bool,
        Query(
            description="CSV only: start with a UTF-8 byte-order mark for Excel.",
            openapi_examples=example(True),
        ),
    ] = False,
) -> Response:
    fmt = FORMATS[extension.value]
    if bom and fmt.extension != "csv":
        raise InvalidParameter("bom", "a byte-order mark is for CSV downloads only")
    asked = ExportRequest(
        filters=filter_params(request, DOWNLOAD_PARAMETERS),
        sort=sort,
        fields=fields,
        version=version,
    )
    selection = engine.select(slug, resource, asked)
    found = selection.resource
    name = f"{found.dataset}-{found.name}-{found.version}.{fmt.extension}"
    headers = {"Content-Disposition": attachment(name)}
    if fmt.digest is Digest.STORED and selection.whole:
        headers.update(_validators(request))
        return RangedFile(found.path, media_type=fmt.media_type, headers=headers)
    stored = found.downloads.get(fmt.extension) if selection.whole else None
    if stored is not None:
        headers.update(_validators(request))
        return _stored(request, stored, fmt.media_type, headers, bom=bom)
    if request.scope.get(HEAD):
        return head_response(fmt.media_type, headers)
    encoding = Encoding(bom=bom)
    if fmt.whole:
        # Written whole, its length is known: the route gives the validators the caching
        # middleware would compute, and the creation time is the version's publication.
        headers.update(_validators(request))
        created = request.app.state.http_cache.published(found.dataset, found.version)
        encoding = Encoding(bom=bom, created=created)
    encoded = encode(engine, selection, fmt, encoding)
    if encoded.size is not None:
        headers["Content-Length"] = str(encoded.size)
    return StreamingResponse(encoded.chunks, media_type=fmt.media_type, headers=headers)


def _stored(
    request: Request, stored: StoredDownload, media_type: str, headers: dict[str, str], *, bom: bool
) -> Response:
    """A download rendered at publish: the file itself, with `Range` support; with a
    byte-order mark asked for, the mark and then the file, streamed."""
    if not bom:
        return RangedFile(stored.path, media_type=media_type, headers=headers)
    headers["Content-Length"] = str(len(BOM) + stored.size)
    if request.scope.get(HEAD):
        return Response(media_type=media_type, headers=headers)
    chunks = zip_member_chunks(ZipMember(stored.path.name, path=stored.path, size=stored.size))
    return StreamingResponse(_after(BOM, chunks), media_type=media_type, headers=headers)


def _after(first: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from chunks


@router.get(
    "/{slug}.zip",
    summary="Download a whole dataset as a zip",
    description="Every resource of the dataset as CSV (as the CSV download gives it) and as "
    "the published Parquet, with the published `datapackage.json` and the `validation.json` "
    "report of the version, in a folder `<slug>-<version>/`. `version=` pins a version.",
    response_class=Response,
    responses=responses(
        {
            200: {
                "description": "The zip, streamed.",
                "content": {ZIP_MEDIA_TYPE: {"schema": BINARY}},
            }
        },
        cached(200),
        problem_responses(*REFUSED, *UNKNOWN),
    ),
)
def download_zip(
    slug: Slug, request: Request, engine: EngineDep, store: StoreDep, version: Version = None
) -> Response:
    chosen = store.served_version(slug, version)
    package = store.package(slug, chosen)
    # Before HEAD and before any member is planned; an older version as closed as the current.
    require_data(slug, data_level(store, slug, chosen))
    published = request.app.state.http_cache.published(slug, chosen)
    headers = {"Content-Disposition": attachment(f"{slug}-{chosen}.zip")}
    if request.scope.get(HEAD):
        return head_response(ZIP_MEDIA_TYPE, headers)
    root = f"{slug}-{chosen}/"
    members = [ZipMember(root + DESCRIPTOR, path=store.local_path(slug, chosen, DESCRIPTOR))]
    if store.has_file(slug, chosen, REPORT):
        members.append(ZipMember(root + REPORT, path=store.local_path(slug, chosen, REPORT)))
    for entry in package.resources:
        selection = engine.select(slug, entry.name, ExportRequest(version=chosen))
        members.append(_csv_member(root + f"{entry.name}.csv", engine, selection))
        members.append(
            ZipMember(
                root + f"{entry.name}.parquet",
                path=selection.resource.path,
                compress=False,
                size=entry.byte_size,
                sha256=(entry.hash or "").removeprefix("sha256:") or None,
            )
        )
    return StreamingResponse(
        zip_chunks(members, published), media_type=ZIP_MEDIA_TYPE, headers=headers
    )


def _csv_member(name: str, engine: QueryEngine, selection: RowSelection) -> ZipMember:
    """The CSV of a resource in the zip: the file rendered at publish, checked against its
    recorded size and sha256 as it is copied, else rendered now."""
    stored = selection.resource.downloads.get("csv")
    if stored is not None:
        return ZipMember(name, path=stored.path, size=stored.size, sha256=stored.sha256)
    return ZipMember(name, chunks=_csv_of(engine, selection))


def _csv_of(engine: QueryEngine, selection: RowSelection) -> Callable[[], Iterator[bytes]]:
    return lambda: encode(engine, selection, FORMATS["csv"]).chunks
