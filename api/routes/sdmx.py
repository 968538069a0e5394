"""SDMX-REST 1.x under `/sdmx` (SDMX-ML 2.1): the indicator datasets for statistical tools.

    /sdmx/{dataflow|datastructure|codelist|conceptscheme}/{agency}/{id}/{version}
    /sdmx/data/{flow}/{key}/{provider}

Shorter structure paths take the standard's defaults (`all`, `all`, `latest`); a data path
without a key asks for every series. Every answer, an error included, is SDMX-ML
(`catalog.sdmx`); other SDMX resources answer 501, other methods 405.

Answers are cached as /api/v1's are: an ETag from what the message is made of (the published
versions read, the normalised request, the format), `Cache-Control: public, max-age=60`, and a
matching `If-None-Match` answered 304 before anything is read or rendered
(`api.preconditions`); `If-None-Match: *` and `If-Match` only once the answer is known to
exist (a data query that matches nothing is 404 whatever the conditions). `HEAD` is a GET
whose body is dropped (`api.caching`): its headers, gzip's included, are the GET's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.caching import CURRENT_MAX_AGE
from api.errors import SDMX_ALLOW, sdmx_error
from api.openapi import TAGGED, example, responses
from api.perimeter import QuietLog
from api.preconditions import named_tag, precondition
from catalog.errors import DataRefused, NotFound, OpenDataError
from catalog.sdmx import (
    AGENCY,
    ERROR_TYPE,
    GENERIC_TYPE,
    RESOURCES,
    SPECIFIC_TYPE,
    STRUCTURE_TYPE,
    SdmxAnswer,
    SdmxError,
    SdmxService,
)

router = APIRouter(prefix="/sdmx", tags=["sdmx"])
logger = logging.getLogger(__name__)
quiet = QuietLog(logger, 10.0)  # a store away fails every request alike

FLOW = "national-hrss-bulletin"
XML = {"type": "string"}
ERRORS = {
    400: "Syntax error (SDMX code 140)",
    404: "No results found, or no such structure (SDMX code 100)",
    406: "Not acceptable: ask for an SDMX-ML 2.1 format (code 1000)",
    412: "Precondition failed: If-Match names another version of it (SDMX code 150)",
    413: "Response size exceeds service limit (SDMX code 510)",
    429: "Too many requests (code 1001: the standard has none); 413, 414 and 431 refusals"
    " of the request's size are code 140",
    501: "Not implemented (SDMX code 501)",
    503: "Service unavailable: a read past its time limit (SDMX code 503)",
}
# The SDMX 2.1 structure resources this service does not serve: 501, not 404.
OTHER_RESOURCES = frozenset(
    {
        "agencyscheme", "attachmentconstraint", "categorisation", "categoryscheme",
        "contentconstraint", "dataconsumerscheme", "dataproviderscheme", "hierarchicalcodelist",
        "metadataflow", "metadatastructure", "organisationscheme", "organisationunitscheme",
        "process", "provisionagreement", "reportingtaxonomy", "structureset", "structure",
        "actualconstraint", "allowedconstraint", "availableconstraint", "schema", "metadata",
    }
)  # fmt: skip


# Methods answered here; any other (TRACE, PROPFIND) gets the same 405 from `api.errors`.
OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"description": ERRORS[status], "content": {ERROR_TYPE: {"schema": XML}}}
        for status in statuses
    }


def xml_body(example: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    content = {media_type: {"schema": XML, "example": example} for media_type in media_types}
    return {200: {"content": content}}


STRUCTURE_EXAMPLE = (
    '<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
    "<mes:Header>…</mes:Header><mes:Structures>…</mes:Structures></mes:Structure>"
)
DATA_EXAMPLE = (
    '<mes:GenericData xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
    "<mes:Header>…</mes:Header><mes:DataSet>…</mes:DataSet></mes:GenericData>"
)
# 410 is no SDMX answer: a withdrawn dataset is no longer a dataflow (404, code 100). The
# perimeter's refusals (429; 503 when full) are SDMX error messages too (`api.errors`).
REFUSALS = responses(error_responses(429, 503), {304: TAGGED[304]})
WITHDRAWN: dict[int | str, dict[str, Any]] = {
    410: {"description": "Never answered here: a withdrawn dataset is 404 (code 100)."}
}


def install(app: FastAPI) -> None:
    app.state.sdmx = SdmxService(app.state.store)
    app.include_router(router)
    app.add_middleware(TrailingSlash)


class TrailingSlash:
    """`/sdmx/…/` read as `/sdmx/…`: R's rsdmx ends every SDMX 2.1 query path with a slash,
    and the standard's paths name the same resource either way."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/sdmx/") and path.endswith("/") and len(path) > len("/sdmx/"):
            raw = scope.get("raw_path") or path.encode()
            scope = {**scope, "path": path.rstrip("/"), "raw_path": raw.rstrip(b"/")}
        await self.app(scope, receive, send)


