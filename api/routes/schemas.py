"""`/schemas/datapackage.json`: the descriptor's JSON Schema, at a URL editors can point at.

The document is `catalog.store.descriptor_schema_text`, generated from the strict model the
store parses every descriptor with, so what an editor marks is what `opendata validate`
refuses. It changes only with the server's code: a strong ETag answers revalidation with
304, and an hour's `Cache-Control` spares editors a request per keystroke.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.openapi import (
    REFUSED,
    TAGGED,
    TEXT,
    Responses,
    bodies,
    problem_responses,
    responses,
)
from api.routes.documents import get_and_head, tagged
from catalog.store import descriptor_schema_text

router = APIRouter(tags=["metadata"])

MEDIA_TYPE = "application/schema+json"
MAX_AGE = "public, max-age=3600"
SCHEMA_EXAMPLE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "HRSS Open Data descriptor (datapackage.yaml)",
    "type": "object",
    "additionalProperties": False,
}
CACHED: Responses = {
    200: {
        "headers": {
            "ETag": {"description": "Strong validator of the schema.", "schema": TEXT},
            "Cache-Control": {"description": f"`{MAX_AGE}`.", "schema": TEXT},
        }
    }
}


@get_and_head(
    router,
    "/schemas/datapackage.json",
    summary="The JSON Schema of a dataset's descriptor (datapackage.yaml)",
    description="The Data Package descriptor this catalogue accepts, with its own properties "
    "and the `layout` of printed tables, as JSON Schema 2020-12. Every object is closed "
    "(`additionalProperties: false`): an editor pointed here marks a misspelt key. Point "
    "an editor at it with `# yaml-language-server: $schema=<this URL>` on the first line "
    "of datapackage.yaml.",
    response_class=Response,
    responses=responses(
        bodies({MEDIA_TYPE: SCHEMA_EXAMPLE}, {MEDIA_TYPE: {"type": "object"}}),
        CACHED,
        TAGGED,
        problem_responses(*REFUSED),
    ),
)
def descriptor_schema(request: Request) -> Response:
    body = descriptor_schema_text().encode("utf-8")
    return tagged(request, body, MEDIA_TYPE, {"Cache-Control": MAX_AGE})
