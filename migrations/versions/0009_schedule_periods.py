"""Schedule periods as rows, so `payments due` finds a window's periods at once.

`isf-ledger init` fills the table from the events when it upgrades a ledger:
a new projection starts at the beginning of the log.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_periods",
        sa.Column("originator_id", sa.String(32), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("schedule_id", sa.String(64), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_schedule_periods_start", "schedule_periods", ["start"])


def downgrade() -> None:
    op.drop_table("schedule_periods")
