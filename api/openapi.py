"""`/openapi.json` completed, and `/docs` served with no request leaving the server.

FastAPI's own `/docs` and `/redoc` load Swagger UI from a CDN; here the Swagger UI files come
from the `swagger-ui-bundle-v2` package and every URL in the page is relative, so the docs
work offline and behind a path prefix. The page has no inline script (its Content-Security-
Policy forbids it): Swagger UI is started by `static/docs.js`.

The spec is FastAPI's, then completed in one place: operation ids made unique (a route
serving GET and HEAD would repeat one), a description and an example for every operation,
examples for the common parameters, and the caching headers and `304` of /api/v1.
"""

from __future__ import annotations

import hashlib
import warnings
from http import HTTPStatus
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse

from api.caching import CURRENT_MAX_AGE, IMMUTABLE, PREFIX
from api.errors import PROBLEM_MEDIA_TYPE, Problem
from catalog.errors import NotFound
from web import STATIC

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="static/docs.js?v={init_version}"></script>
</body>
</html>
"""

SLUG = "minimum-wage-standards"
RESOURCE = "guizhou_standards"
VERSION = "20260101T090000Z-3f9a1c2b7e"
PARAMETER_EXAMPLES: dict[str, Any] = {
    "slug": SLUG,
    "resource": RESOURCE,
    "version": VERSION,
    "name": "package_search",
    "q": "最低工资",
    "fq": "organization:guizhou-hrss",
    "sort": "-year",
    "fields": "region_code,tier,monthly_wage",
    "limit": 100,
    "offset": 0,
    "page": 1,
    "since": "2026-01-01T00:00:00Z",
    "modified_since": "2026-01-01T00:00:00Z",
    "group_by": "year",
    "count": "*",
    "sum": "workers",
    "avg": "monthly_wage",
    "min": "monthly_wage",
    "max": "monthly_wage",
    "next": "eyJ2IjoiMjAyNjAxMDFUMDkwMDAwWiIsInMiOiJ5ZWFyIiwiayI6WyIyMDIxIl19",
    "bom": True,
}
EXTENSION_EXAMPLES = {"/api/v1/": "csv", "/catalog": "ttl", "/dataset/": "jsonld"}
DESCRIPTIONS = {
    "/healthz": "`ok` and the current version of every served dataset.",
    "/catalog.{extension}": "One page of the DCAT-AP 3 catalogue as Turtle (`ttl`), JSON-LD "
    "(`jsonld`) or RDF/XML (`rdf`), paged with hydra links.",
    "/dataset/{slug}.{extension}": "One dataset and its distributions as DCAT-AP 3.",
    "/api/v1/datasets/{slug}/schemaorg": "The schema.org/Dataset JSON-LD of a dataset, as "
    "embedded in its HTML page for search engines.",
    "/feeds/changes.atom": "Publishes, updates and withdrawals as an Atom feed, newest first.",
    "/api/v1/datasets/{slug}": "The published descriptor (Data Package v2 with our catalogue "
    "properties) of the current version: metadata, resources with their Table Schemas, "
    "sources, build provenance.",
    "/api/v1/datasets/{slug}/versions": "Every published version with its publish time and "
    "input digest; `current` marks the served one.",
    "/api/v1/datasets/{slug}/versions/{version}": "The published descriptor of one version; "
    "versions are immutable, so the answer may be cached for a year.",
    "/api/v1/datasets/{slug}/resources/{resource}/schema": "The Table Schema of a resource: "
    "fields with types, units, constraints and keys.",
    "/api/v1/datasets/{slug}/validation": "The Frictionless-format validation report of the "
    "served version (or of `version=`).",
}
JSON_EXAMPLES: dict[str, Any] = {
    "/healthz": {"status": "ok", "datasets": {SLUG: VERSION}},
    "/api/v1/datasets": {
        "count": 1,
        "limit": 20,
        "offset": 0,
        "results": [{"name": SLUG, "title": "贵州省最低工资标准", "version": VERSION}],
        "facets": {"theme": [{"name": "wages", "count": 1}]},
    },
    "/api/v1/datasets/{slug}": {"name": SLUG, "title": "贵州省最低工资标准", "version": VERSION},
    "/api/v1/datasets/{slug}/versions": {
        "dataset": SLUG,
        "current": VERSION,
        "versions": [{"version": VERSION, "published": "2026-01-01T09:00:00.000000Z"}],
    },
    "/api/v1/datasets/{slug}/versions/{version}": {"name": SLUG, "version": VERSION},
    "/api/v1/datasets/{slug}/resources/{resource}/schema": {
        "fields": [{"name": "region_code", "type": "string"}],
        "primaryKey": ["region_code"],
    },
    "/api/v1/datasets/{slug}/validation": {"valid": True, "stats": {"errors": 0}, "tasks": []},
    "/api/v1/datasets/{slug}/schemaorg": {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": "贵州省最低工资标准",
    },
    "/api/v1/changes": {"changes": [{"dataset": SLUG, "action": "publish", "version": VERSION}]},
    "/data.json": {"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": []},
    "/api/v1/datasets/{slug}/resources/{resource}/rows": {
        "dataset": SLUG,
        "resource": RESOURCE,
        "version": VERSION,
        "fields": [{"name": "region_code", "type": "string"}, {"name": "tier", "type": "integer"}],
        "total": 88,
        "total_exact": True,
        "next": None,
        "next_url": None,
        "rows": [{"region_code": "520100", "tier": 1}],
    },
    "/api/v1/datasets/{slug}/resources/{resource}/aggregate": {
        "dataset": SLUG,
        "resource": RESOURCE,
        "version": VERSION,
        "fields": [{"name": "tier", "type": "integer"}, {"name": "count", "type": "integer"}],
        "truncated": False,
        "rows": [{"tier": 1, "count": 30}],
    },
    "/api/v1/sql": {
        "fields": [{"name": "tier", "type": "integer", "sql_type": "BIGINT"}],
        "truncated": False,
        "row_cap": 10000,
        "rows": [{"tier": 1}],
    },
    "/api/3/action/{name}": {"help": "package_search", "success": True, "result": {"count": 1}},
    "/api/action/{name}": {"help": "package_list", "success": True, "result": [SLUG]},
}
TEXT_EXAMPLES = {
    "text/turtle": "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
    "<catalog> a dcat:Catalog ; dcat:dataset <dataset/minimum-wage-standards> .\n",
    "application/ld+json": {"@context": {"dcat": "http://www.w3.org/ns/dcat#"}, "@graph": []},
    "application/rdf+xml": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    "application/atom+xml": '<feed xmlns="http://www.w3.org/2005/Atom"><title>changes</title>'
    "</feed>",
}

# Routes answering RDF, JSON-LD or Atom by `Response`: FastAPI documents no body for them.
RDF_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml")
MEDIA_TYPES = {
    "/catalog": RDF_TYPES,
    "/catalog.{extension}": RDF_TYPES,
    "/dataset/{slug}.{extension}": RDF_TYPES,
    "/api/v1/datasets/{slug}/schemaorg": ("application/ld+json",),
    "/feeds/changes.atom": ("application/atom+xml",),
}
# Routes outside /api/v1 that answer `If-None-Match` with 304 (`api.routes.dcat._cached`).
CONDITIONAL = frozenset({*MEDIA_TYPES, "/data.json"})
NOT_MODIFIED = {"description": "Not Modified: the `If-None-Match` copy is still current."}
# JSON-LD documents are JSON objects; the other RDF and feed formats are text.
BODY_SCHEMAS: dict[str, dict[str, Any]] = {"application/ld+json": {"type": "object"}}

# The statuses an operation may answer besides the ones its route declares, by their cause:
# FastAPI's request validation is rendered as a 400 problem (`api.errors`), never its 422; a
# dataset, version or resource named in the path may be unknown (404) or withdrawn (410); a
# body may be over the size limit (413); rate limits and admission control answer 429 and 503
# with `Retry-After`. `/healthz` is never limited.
VALIDATION_STATUS = "400"
PATH_STATUSES = ("404", "410")
BODY_STATUSES = ("413",)
LOAD_STATUSES = ("429", "503")
UNLIMITED = frozenset({"/healthz"})
# The CKAN surfaces answer their own way (CKAN 2.12): the Action API a JSON envelope (or, for
# an unknown action or a malformed body, a bare JSON string) with CKAN's status for each
# `__type`; the DataStore dump plain text.
CKAN_ACTION_PATHS = ("/api/3/action/", "/api/action/")
CKAN_ERROR_STATUSES = ("400", "403", "404", "409")
DUMP_PATH = "/datastore/dump/"
DUMP_ERROR_STATUSES = ("400", "404", "409", "504")
DUMP_MEDIA_TYPES = ("text/csv", "text/tab-separated-values", "application/json", "text/xml")
CKAN_ENVELOPE: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "required": ["help", "success"],
            "properties": {
                "help": {"type": "string"},
                "success": {"type": "boolean"},
                "result": {},
                "error": {
                    "type": "object",
                    "required": ["__type"],
                    "properties": {"__type": {"type": "string"}},
                },
            },
        },
        {"type": "string", "description": "CKAN's bare answer: `Bad request: ...`."},
    ]
}


PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"


def problem_content() -> dict[str, Any]:
    """The OpenAPI `content` of a problem body (`complete` adds the `Problem` component)."""
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` documenting problem bodies for `statuses`.

    Not FastAPI's `model=`: that files the schema under `application/json`, a media type
    problems are never served as.
    """
    return {
        status: {"description": HTTPStatus(status).phrase, "content": problem_content()}
        for status in statuses
    }


