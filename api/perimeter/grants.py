"""Each request as its reader (`catalog.state.Reader`): the token it presents, checked only
when a conditional dataset's data is asked for, and an answer about one made private.

The token comes in the API token header (`Authorization` by default; `Bearer odt_…` or the
bare token, as CKAN clients send it) or CKAN's older `X-CKAN-API-Key`. A refusal is recorded
in the audit log (action `read data`, the token's id, `anonymous` or `invalid`, never the
secret), tallied per client and hour (`AuditLog.refusal`). Any answer about a conditional
dataset, the data granted or the 403 refusing it, is `Cache-Control: private, no-store` with
`Vary: Authorization`: no shared cache keeps it, and no cache answers one client with what
another was granted.
"""

from __future__ import annotations

from functools import partial

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.perimeter.clients import client_address
from catalog.state import READ_ACTION, AuditLog, Reader, TokenStore, reading_as

PRIVATE = "private, no-store"
CKAN_KEY_HEADER = "x-ckan-api-key"


class ReadGrants:
    """Runs every request as its `Reader`, and keeps answers about conditional data private."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: TokenStore,
        audit: AuditLog,
        token_header: str,
        trust_forwarded: bool,
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.audit = audit
        self.token_header = token_header.lower()
        self.trust_forwarded = trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        presented = headers.get(self.token_header, "") or headers.get(CKAN_KEY_HEADER, "")
        client = client_address(scope, self.trust_forwarded)
        reader = Reader(presented.strip(), self.tokens.check, partial(self._refused, client=client))
        with reading_as(reader):
            await self.app(scope, receive, partial(_private_when_touched, send, reader))

    def _refused(self, token: str, dataset: str, detail: str, *, client: str) -> None:
        # Tallied: an anonymous client repeating a refused read must not grow the log a row
        # at a time (the first of each hour is written at once, the rest as one count).
        self.audit.refusal(
            token=token, action=READ_ACTION, dataset=dataset, detail=detail, client=client
        )


async def _private_when_touched(send: Send, reader: Reader, message: Message) -> None:
    if message["type"] == "http.response.start" and reader.touched:
        headers = MutableHeaders(scope=message)
        headers["Cache-Control"] = PRIVATE
        headers.add_vary_header("Authorization")
    await send(message)
