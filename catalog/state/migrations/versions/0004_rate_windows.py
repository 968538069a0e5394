"""Rate limits shared by the replicas: counts per rate class, client and short window.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("kind", sa.String(12), primary_key=True),
        sa.Column("client", sa.String(64), primary_key=True),
        sa.Column("window", sa.BigInteger, primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_rate_windows_window", "rate_windows", ["window"])


def downgrade() -> None:
    op.drop_index("ix_rate_windows_window", "rate_windows")
    op.drop_table("rate_windows")
