"""`/datastore/dump/{resource_id}`: a DataStore table streamed as CKAN's dump streams it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParameter
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.caching import HEAD, head_response
from api.errors import dump_error
from api.openapi import REFUSED, TEXT, UNKNOWN, problem_responses, responses
from catalog.ckan import DUMP_MEDIA_TYPES, DataStore
from catalog.errors import OpenDataError

router = APIRouter(tags=["CKAN Action API"])

DUMP_EXAMPLE = '_id,region_code,year,workers\n1,"520000",2021,1000\n'
FORMATS = ("text/csv", "text/tab-separated-values", "application/json", "text/xml")
ERRORS = (400, 404, 409, 410, 504)


@router.get(
    "/datastore/dump/{resource_id}",
    tags=["CKAN DataStore"],
    summary="Dump a DataStore table",
    response_class=Response,
    responses=responses(
        {
            200: {
                "description": "The rows, streamed in the asked format.",
                "content": {
                    DUMP_MEDIA_TYPES["csv"]: {"example": DUMP_EXAMPLE},
                    **{media_type: {"schema": TEXT} for media_type in FORMATS},
                },
            }
        },
        # CKAN's dump answers its errors in plain text (`api.errors.dump_error`).
        {status: {"content": {"text/plain": {"schema": TEXT}}} for status in ERRORS},
        problem_responses(*REFUSED, *UNKNOWN),
    ),
)
async def datastore_dump(
    resource_id: Annotated[
        str,
        PathParameter(
            description="The resource's id, as package_show gives it.",
            examples=["7fb980a1-3fcf-5d80-aa8f-3372b9793e7d"],
        ),
    ],
    request: Request,
) -> Response:
    """The whole table (or `filters`, `q`, `fields`, `sort`, `limit`, `offset` of it) as
    `format` csv (default), tsv, json or xml, streamed, with `_id` first (CKAN's dump)."""
    datastore: DataStore = request.app.state.datastore
    args = dict(request.query_params)
    try:
        fmt, chunks = await run_in_threadpool(datastore.dump, resource_id, args)
    except OpenDataError as exc:
        return dump_error(exc)
    headers = {"Content-Disposition": f'attachment; filename="{resource_id}.{fmt}"'}
    if request.scope.get(HEAD):  # planned (so refused as GET would be), not run
        if hasattr(chunks, "close"):
            chunks.close()
        return head_response(DUMP_MEDIA_TYPES[fmt], headers)
    return StreamingResponse(chunks, media_type=DUMP_MEDIA_TYPES[fmt], headers=headers)
