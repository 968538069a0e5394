"""Our errors (`catalog.errors`) on the wire: one module per format.

- `api.errors.problem`: RFC 9457 `application/problem+json`, for the REST API, the metadata
  routes and the pages' machine-readable answers; the app's exception handlers.
- `api.errors.ckan`: CKAN's Action API envelope and the DataStore dump's plain text.
- `api.errors.sdmx`: SDMX-ML `Error` messages, for every answer under /sdmx.
- `api.errors.refusal`: the perimeter's refusals, in whichever format the path speaks.
"""

from api.errors.ckan import (
    CKAN_ACTION,
    CKAN_JSON,
    Envelope,
    bad_request,
    ckan_json,
    dump_error,
    envelope,
    error_response,
    internal_error,
    too_large,
)
from api.errors.problem import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    error_problem,
    install_error_handlers,
    opendata_error,
    problem_response,
)
from api.errors.refusal import send_refusal
from api.errors.sdmx import SDMX_ALLOW, is_sdmx, sdmx_error

__all__ = [
    "CKAN_ACTION",
    "CKAN_JSON",
    "PROBLEM_MEDIA_TYPE",
    "SDMX_ALLOW",
    "Envelope",
    "Problem",
    "bad_request",
    "ckan_json",
    "dump_error",
    "envelope",
    "error_problem",
    "error_response",
    "install_error_handlers",
    "internal_error",
    "is_sdmx",
    "opendata_error",
    "problem_response",
    "sdmx_error",
    "send_refusal",
    "too_large",
]
