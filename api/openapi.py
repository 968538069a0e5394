"""What the routes' OpenAPI declarations share, and the one step no route can take.

Each route declares its own summary, description, parameter examples and responses with
FastAPI's `summary=`, `description=`, `openapi_examples=` and `responses=`. The pieces they
share live here: example values of our identifiers, path parameters with examples, problem
responses, the statuses every route may answer by their cause, and the caching headers.

What cannot be declared on a route is done once, in `install_openapi`: the `Problem`
component that every problem response refers to (a `responses=` entry with `model=` would
file it under `application/json`, a media type problems are never served as), and FastAPI's
422 answer and its schemas removed, since a request FastAPI refuses is answered as a 400
problem (`api.errors.problem.request_invalid`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import FastAPI, Path
from fastapi.openapi.models import Example
from fastapi.openapi.utils import get_openapi

from api.caching import CURRENT_MAX_AGE, IMMUTABLE
from api.errors import PROBLEM_MEDIA_TYPE, Problem

# FastAPI's own types, named: one entry of a route's `responses=` (an OpenAPI Response
# Object, with FastAPI's `model` key) and the OpenAPI document `FastAPI.openapi` returns.
# Both are JSON of OpenAPI's many shapes, which FastAPI types as `dict[str, Any]`.
ResponseObject = dict[str, Any]
Responses = dict[int | str, ResponseObject]
OpenAPIDocument = dict[str, Any]
# `{media type: {"schema": ...}}`, the `content` of a response.
Content = dict[str, dict[str, dict[str, str]]]

SLUG = "minimum-wage-standards"
RESOURCE = "guizhou_standards"
VERSION = "20260101T090000Z-3f9a1c2b7e"
TIME = "2026-01-01T00:00:00Z"

# The statuses a route may answer besides its own, by their cause: FastAPI's validation of a
# parameter or body is answered 400 (never its 422); rate limits and admission control answer
# 429 and 503 with `Retry-After` (every route but the probes); a dataset, version or resource
# named in the path may be unknown (404) or withdrawn (410); a body may be over its size
# limit (413).
REFUSED = (400, 429, 503)
UNKNOWN = (404, 410)
TOO_LARGE = 413


def example(value: Any) -> dict[str, Example]:
    """`openapi_examples` of a parameter: one example, `value`."""
    return {"example": Example(value=value)}


Slug = Annotated[str, Path(openapi_examples=example(SLUG))]
Resource = Annotated[str, Path(openapi_examples=example(RESOURCE))]
PinnedVersion = Annotated[str, Path(openapi_examples=example(VERSION))]


def problem_content() -> Content:
    """The `content` of a problem body; `install_openapi` adds the `Problem` component."""
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*statuses: int) -> Responses:
    """Problem bodies for `statuses`, each described by its reason phrase."""
    return {
        status: {"description": HTTPStatus(status).phrase, "content": problem_content()}
        for status in statuses
    }


def json_example(body: Any, status: int = 200) -> Responses:
    """An example of a JSON answer."""
    return {status: {"content": {"application/json": {"example": body}}}}


def bodies(examples: Mapping[str, Any], schemas: Mapping[str, Any] | None = None) -> Responses:
    """The 200 of a route answering by `Response` (FastAPI documents no body for it): an
    example per media type, with its schema (`{"type": "string"}` unless given)."""
    content = {
        media_type: {"schema": (schemas or {}).get(media_type, TEXT), "example": value}
        for media_type, value in examples.items()
    }
    return {200: {"content": content}}


TEXT = {"type": "string"}
BINARY = {"type": "string", "format": "binary"}

CACHE_HEADERS = {
    "ETag": {
        "description": "Strong validator of this response (version and query).",
        "schema": TEXT,
        "example": '"9b2c6f0e4d1a8c7b5e3f2a1d0c9b8a7f6e5d4c3b"',
    },
    "Last-Modified": {
        "description": "Publish time of the version read.",
        "schema": TEXT,
        "example": "Thu, 01 Jan 2026 09:00:00 GMT",
    },
    "Cache-Control": {
        "description": f"`{IMMUTABLE}` when the URL pins a version, else `{CURRENT_MAX_AGE}`.",
        "schema": TEXT,
        "example": CURRENT_MAX_AGE,
    },
}


def cached(*statuses: int) -> Responses:
    """/api/v1 (`api.caching`): validators on the `statuses` answers, and 304."""
    not_modified = {
        "description": "Not Modified: the `If-None-Match` or `If-Modified-Since` copy is "
        "still current.",
        "headers": CACHE_HEADERS,
    }
    return {**{status: {"headers": CACHE_HEADERS} for status in statuses}, 304: not_modified}


# The metadata documents outside /api/v1 carry only an ETag (`api.routes.documents.tagged`).
TAGGED: Responses = {
    304: {"description": "Not Modified: the `If-None-Match` copy is still current."},
    412: {"description": "Precondition Failed: `If-Match` names another version of it."},
}


def responses(*parts: Responses) -> Responses:
    """`parts` merged, status by status and media type by media type; copied, since FastAPI
    fills in the dictionaries it is given."""
    merged: Responses = {}
    for part in parts:
        for status, response in part.items():
            _merge(merged.setdefault(status, {}), response)
    return merged


def _merge(into: ResponseObject, update: Mapping[str, object]) -> None:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def install_openapi(app: FastAPI) -> None:
    """`/openapi.json` as the routes declare it, with what no route can declare."""

    def openapi() -> OpenAPIDocument:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = _finish(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _finish(spec: OpenAPIDocument) -> OpenAPIDocument:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    return spec
