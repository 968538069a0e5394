"""The platform's use, counted per day (China time), dataset, kind and channel.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_daily",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("dataset", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(12), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("usage_daily")
