"""The general ledger of double-entry legs.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_legs",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("leg", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("pence", sa.BigInteger, nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("command_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_ledger_legs_account_effective", "ledger_legs", ["account", "effective"])


def downgrade() -> None:
    op.drop_table("ledger_legs")
