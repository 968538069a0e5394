"""Who is asking: the one rule for the client address of rate limits and the audit log."""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.types import Scope


def client_address(scope: Scope, trust_forwarded: bool) -> str:
    """Who is asking: the peer, or the address the trusted proxy saw; IPv6 by its /64."""
    address = ""
    if trust_forwarded:
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                # The proxy appends the address it saw; earlier entries are the client's word.
                address = value.decode("latin-1").rsplit(",", 1)[-1].strip()
    if not address:
        client = scope.get("client")
        address = client[0] if client else ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def request_client(request: Request) -> str:
    """`client_address` of a request, trusting a proxy's header as the settings say."""
    trusted: bool = request.app.state.settings.trust_forwarded_headers
    return client_address(request.scope, trusted)
