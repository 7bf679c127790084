"""Weeks of hours as rows, so a provider statement need not replay every week.

`isf-ledger init` fills the table from the events when it upgrades a ledger:
a new projection starts at the beginning of the log.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement_weeks",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("originator_id", sa.String(32), nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("planned_hours", sa.String(16), nullable=False),
        sa.Column("delivered_hours", sa.String(16), nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_index(
        "ix_agreement_weeks_originator_week", "agreement_weeks", ["originator_id", "week_start"]
    )


def downgrade() -> None:
    op.drop_table("agreement_weeks")
