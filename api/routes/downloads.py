"""Downloads: `/api/v1/datasets/{slug}/resources/{resource}.{csv,json,ndjson,parquet,xlsx}` and
`/api/v1/datasets/{slug}.zip`, streamed batch by batch (see `catalog.query.downloads`).

Downloads take the filters, `sort`, `fields` and `version` of /rows. An unfiltered Parquet
download is the stored file itself, served with `Range` support; anything else is encoded
as it is read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse

from api.caching import HEAD, HttpCache
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
    CHUNK,
    FORMATS,
    ZIP_MEDIA_TYPE,
    ExportRequest,
    QueryEngine,
    Selection,
    ZipMember,
    csv_chunks,
    json_chunks,
    parquet_chunks,
    write_xlsx,
    zip_chunks,
)
from catalog.store import DESCRIPTOR, REPORT

router = APIRouter(prefix="/api/v1/datasets", tags=["downloads"])

DOWNLOAD_PARAMETERS = frozenset({"sort", "fields", "version", "bom"})


class Extension(StrEnum):
    csv = "csv"
    json = "json"
    ndjson = "ndjson"
    parquet = "parquet"
    xlsx = "xlsx"


RESPONSES = responses(
    {
        200: {
            "description": "The rows in the format the extension names.",
            "content": {
                FORMATS["csv"].media_type: {
                    "example": "region_code,year,workers\n520000,2021,1000\n"
                },
                "application/json": {"example": [{"region_code": "520000", "year": 2021}]},
                "application/x-ndjson": {"example": '{"region_code":"520000","year":2021}\n'},
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
    if bom and extension is not Extension.csv:
        raise InvalidParameter("bom", "a byte-order mark is for CSV downloads only")
    asked = ExportRequest(
        filters=filter_params(request, DOWNLOAD_PARAMETERS),
        sort=sort,
        fields=fields,
        version=version,
    )
    selection = engine.select(slug, resource, asked)
    found = selection.resource
    name = f"{found.dataset}-{found.name}-{found.version}.{extension.value}"
    media_type = FORMATS[extension.value].media_type
    headers = {"Content-Disposition": attachment(name)}
    if extension is Extension.parquet and selection.whole:
        headers.update(_validators(request))
        return FileResponse(found.path, media_type=media_type, headers=headers)
    if request.scope.get(HEAD):
        return Response(media_type=media_type, headers=headers)
    if extension is Extension.xlsx:
        created = request.app.state.http_cache.published(found.dataset, found.version)
        return _xlsx(engine, selection, media_type, {**headers, **_validators(request)}, created)
    return StreamingResponse(
        _chunks(engine, selection, extension, bom), media_type=media_type, headers=headers
    )


def _chunks(
    engine: QueryEngine, selection: Selection, extension: Extension, bom: bool
) -> Iterator[bytes]:
    if extension is Extension.csv:
        return csv_chunks(engine, selection, bom=bom)
    if extension is Extension.parquet:
        return parquet_chunks(engine, selection)
    return json_chunks(engine, selection, lines=extension is Extension.ndjson)


def _xlsx(
    engine: QueryEngine,
    selection: Selection,
    media_type: str,
    headers: dict[str, str],
    created: datetime,
) -> Response:
    # An XLSX file is a zip whose directory comes last: it is written whole, to a temporary
    # file that is unlinked at once, so nothing is left behind if the client goes away.
    with tempfile.TemporaryFile(suffix=".xlsx") as target:
        write_xlsx(engine, selection, target, created)
        size = target.tell()
        descriptor = os.dup(target.fileno())
    headers["Content-Length"] = str(size)
    return StreamingResponse(_file_chunks(descriptor), media_type=media_type, headers=headers)


def _file_chunks(descriptor: int) -> Iterator[bytes]:
    with os.fdopen(descriptor, "rb") as stream:
        stream.seek(0)
        while chunk := stream.read(CHUNK):
            yield chunk


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
    published = request.app.state.http_cache.published(slug, chosen)
    headers = {"Content-Disposition": attachment(f"{slug}-{chosen}.zip")}
    if request.scope.get(HEAD):
        return Response(media_type=ZIP_MEDIA_TYPE, headers=headers)
    root = f"{slug}-{chosen}/"
    members = [ZipMember(root + DESCRIPTOR, path=store.local_path(slug, chosen, DESCRIPTOR))]
    if store.has_file(slug, chosen, REPORT):
        members.append(ZipMember(root + REPORT, path=store.local_path(slug, chosen, REPORT)))
    for entry in package.resources:
        selection = engine.select(slug, entry.name, ExportRequest(version=chosen))
        members.append(ZipMember(root + f"{entry.name}.csv", chunks=_csv_of(engine, selection)))
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


def _csv_of(engine: QueryEngine, selection: Selection) -> Any:
    return lambda: csv_chunks(engine, selection)
