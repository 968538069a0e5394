"""Tokens with scopes, the append-only audit log, the record of imported legacy files.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Updates and deletes of audit rows are refused by the database itself, whoever connects.
SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER audit_no_{verb} BEFORE {verb.upper()} ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    for verb in ("update", "delete")
]
POSTGRESQL_APPEND_ONLY = [
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
    " FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created", sa.String(27), nullable=False),
        sa.Column("expires", sa.String(20)),
        sa.Column("last_used", sa.String(20)),
        sa.Column("revoked", sa.String(20)),
        sa.Column("imported", sa.Boolean, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("seq", SEQUENCE, primary_key=True, autoincrement=True),
        sa.Column("time", sa.String(27), nullable=False),
        sa.Column("token", sa.String(300), nullable=False),
        sa.Column("action", sa.String(300), nullable=False),
        sa.Column("dataset", sa.String(300), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("client", sa.String(300), nullable=False),
    )
    op.create_index("ix_audit_time", "audit", ["time"])
    op.create_table(
        "imports",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("time", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_APPEND_ONLY if dialect == "postgresql" else SQLITE_APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("imports")
    op.drop_table("audit")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_append_only()")
    op.drop_table("tokens")
