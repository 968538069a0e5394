"""API tokens: made by the steward with scopes and an expiry, stored hashed, revocable.

A token reads `odt_<id>_<secret>`: `id` names its row, `secret` is 32 random bytes (urlsafe
base64). The id is public and never changes: `opendata token list` shows it, and the audit
log names the token of each write by it. Only `sha256(salt || secret)` is kept, with a
random salt per token, compared in constant time; a 256-bit secret cannot be guessed, so a
slow hash would add nothing but latency. The token itself is shown once, when made.

A token checks while it is neither revoked nor past `expires`; each check notes its last use.
Its `scopes` (`catalog.state.scopes`) say what it may do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.errors import NotFound
from catalog.state.database import Connection, Database, IntegrityError
from catalog.state.scopes import Scope, may_publish, may_read, may_review, parse_scopes

PREFIX = "odt_"
ID_BYTES = 6
MAX_NAME_CHARS = 200
COLUMNS = "id, name, salt, sha256, scopes, created, expires, last_used, revoked, imported"
INSERT = (
    f"INSERT INTO tokens ({COLUMNS}) VALUES (:id, :name, :salt, :sha256, :scopes, :created,"
    " :expires, :last_used, :revoked, :imported)"
)


def stamp(moment: datetime) -> str:
    """A token's times as stored and shown: UTC to the second, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def creation_stamp(moment: datetime) -> str:
    """When a token was made, to the microsecond: tokens are listed in the order made."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ApiToken:
    """One token's record; never the token itself."""

    id: str
    name: str
    salt: str
    sha256: str
    scopes: tuple[Scope, ...]
    created: str
    expires: str | None = None
    last_used: str | None = None
    revoked: str | None = None
    imported: bool = False

    def state(self, now: datetime) -> str:
        """`active`, `expired` or `revoked`, at `now`."""
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and stamp(now) >= self.expires:
            return "expired"
        return "active"

    def may_publish(self, organization: str | None) -> bool:
        """Whether it may write datasets of `organization` (`publish:<org>` or `admin`)."""
        return may_publish(self.scopes, organization)

    def may_read(self, slug: str) -> bool:
        """Whether it may read the data of dataset `slug` (`read-dataset:<slug>` or `admin`)."""
        return may_read(self.scopes, slug)

    def may_review(self) -> bool:
        """Whether it may review data requests (`review-requests` or `admin`)."""
        return may_review(self.scopes)


class TokenStore:
    """The tokens table: create, list, revoke and check tokens."""

    def __init__(self, database: Database, clock: Callable[[], datetime] | None = None) -> None:
        self.database = database
        self.clock = clock or (lambda: datetime.now(UTC))

    def create(
        self, name: str, scopes: list[str], expires_in: timedelta | None = None
    ) -> tuple[ApiToken, str]:
        """A new token: its record and the token, which is shown only now.

        ValueError (a `ScopeError` for scopes) when the name or a scope is not right."""
        if not name.strip() or len(name.strip()) > MAX_NAME_CHARS:
            raise ValueError(f"a token needs a name of 1 to {MAX_NAME_CHARS} characters")
        granted = parse_scopes(scopes)
        now = self.clock()
        secret, salt = secrets.token_urlsafe(32), secrets.token_hex(16)
        expires = stamp(now + expires_in) if expires_in is not None else None
        while True:  # a clash of random ids is all but impossible; a new id if it happens
            record = ApiToken(
                secrets.token_hex(ID_BYTES), name.strip(), salt, _digest(salt, secret),
                granted, creation_stamp(now), expires,
            )  # fmt: skip
            try:
                self.add(record)
            except IntegrityError:
                continue
            return record, f"{PREFIX}{record.id}_{secret}"

    def add(self, record: ApiToken) -> None:
        """Store a record as it is (the import of the legacy token file keeps its times)."""
        with self.database.begin() as connection:
            connection.execute(INSERT, _row(record))

    def all(self) -> list[ApiToken]:
        """Every token made, revoked and expired ones included, oldest first."""
        with self.database.connect() as connection:
            rows = connection.execute(f"SELECT {COLUMNS} FROM tokens ORDER BY created, id").rows
        return [_token(row) for row in rows]

    def revoke(self, name_or_id: str) -> list[ApiToken]:
        """Revoke the unrevoked tokens with this id or name; NotFound when there is none."""
        now = stamp(self.clock())
        with self.database.begin() as connection:
            rows = connection.execute(
                "UPDATE tokens SET revoked = :now"
                " WHERE (id = :named OR name = :named) AND revoked IS NULL"
                f" RETURNING {COLUMNS}",
                {"now": now, "named": name_or_id},
            ).rows
        if not rows:
            raise NotFound(f"no active token named or numbered {name_or_id!r}")
        return sorted((_token(row) for row in rows), key=lambda t: (t.created, t.id))

    def check(self, presented: str, *, note_use: bool = True) -> ApiToken | None:
        """The active token `presented` is (`Bearer ` allowed), noting its use unless told
        not to (a caller that may still refuse it notes it with `note_use`); else None."""
        text = presented.strip()
        if text[:7].lower() == "bearer ":
            text = text[7:].strip()
        ident, _, secret = text.removeprefix(PREFIX).partition("_")
        if not text.startswith(PREFIX) or len(ident) != 2 * ID_BYTES or not secret:
            return None
        now = self.clock()
        with self.database.begin() as connection:
            row = connection.execute(
                f"SELECT {COLUMNS} FROM tokens WHERE id = :id", {"id": ident}
            ).first()
            if row is None:
                return None
            found = _token(row)
            good = hmac.compare_digest(found.sha256, _digest(found.salt, secret))
            if not good or found.state(now) != "active":
                return None
            if note_use:
                _note_use(connection, ident, stamp(now))
        return found

    def note_use(self, ident: str) -> None:
        """Record a granted use of token `ident` (its `last_used`)."""
        now = stamp(self.clock())
        with self.database.begin() as connection:
            _note_use(connection, ident, now)


def _note_use(connection: Connection, ident: str, now: str) -> None:
    connection.execute(
        "UPDATE tokens SET last_used = :now WHERE id = :id", {"now": now, "id": ident}
    )


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _row(record: ApiToken) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "salt": record.salt,
        "sha256": record.sha256,
        "scopes": " ".join(str(scope) for scope in record.scopes),
        "created": record.created,
        "expires": record.expires,
        "last_used": record.last_used,
        "revoked": record.revoked,
        "imported": record.imported,
    }


def _token(row: Mapping[str, Any]) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        salt=row["salt"],
        sha256=row["sha256"],
        scopes=parse_scopes(row["scopes"]),
        created=row["created"],
        expires=row["expires"],
        last_used=row["last_used"],
        revoked=row["revoked"],
        imported=bool(row["imported"]),
    )
