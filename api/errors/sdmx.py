"""SDMX-REST's errors on the wire: an SDMX-ML 2.1 `Error` message (`catalog.sdmx`), the one
format statistical tools read, for every answer under /sdmx that no SDMX route made."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

from catalog.sdmx import ERROR_TYPE, error_message

# The methods every SDMX path answers (HEAD is a GET without its body: `api.caching`).
SDMX_ALLOW = {"Allow": "GET, HEAD"}


def is_sdmx(path: str) -> bool:
    return path == "/sdmx" or path.startswith("/sdmx/")


def sdmx_error(
    status: int, code: int, text: str, headers: Mapping[str, str] | None = None
) -> Response:
    """An SDMX `Error` message of SDMX `code` with HTTP `status`; the text is made XML-safe
    by `catalog.sdmx.error_message`."""
    return Response(error_message(code, text), status, dict(headers or {}), media_type=ERROR_TYPE)
