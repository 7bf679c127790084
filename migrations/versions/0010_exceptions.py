"""The exceptions read model: every exception the reports raised, and whether it is gone.

Filled by `Ledger.exceptions` (and after a rebuild), not from the
notification log: see `isf_ledger/reports/exceptions.py`.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exceptions",
        sa.Column("exception_id", sa.String(24), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("raised_on", sa.Date, nullable=False),
        sa.Column("amount", sa.BigInteger),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("gone_at", sa.String(32)),
        sa.Column("gone_why", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("exceptions")
