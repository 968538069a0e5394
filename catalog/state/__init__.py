"""The platform's own state in a database: API tokens with scopes, and the audit log.

SQLite at `<state>/opendata.sqlite` by default (no server to run), PostgreSQL when
`OPENDATA_DATABASE_URL` names one; one schema, brought up to date by the Alembic migrations
shipped here (`catalog/state/migrations/`) whenever the state is opened.

database   connections over the DB-API (sqlite3: WAL, busy timeout, IMMEDIATE transactions;
           psycopg for PostgreSQL), pooled; queries as SQL text; the drivers' errors translated
migrate    the migrations (Alembic on SQLAlchemy, loaded only to migrate), run under a lock;
           `opendata db upgrade`; a server's in a child
child      `python -m catalog.state.child`: that child process
schema     the tables, as SQLAlchemy Core sees them (the migrations' and their test's)
scopes     what a token may do: read-dataset:<slug>, publish:<org>, review-requests, admin
tokens     tokens made, listed, revoked and checked; hashed at rest
audit      the append-only audit log
grants     who may read a conditional dataset's data in this request (`require_data`)
legacy     the token file and the JSON Lines audit log of before, imported once
requests   data requests (依申请): applications, deadlines, decisions, review sessions, figures
usage      the platform's use counted per day, dataset, kind and channel; added up by upsert
rates      the replicas' rate-limit counts per short window, added up by upsert

`open_state` is what the server and each command call: it migrates, imports the legacy
files, and hands back the `State`.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.state.audit import (
    ANONYMOUS,
    INVALID,
    LOCAL,
    OUTCOMES,
    AuditEntry,
    AuditLog,
    Outcome,
    cli_token,
    outcome_of,
    parse_time,
)
from catalog.state.database import (
    DATABASE_FILE,
    Connection,
    Database,
    DatabaseAway,
    DatabaseError,
    DatabaseUrl,
    DatabaseUrlError,
    IntegrityError,
    check_database,
    database_unavailable,
    database_url,
    sqlite_url,
)
from catalog.state.grants import (
    CONDITIONAL,
    READ_ACTION,
    Levels,
    Published,
    Reader,
    current_reader,
    data_level,
    may_read_data,
    reading_as,
    require_data,
    stricter,
)
from catalog.state.legacy import (
    IMPORTED_SUFFIX,
    LegacyFileError,
    LegacyFiles,
    adopt_legacy_tokens,
    import_legacy,
)
from catalog.state.migrate import current, head, upgrade, upgrade_apart
from catalog.state.rates import (
    KEEP_WINDOWS,
    MAX_CLIENT,
    RATE_WINDOW_SECONDS,
    RateWindows,
    WindowKey,
)
from catalog.state.requests import (
    CHINA,
    GROUNDS,
    KNOWN_FIELDS,
    MAX_WORKING_DAYS,
    STATES,
    STATUTORY_WORKING_DAYS,
    Application,
    DataRequest,
    Ground,
    InvalidApplication,
    Limits,
    RequestFigures,
    RequestStore,
    ReviewSession,
    ReviewSessions,
    read_application,
    reply_due,
    request_figures,
    same_contact,
    working_days_between,
)
from catalog.state.scopes import ADMIN, SCOPE_HELP, Scope, ScopeError, parse_duration, parse_scope
from catalog.state.tokens import PREFIX, ApiToken, TokenStore
from catalog.state.usage import (
    MAX_KEYS,
    OTHER,
    USAGE_CHANNELS,
    USAGE_KINDS,
    UsageCounter,
    UsageKey,
    UsageLog,
    usage_day,
)


@dataclass(frozen=True)
class State:
    """The state database opened: its tokens and audit log over one pool of connections."""

    database: Database
    tokens: TokenStore
    audit: AuditLog

    def close(self) -> None:
        """Write the audit log's tallied refusals, then close the pooled connections."""
        try:
            self.audit.flush()
        finally:
            self.database.dispose()


def open_state(url: str, legacy: LegacyFiles | None = None) -> State:
    """The state in the database at `url`, migrated to the newest schema, with the legacy
    files (if any, and never taken before) imported."""
    database = Database.open(url)
    try:
        upgrade(database)
        import_legacy(database, legacy or LegacyFiles())
    except BaseException:
        database.dispose()
        raise
    return State(database, TokenStore(database), AuditLog(database))


__all__ = [
    "ADMIN",
    "ANONYMOUS",
    "CHINA",
    "CONDITIONAL",
    "DATABASE_FILE",
    "GROUNDS",
    "IMPORTED_SUFFIX",
    "INVALID",
    "KEEP_WINDOWS",
    "KNOWN_FIELDS",
    "LOCAL",
    "MAX_CLIENT",
    "MAX_KEYS",
    "MAX_WORKING_DAYS",
    "OTHER",
    "OUTCOMES",
    "PREFIX",
    "RATE_WINDOW_SECONDS",
    "READ_ACTION",
    "SCOPE_HELP",
    "STATES",
    "STATUTORY_WORKING_DAYS",
    "USAGE_CHANNELS",
    "USAGE_KINDS",
    "ApiToken",
    "Application",
    "AuditEntry",
    "AuditLog",
    "Connection",
    "DataRequest",
    "Database",
    "DatabaseAway",
    "DatabaseError",
    "DatabaseUrl",
    "DatabaseUrlError",
    "Ground",
    "IntegrityError",
    "InvalidApplication",
    "LegacyFileError",
    "LegacyFiles",
    "Levels",
    "Limits",
    "Outcome",
    "Published",
    "RateWindows",
    "Reader",
    "RequestFigures",
    "RequestStore",
    "ReviewSession",
    "ReviewSessions",
    "Scope",
    "ScopeError",
    "State",
    "TokenStore",
    "UsageCounter",
    "UsageKey",
    "UsageLog",
    "WindowKey",
    "adopt_legacy_tokens",
    "check_database",
    "cli_token",
    "current",
    "current_reader",
    "data_level",
    "database_unavailable",
    "database_url",
    "head",
    "import_legacy",
    "may_read_data",
    "open_state",
    "outcome_of",
    "parse_duration",
    "parse_scope",
    "parse_time",
    "read_application",
    "reading_as",
    "reply_due",
    "request_figures",
    "require_data",
    "same_contact",
    "sqlite_url",
    "stricter",
    "upgrade",
    "upgrade_apart",
    "usage_day",
    "working_days_between",
]
