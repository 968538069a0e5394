"""Security headers on every response, errors and refusals included.

Every answer says `nosniff` (a JSON or CSV body is never run as a script or page), a
referrer policy that sends no path to other sites, and that it may not be framed. HTML pages
get a Content-Security-Policy that allows scripts, styles, images and connections from this
origin only, with no inline script or style (the pages and `/docs` load theirs from files),
so stored or reflected markup cannot run. `<script type="application/ld+json">` is data, not
script, and needs no allowance. Anything else gets a policy that lets it load nothing at all,
for the browser that opens an API answer as a page.

A header a route set itself is kept. A redirect (the router's trailing-slash one builds its
`Location` from the request's `Host`, which any client sets) points into the configured
base URL instead, never to the host a client named.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Pure ASGI: add the security headers to the start of every HTTP response."""

    def __init__(self, app: ASGIApp, base_url: str = "") -> None:
        self.app = app
        self.base_url = base_url.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("Content-Security-Policy", PAGE_POLICY if html else DATA_POLICY)
                if "location" in headers and self.base_url:
                    headers["location"] = self._within_base(headers["location"])
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _within_base(self, location: str) -> str:
        """`location` on the configured base URL: its path and query, our origin."""
        parts = urlsplit(location)
        if not parts.netloc or location.startswith(self.base_url + "/"):
            return location
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.base_url}{parts.path}{query}"
