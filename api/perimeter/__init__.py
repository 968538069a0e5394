"""The HTTP perimeter: what reaches a route at all, and what every answer carries.

- `limits`: request size and pace (`RequestLimits`), outside everything else;
- `admission`: per-client rate limits and bounded running slots (`Admission`);
- `rates`: the rate limits' token buckets, in step across replicas (`SharedRates`);
- `clients`: who is asking (the one rule for the client address);
- `grants`: who reads a conditional dataset's data; answers about one kept private (`ReadGrants`);
- `audit`: write attempts refused here, recorded as the write route records the rest;
- `security`: the security headers of every answer (`SecurityHeaders`);
- `encoding`: gzip when `Accept-Encoding` asks for it, by the RFC's rules (`ContentCoding`);
- `quiet`: a failure that repeats logged once per interval, with a count (`QuietLog`).
"""

from api.perimeter.admission import Admission
from api.perimeter.audit import audit_refusal
from api.perimeter.clients import client_address, request_client
from api.perimeter.encoding import ContentCoding, accepts_gzip
from api.perimeter.grants import ReadGrants
from api.perimeter.limits import RequestLimits, body_limit
from api.perimeter.quiet import QuietLog
from api.perimeter.rates import SharedRates
from api.perimeter.security import DATA_POLICY, PAGE_POLICY, SecurityHeaders

__all__ = [
    "DATA_POLICY",
    "PAGE_POLICY",
    "Admission",
    "ContentCoding",
    "QuietLog",
    "ReadGrants",
    "RequestLimits",
    "SecurityHeaders",
    "SharedRates",
    "accepts_gzip",
    "audit_refusal",
    "body_limit",
    "client_address",
    "request_client",
]
