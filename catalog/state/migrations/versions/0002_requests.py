"""Data requests (依申请) and the review page's sessions.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("receipt_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("organization", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("period_start", sa.String(7), nullable=False),
        sa.Column("period_end", sa.String(7), nullable=False),
        sa.Column("agreed", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(9), nullable=False),
        sa.Column("received_at", sa.String(27), nullable=False),
        sa.Column("due_at", sa.String(20), nullable=False),
        sa.Column("decided_at", sa.String(27)),
        sa.Column("reviewer", sa.String(300)),
        sa.Column("denial_ground", sa.String(40)),
        sa.Column("denial_note", sa.Text),
        sa.Column("token_id", sa.String(12)),
        sa.Column("token_expires", sa.String(20)),
        sa.Column("pending_token", sa.Text),
        sa.Column("client_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_requests_received_at", "requests", ["received_at"])
    op.create_table(
        "review_sessions",
        sa.Column("id_sha256", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(12), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("expires", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_sessions")
    op.drop_index("ix_requests_received_at", "requests")
    op.drop_table("requests")
