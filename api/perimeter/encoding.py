"""Content coding: gzip when the client's `Accept-Encoding` asks for it, read as RFC 9110
12.5.3 says.

Starlette's `GZipMiddleware` looks for the substring `gzip` in the header: `gzip;q=0` (gzip
refused) got gzip, `GZIP` (tokens are case-insensitive) did not. Here the header is parsed
(tokens in any case, `q` weights, `*`, `x-gzip`) and the middleware is told the outcome: gzip
when its weight is above zero and not below identity's.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")


def weights(header: str) -> dict[str, float]:
    """Each coding the header names, lower-cased, with its weight; an element whose `q` is
    no qvalue is left out (what it meant cannot be told)."""
    found: dict[str, float] = {}
    for element in header.split(","):
        coding, *parameters = (part.strip() for part in element.split(";"))
        weight: float | None = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                text = value.strip()
                weight = float(text) if _QVALUE.fullmatch(text) else None
        if coding and weight is not None:
            found.setdefault(coding.lower(), weight)
    return found


def accepts_gzip(header: str) -> bool:
    """Whether a response may be gzip-encoded for this `Accept-Encoding` (and should be)."""
    given = weights(header)
    gzip = given.get("gzip", given.get("x-gzip", given.get("*", 0.0)))
    identity = given.get("identity", given.get("*", 0.0))
    return gzip > 0 and gzip >= identity


class ContentCoding(GZipMiddleware):
    """`GZipMiddleware` that reads `Accept-Encoding` by the RFC's rules."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            wanted = accepts_gzip(Headers(scope=scope).get("accept-encoding", ""))
            # The same scope (routing records its route in it, for `api.metrics`), with the
            # header told plainly; a new list, so that no other holder of the old one sees it.
            scope["headers"] = list(scope["headers"])
            MutableHeaders(scope=scope)["accept-encoding"] = "gzip" if wanted else "identity"
        await super().__call__(scope, receive, send)