def install_docs(app: FastAPI) -> None:
    """Serve `/docs` from the bundled Swagger UI and complete `/openapi.json`."""
    init = STATIC / "docs.js"
    version = hashlib.sha256(init.read_bytes()).hexdigest()[:12]
    html = DOCS_HTML.format(title=app.title, init_version=version)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(html)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise NotFound(f"no docs asset {name!r}")
        path = swagger_ui_bundle.swagger_ui_path / name
        return FileResponse(path, media_type=ASSETS[name], headers={"Cache-Control": IMMUTABLE})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(_generate(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _generate(app: FastAPI) -> dict[str, Any]:
    with warnings.catch_warnings():
        # Routes that answer GET and HEAD share an operation id; `complete` renames them.
        warnings.filterwarnings("ignore", message="Duplicate Operation ID")
        return get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    seen: set[str] = set()
    _problem_component(spec)
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            _unique_id(operation, method, seen)
            _statuses(path, method, operation)
            operation.setdefault(
                "description", DESCRIPTIONS.get(path) or operation.get("summary", "")
            )
            for parameter in operation.get("parameters", []):
                _parameter_example(path, parameter)
            _response_example(path, operation)
            if path.startswith(PREFIX) and method in ("get", "head"):
                _caching(operation)
            elif path in CONDITIONAL and method == "get":
                operation["responses"].setdefault("304", NOT_MODIFIED)
    return spec


def _problem_component(spec: dict[str, Any]) -> None:
    """The `Problem` schema every problem response refers to; FastAPI's 422 ones go."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _statuses(path: str, method: str, operation: dict[str, Any]) -> None:
    """Document every status the operation can answer (see `VALIDATION_STATUS` and after)."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    extra = [VALIDATION_STATUS]
    if "{" in path:
        extra += PATH_STATUSES
    if method in ("post", "put", "patch"):
        extra += BODY_STATUSES
    if path not in UNLIMITED:
        extra += LOAD_STATUSES
    if path.startswith(CKAN_ACTION_PATHS):
        _ckan_action(responses)
    elif path.startswith(DUMP_PATH):
        _dump(responses)
    for status in extra:
        response = responses.setdefault(status, {"description": HTTPStatus(int(status)).phrase})
        content = response.setdefault("content", {})
        content.setdefault(PROBLEM_MEDIA_TYPE, problem_content()[PROBLEM_MEDIA_TYPE])


def _ckan_action(responses: dict[str, Any]) -> None:
    """The CKAN envelope, with JSONP for a GET with `callback`; middleware answers problems."""
    ok = responses.setdefault("200", {"description": "OK"})
    ok.setdefault("content", {}).setdefault("application/json", {})["schema"] = CKAN_ENVELOPE
    ok["content"]["application/javascript"] = {
        "schema": {"type": "string", "description": "JSONP: `callback({...});`"}
    }
    for status in (*CKAN_ERROR_STATUSES, *PATH_STATUSES, *BODY_STATUSES, *LOAD_STATUSES):
        response = responses.setdefault(status, {"description": HTTPStatus(int(status)).phrase})
        response.setdefault("content", {})["application/json"] = {"schema": CKAN_ENVELOPE}


def _dump(responses: dict[str, Any]) -> None:
    ok = responses.setdefault("200", {"description": "OK"})
    content = ok.setdefault("content", {})
    for media_type in DUMP_MEDIA_TYPES:
        content.setdefault(media_type, {"schema": {"type": "string"}})
    for status in (*DUMP_ERROR_STATUSES, *PATH_STATUSES):
        response = responses.setdefault(status, {"description": HTTPStatus(int(status)).phrase})
        response.setdefault("content", {})["text/plain"] = {"schema": {"type": "string"}}


def _unique_id(operation: dict[str, Any], method: str, seen: set[str]) -> None:
    operation_id = str(operation.get("operationId", ""))
    if operation_id in seen:
        operation_id = f"{operation_id}_{method}"
        operation["operationId"] = operation_id
    seen.add(operation_id)


def _parameter_example(path: str, parameter: dict[str, Any]) -> None:
    schema = parameter.get("schema", {})
    if "example" in parameter or "examples" in parameter or "examples" in schema:
        return
    name = parameter.get("name", "")
    if name == "extension":
        found = next((v for k, v in EXTENSION_EXAMPLES.items() if path.startswith(k)), None)
        if found is not None:
            parameter["example"] = found
    elif name in PARAMETER_EXAMPLES:
        parameter["example"] = PARAMETER_EXAMPLES[name]


def _response_example(path: str, operation: dict[str, Any]) -> None:
    for status, response in operation.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        content = response.setdefault("content", {})
        if path in MEDIA_TYPES and set(content) <= {"application/json"}:
            # FastAPI's default for a `Response` route, which these routes never answer
            content.clear()
            for media_type in MEDIA_TYPES[path]:
                content[media_type] = {"schema": BODY_SCHEMAS.get(media_type, {"type": "string"})}
        if path in JSON_EXAMPLES and not content:
            content["application/json"] = {"schema": {"type": "object"}}
        for media_type, body in content.items():
            if "example" in body or "examples" in body:
                continue
            if media_type in TEXT_EXAMPLES:
                body["example"] = TEXT_EXAMPLES[media_type]
            elif "json" in media_type and path in JSON_EXAMPLES:
                body["example"] = JSON_EXAMPLES[path]
        return


def _caching(operation: dict[str, Any]) -> None:
    headers = {
        "ETag": {
            "description": "Strong validator of this response (version and query).",
            "schema": {"type": "string"},
            "example": '"9b2c6f0e4d1a8c7b5e3f2a1d0c9b8a7f6e5d4c3b"',
        },
        "Last-Modified": {
            "description": "Publish time of the version read.",
            "schema": {"type": "string"},
            "example": "Thu, 01 Jan 2026 09:00:00 GMT",
        },
        "Cache-Control": {
            "description": f"`{IMMUTABLE}` when the URL pins a version, else `{CURRENT_MAX_AGE}`.",
            "schema": {"type": "string"},
            "example": CURRENT_MAX_AGE,
        },
    }
    responses = operation.setdefault("responses", {})
    for status, response in responses.items():
        if str(status).startswith("2"):
            response.setdefault("headers", {}).update(headers)
    responses.setdefault(
        "304",
        {
            "description": "Not Modified: the `If-None-Match` or `If-Modified-Since` copy is "
            "still current.",
            "headers": headers,
        },
    )
