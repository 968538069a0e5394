"""Sessions of the review page: a reviewer logs in with a token holding `review-requests`
(or `admin`) and gets a cookie; the session lives in the state database.

The cookie's value is 32 random bytes; only its SHA-256 is kept, beside the token's id and a
CSRF secret the review forms carry. Each use looks at the token again: a session ends the
moment its token is revoked, expires or loses the scope, and at its own expiry or logout.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from catalog.state.requests.store import digest
from catalog.state.schema import review_sessions, tokens
from catalog.state.tokens import ApiToken, _token, stamp

SESSION_HOURS = 8


@dataclass(frozen=True)
class ReviewSession:
    """A live session: the reviewer's token and the CSRF secret of its forms."""

    token: ApiToken
    csrf: str


class ReviewSessions:
    """Start, check and end review sessions."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))

    def start(self, token: ApiToken) -> str:
        """A session for a reviewer's token (checked by the caller); the cookie's value."""
        if not token.may_review():
            raise ValueError("the token may not review requests")
        value, now = secrets.token_urlsafe(32), self.clock()
        row = {
            "id_sha256": digest(value),
            "token_id": token.id,
            "csrf": secrets.token_urlsafe(32),
            "created": stamp(now),
            "expires": stamp(now + timedelta(hours=SESSION_HOURS)),
        }
        with self.engine.begin() as connection:
            connection.execute(
                delete(review_sessions).where(review_sessions.c.expires < stamp(now))
            )
            connection.execute(insert(review_sessions).values(**row))
        return value

    def check(self, value: str) -> ReviewSession | None:
        """The live session of a cookie's value, its token still a reviewer's; else None."""
        if not value or len(value) > 100:
            return None
        now = self.clock()
        joined = select(
            review_sessions.c.csrf, review_sessions.c.expires.label("until"), tokens
        ).join(tokens, tokens.c.id == review_sessions.c.token_id)
        with self.engine.connect() as connection:
            row = connection.execute(
                joined.where(review_sessions.c.id_sha256 == digest(value))
            ).first()
        if row is None or stamp(now) >= row.until:
            return None
        token = _token(row._mapping)
        if token.state(now) != "active" or not token.may_review():
            return None
        return ReviewSession(token, row.csrf)

    def end(self, value: str) -> None:
        """Log out: the session is gone."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(review_sessions).where(review_sessions.c.id_sha256 == digest(value))
            )
