"""The tables of the platform's state, as SQLAlchemy Core sees them.

The migrations (`migrations/versions/`) create exactly these; `tests/state` checks that a
database migrated from empty matches them. Times are ISO 8601 UTC text (`…Z`), one fixed
width per column, so that text order is time order on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Integer, MetaData, String, Table, Text

metadata = MetaData()

# `BigInteger` on PostgreSQL; SQLite makes an autoincrementing key only of INTEGER.
SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")

tokens = Table(
    "tokens",
    metadata,
    Column("id", String(12), primary_key=True),  # public: the `<id>` of odt_<id>_<secret>
    Column("name", String(200), nullable=False),
    Column("salt", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),  # sha256(salt || secret), hex
    Column("scopes", Text, nullable=False),  # space-separated, e.g. "publish:org read-dataset:x"
    Column("created", String(27), nullable=False),
    Column("expires", String(20)),
    Column("last_used", String(20)),
    Column("revoked", String(20)),
    Column("imported", Boolean, nullable=False, default=False),  # from the legacy token file
)

audit = Table(
    "audit",
    metadata,
    Column("seq", SEQUENCE, primary_key=True, autoincrement=True),  # append order
    Column("time", String(27), nullable=False, index=True),
    Column("token", String(300), nullable=False),
    Column("action", String(300), nullable=False),
    Column("dataset", String(300), nullable=False),
    Column("outcome", String(8), nullable=False),
    Column("detail", String(300), nullable=False),
    Column("client", String(300), nullable=False),
)

# One row per legacy file taken into the database, so that none is taken twice.
imports = Table(
    "imports",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("time", String(20), nullable=False),
    Column("detail", Text, nullable=False),
)

# Data requests (依申请, `catalog.state.requests`). The receipt code is the applicant's
# capability: only its SHA-256 is kept. `pending_token` holds an approval's token until the
# applicant's first look at the receipt page, then is cleared.
requests = Table(
    "requests",
    metadata,
    Column("id", String(12), primary_key=True),  # public: what reviewers and the log name
    Column("receipt_sha256", String(64), nullable=False, unique=True),
    Column("dataset", String(200), nullable=False),
    Column("name", String(100), nullable=False),
    Column("organization", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("fields", Text, nullable=False),  # a JSON list of field names
    Column("period_start", String(7), nullable=False),
    Column("period_end", String(7), nullable=False),
    Column("agreed", Boolean, nullable=False),
    Column("state", String(9), nullable=False),  # received, approved, denied, withdrawn
    Column("received_at", String(27), nullable=False, index=True),
    Column("due_at", String(20), nullable=False),
    Column("decided_at", String(27)),
    Column("reviewer", String(300)),  # a token id, or cli:<user>
    Column("denial_ground", String(40)),
    Column("denial_note", Text),
    Column("token_id", String(12)),
    Column("token_expires", String(20)),
    Column("pending_token", Text),
    Column("client_sha256", String(64), nullable=False),  # for the daily limit per client
    # The deadline extended once (migration 0005): when, by how many working days, why.
    Column("extended_at", String(27)),
    Column("extended_days", Integer),
    Column("extension_note", Text),
)

# Sessions of the review page: only the SHA-256 of the cookie's value is kept.
review_sessions = Table(
    "review_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("token_id", String(12), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created", String(20), nullable=False),
    Column("expires", String(20), nullable=False),
)

# The platform's use (`catalog.state.usage`): one row per day (China time, YYYY-MM-DD),
# dataset (a slug, or `*` for what concerns no one dataset), kind and channel. No address,
# token or user agent: servers count in memory and add their counts here (an upsert).
usage_daily = Table(
    "usage_daily",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("dataset", String(200), primary_key=True),
    Column("kind", String(12), primary_key=True),
    Column("channel", String(8), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

# Rate limits shared by replicas (`catalog.state.rates`): what each server let a client do in
# one short window, added up by upsert; rows live for a minute. The client is its address as
# the rate limits key it (an IPv6 /64), kept no longer than that.
rate_windows = Table(
    "rate_windows",
    metadata,
    Column("kind", String(12), primary_key=True),
    Column("client", String(64), primary_key=True),
    Column("window", BigInteger, primary_key=True, index=True),
    Column("count", BigInteger, nullable=False),
)
