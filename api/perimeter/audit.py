"""Write attempts refused at the perimeter, before the CKAN write route could audit them."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from api.perimeter.clients import request_client
from catalog.ckan import WRITE_ACTIONS
from catalog.state import ANONYMOUS, AuditLog

ACTION_PREFIXES = ("/api/3/action/", "/api/action/")


async def audit_refusal(request: Request, detail: str) -> None:
    """Record a write attempt refused before its route ran (a body over the perimeter's size
    limit), for the middleware that refused it. Requests to anything but a write action are
    not recorded; the token is not checked (`unchecked`), the refusal does not depend on it."""
    path = request.url.path
    prefix = next((p for p in ACTION_PREFIXES if path.startswith(p)), None)
    if prefix is None or path[len(prefix) :] not in WRITE_ACTIONS:
        return
    presented = request.headers.get(request.app.state.token_header, "")
    audit: AuditLog = request.app.state.audit
    await run_in_threadpool(
        audit.record,
        token="unchecked" if presented else ANONYMOUS,
        action=path[len(prefix) :],
        outcome="refused",
        detail=detail,
        client=request_client(request),
    )
