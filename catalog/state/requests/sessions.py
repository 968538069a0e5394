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

from catalog.state.database import Database
from catalog.state.requests.store import digest
from catalog.state.tokens import COLUMNS, ApiToken, _token, stamp

SESSION_HOURS = 8


@dataclass(frozen=True)
class ReviewSession:
    """A live session: the reviewer's token and the CSRF secret of its forms."""

    token: ApiToken
    csrf: str


class ReviewSessions:
    """Start, check and end review sessions."""

    def __init__(self, database: Database, clock: Callable[[], datetime] | None = None) -> None:
        self.database = database
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
        with self.database.begin() as connection:
            connection.execute(
                "DELETE FROM review_sessions WHERE expires < :now", {"now": stamp(now)}
            )
            connection.execute(
                "INSERT INTO review_sessions (id_sha256, token_id, csrf, created, expires)"
                " VALUES (:id_sha256, :token_id, :csrf, :created, :expires)",
                row,
            )
        return value

    def check(self, value: str) -> ReviewSession | None:
        """The live session of a cookie's value, its token still a reviewer's; else None."""
        if not value or len(value) > 100:
            return None
        now = self.clock()
        columns = ", ".join(f"tokens.{name}" for name in COLUMNS.split(", "))
        joined = (
            f"SELECT review_sessions.csrf AS csrf, review_sessions.expires AS until, {columns}"
            " FROM review_sessions JOIN tokens ON tokens.id = review_sessions.token_id"
            " WHERE review_sessions.id_sha256 = :digest"
        )
        with self.database.connect() as connection:
            row = connection.execute(joined, {"digest": digest(value)}).first()
        if row is None or stamp(now) >= row["until"]:
            return None
        token = _token(row)
        if token.state(now) != "active" or not token.may_review():
            return None
        return ReviewSession(token, row["csrf"])

    def end(self, value: str) -> None:
        """Log out: the session is gone."""
        with self.database.begin() as connection:
            connection.execute(
                "DELETE FROM review_sessions WHERE id_sha256 = :digest", {"digest": digest(value)}
            )
