"""The errors SDMX-REST answers with, each carrying its SDMX error code (SDMX-REST 1.x,
"Error handling"): the route writes them as an SDMX-ML 2.1 `Error` message.

    SdmxError            500, code 500  Internal Server Error
    ├── NoResults        404, code 100  No results found (an unknown structure too)
    ├── BadSyntax        400, code 140  Syntax error
    ├── Unsupported      501, code 501  Not implemented
    ├── TooLarge         413, code 510  Response size exceeds service limit
    ├── Unavailable      503, code 503  Service unavailable (a read past its time limit)
    └── NotAcceptable    406, code 1000 The standard has no code for an unacceptable format;
                                        1000 opens the range it leaves to services

They derive from the platform's root error, so anything that escapes the SDMX route is still
answered by the one handler. Messages are written for callers: never a path or engine text.
"""

from __future__ import annotations

from catalog.errors import OpenDataError


class SdmxError(OpenDataError):
    status = 500
    sdmx_code = 500
    title = "Internal Server Error"
    public = True


class NoResults(SdmxError):
    status = 404
    sdmx_code = 100
    title = "No results found"
    slug = "not-found"
    ckan_type = "Not Found Error"


class BadSyntax(SdmxError):
    status = 400
    sdmx_code = 140
    title = "Syntax error"
    slug = "bad-request"
    ckan_type = "Validation Error"


class Unsupported(SdmxError):
    status = 501
    sdmx_code = 501
    title = "Not implemented"
    slug = "not-implemented"


class TooLarge(SdmxError):
    status = 413
    sdmx_code = 510
    title = "Response size exceeds service limit"
    slug = "too-large"


class NotAcceptable(SdmxError):
    status = 406
    sdmx_code = 1000
    title = "Not acceptable"
    slug = "not-acceptable"


class Unavailable(SdmxError):
    status = 503
    sdmx_code = 503
    title = "Service unavailable"
    slug = "unavailable"
    retry_after = 5