def answered(request: Request, call: Callable[[], SdmxAnswer]) -> Response:
    """The answer (304 or headers only when that is all it takes), or its error as an
    SDMX-ML `Error` message: whatever fails, never a problem body, a path or engine text."""
    try:
        return _conditional(request, call())
    except SdmxError as exc:
        if exc.status >= 500:
            logger.error("%s failed: %s", request.url.path, exc, exc_info=exc.__cause__)
        return _error(exc.status, exc.sdmx_code, str(exc), exc.retry_after)
    except DataRefused as exc:  # SDMX's 110 "Unauthorised": a conditional dataset's data
        return _error(403, 110, str(exc))
    except NotFound:  # a dataset withdrawn while it was being read
        return _error(404, 100, "No results found.")
    except Exception as exc:  # the SDMX paths answer SDMX, a server fault included
        return _failed(request, exc)


def _failed(request: Request, exc: Exception) -> Response:
    """A server fault as SDMX's 500 "Internal Server Error", or its 503 "Service
    unavailable" with `Retry-After` when it passes (a store that did not answer)."""
    if isinstance(exc, OpenDataError) and exc.status == 503:
        quiet.warning("%s refused: %s", request.url.path, exc)
        return _error(exc.status, 503, "Service unavailable.", exc.retry_after)
    logger.error("%s failed", request.url.path, exc_info=exc)
    status = exc.status if isinstance(exc, OpenDataError) and exc.status >= 500 else 500
    return _error(status, 500, "Internal Server Error.")


def _conditional(request: Request, answer: SdmxAnswer) -> Response:
    """RFC 9110's preconditions, for an answer that exists: a tag the client names (only a
    200 carried it) is answered 304 before anything is read; anything else (`*`, `If-Match`)
    only once the read found something to answer. HEAD makes the whole body, as GET does, so
    that gzip sets the same `Content-Encoding`, `ETag` and length on both."""
    headers = {
        "ETag": answer.etag,
        "Cache-Control": CURRENT_MAX_AGE,
        "Vary": "Accept, Accept-Encoding",
    }
    asked = request.headers.get("if-none-match", "")
    named = None if "if-match" in request.headers else named_tag(asked, answer.etag)
    if named is not None:  # with the tag the client named: the gzip body's is its weak form
        return Response(status_code=304, headers={**headers, "ETag": named})
    render = answer.gather()  # raises the 404 (or 413, 503) a GET would answer
    status = precondition(request.headers, answer.etag)
    if status == 412:
        return _error(412, 150, "The If-Match condition does not hold.")
    if status == 304:
        return Response(status_code=304, headers=headers)
    return Response(answer.body(render), media_type=answer.media_type, headers=headers)


