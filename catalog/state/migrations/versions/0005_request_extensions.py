"""A data request's reply deadline extended once (延期答复): when, by how many working days,
and why (the applicant is told on the receipt page).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as table:
        table.add_column(sa.Column("extended_at", sa.String(27)))
        table.add_column(sa.Column("extended_days", sa.Integer))
        table.add_column(sa.Column("extension_note", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("requests") as table:
        table.drop_column("extension_note")
        table.drop_column("extended_days")
        table.drop_column("extended_at")
