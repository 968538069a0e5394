"""`/docs`: FastAPI's Swagger UI page, served with no request leaving the server.

The page is FastAPI's own (`get_swagger_ui_html`) with the Swagger UI files of the
`swagger-ui-bundle-v2` package, and every URL in it relative, so the docs work offline and
behind a path prefix. FastAPI starts Swagger UI with an inline script, which the pages'
Content-Security-Policy forbids (`api.perimeter.security`): that script is served as a file
instead, `docs/assets/starter.js`, versioned by its hash.
"""

from __future__ import annotations

import functools
import hashlib
import re

import swagger_ui_bundle
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.caching import IMMUTABLE
from catalog.errors import NotFound

router = APIRouter(include_in_schema=False)

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
STARTER = "starter.js"
INLINE_SCRIPT = re.compile(r"<script>(?P<code>.*?)</script>", re.DOTALL)


@functools.cache
def page(title: str) -> tuple[str, str]:
    """The docs page for an API named `title`, and the script that starts Swagger UI in it."""
    response = get_swagger_ui_html(
        openapi_url="openapi.json",
        title=f"{title} — API",
        swagger_js_url="docs/assets/swagger-ui-bundle.js",
        swagger_css_url="docs/assets/swagger-ui.css",
        swagger_favicon_url="docs/assets/favicon-32x32.png",
        # No badge from validator.swagger.io: the page asks nothing of other hosts.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(response.body).decode()
    inline = INLINE_SCRIPT.search(html)
    if inline is None:
        raise RuntimeError("FastAPI's Swagger UI page no longer starts it with an inline script")
    starter = inline["code"]
    version = hashlib.sha256(starter.encode()).hexdigest()[:12]
    loader = f'<script src="docs/assets/{STARTER}?v={version}"></script>'
    return html[: inline.start()] + loader + html[inline.end() :], starter


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(page(request.app.title)[0])


@router.get("/docs/assets/{name}")
def docs_asset(name: str, request: Request) -> Response:
    if name == STARTER:
        starter = page(request.app.title)[1]
        headers = {"Cache-Control": IMMUTABLE}
        return Response(starter, media_type="text/javascript", headers=headers)
    if name not in ASSETS:
        raise NotFound(f"no docs asset {name!r}")
    path = swagger_ui_bundle.swagger_ui_path / name
    return FileResponse(path, media_type=ASSETS[name], headers={"Cache-Control": IMMUTABLE})