def _error(
    status: int, code: int, text: str, retry_after: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    extra = {"Retry-After": str(retry_after)} if retry_after else {}
    return sdmx_error(status, code, text, {**extra, **(headers or {})})


Agency = Annotated[str, Path(description=f"`{AGENCY}` or `all`.", openapi_examples=example(AGENCY))]
Identifier = Annotated[
    str, Path(description="An id, ids joined by `+`, or `all`.", openapi_examples=example(FLOW))
]
Version = Annotated[
    str,
    Path(
        description="`latest`, `all`, or a version as the structures give it (derived from"
        " their content: a publish that changes a structure changes its version).",
        openapi_examples=example("latest"),
    ),
]
References = Annotated[
    str | None,
    Query(
        description="Also return related structures: none, parents, parentsandsiblings,"
        " children, descendants, all, or a structure type.",
        openapi_examples=example("children"),
    ),
]


def _structure_endpoint(resource: str) -> Callable[..., Response]:
    def structure(
        request: Request,
        agency: Agency,
        resource_id: Identifier,
        version: Version,
        references: References = None,
    ) -> Response:
        service: SdmxService = request.app.state.sdmx
        return answered(
            request,
            lambda: service.structure(
                resource,
                agency,
                resource_id,
                version,
                request.query_params.multi_items(),
                request.headers.get("accept", ""),
            ),
        )

    return structure


def _short_structure_endpoint(resource: str) -> Callable[..., Response]:
    def structure(request: Request) -> Response:
        service: SdmxService = request.app.state.sdmx
        path = request.path_params
        return answered(
            request,
            lambda: service.structure(
                resource,
                path.get("agency", "all"),
                path.get("resource_id", "all"),
                "latest",
                request.query_params.multi_items(),
                request.headers.get("accept", ""),
            ),
        )

    return structure


for _resource in RESOURCES:
    router.add_api_route(
        f"/{_resource}/{{agency}}/{{resource_id}}/{{version}}",
        _structure_endpoint(_resource),
        methods=["GET"],
        summary=f"SDMX {_resource} (SDMX-ML 2.1 structure message)",
        response_class=Response,
        responses=responses(
            xml_body(STRUCTURE_EXAMPLE, STRUCTURE_TYPE),
            error_responses(400, 404, 406, 412, 501, 413, 503),
            REFUSALS,
            WITHDRAWN,
        ),
        description=f"The {_resource} structures of the indicator datasets, agency `{AGENCY}`,"
        " versioned by content; `references=` adds related structures.",
    )
    for _path in ("", "/{agency}", "/{agency}/{resource_id}"):
        router.add_api_route(
            f"/{_resource}{_path}",
            _short_structure_endpoint(_resource),
            methods=["GET"],
            include_in_schema=False,
        )

Key = Annotated[
    str,
    Path(
        description="INDICATOR.REGION.PERIOD_TYPE; an empty part is any, values joined by `+`;"
        " `all` for every series.",
        openapi_examples=example("registered_unemployment_rate.000000."),
    ),
]


@router.get(
    "/data/{flow}/{key}",
    summary="SDMX data of an indicator dataset, by key and period",
    response_class=Response,
    responses=responses(
        xml_body(DATA_EXAMPLE, GENERIC_TYPE, SPECIFIC_TYPE),
        error_responses(400, 404, 406, 412, 413, 501, 503),
        REFUSALS,
        WITHDRAWN,
    ),
)
def data(
    request: Request,
    flow: Annotated[
        str,
        Path(
            description="The dataflow: `ID`, `AGENCY,ID` or `AGENCY,ID,VERSION`.",
            openapi_examples=example(FLOW),
        ),
    ],
    key: Key,
    start_period: Annotated[
        str | None,
        Query(alias="startPeriod", description="First period (2018, 2018-06, 2018-Q2, 2018-S1)."),
    ] = None,
    end_period: Annotated[
        str | None, Query(alias="endPeriod", description="Last period, in the same forms.")
    ] = None,
    dimension_at_observation: Annotated[
        str | None,
        Query(
            alias="dimensionAtObservation",
            description="TIME_PERIOD (default), another dimension, or AllDimensions.",
        ),
    ] = None,
    detail: Annotated[
        str | None, Query(description="full (default), dataonly, serieskeysonly or nodata.")
    ] = None,
) -> Response:
    """GenericData by default; StructureSpecificData when `Accept` asks for
    `application/vnd.sdmx.structurespecificdata+xml;version=2.1`."""
    return _data(request, flow, key, "all")


@router.get("/data/{flow}", include_in_schema=False)
def every_series(request: Request, flow: str) -> Response:
    return _data(request, flow, "all", "all")


@router.get("/data/{flow}/{key}/{provider}", include_in_schema=False)
def provided(request: Request, flow: str, key: str, provider: str) -> Response:
    return _data(request, flow, key, provider)


def _data(request: Request, flow: str, key: str, provider: str) -> Response:
    service: SdmxService = request.app.state.sdmx
    params, accept = request.query_params.multi_items(), request.headers.get("accept", "")
    return answered(request, lambda: service.data(flow, key, provider, params, accept))


@router.api_route("", methods=OTHER_METHODS, include_in_schema=False)
@router.api_route("/{rest:path}", methods=OTHER_METHODS, include_in_schema=False)
def elsewhere(request: Request, rest: str = "") -> Response:
    """Any other path or method under /sdmx: 405 for a method other than GET (and HEAD),
    501 for a resource the standard defines, else 404."""
    if request.method != "GET":
        text = f"{request.method[:10]} is not served here: use GET."
        return _error(405, 501, text, headers=SDMX_ALLOW)
    if rest.split("/", 1)[0] in OTHER_RESOURCES:
        return _error(501, 501, "This SDMX resource is not implemented here.")
    return _error(404, 100, "No such SDMX resource.")
