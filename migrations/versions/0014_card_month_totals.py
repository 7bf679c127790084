"""Each import's card rows summed by card and posted month (`card_month_totals`).

The reconciliation reads each card's opening and month totals from these sums
instead of every stored row (see `isf_ledger/adapters/card_store/month_totals.py`);
imports add their own from now on, and the rows already stored are summed here.

Revision ID: 0014
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from isf_ledger.adapters.card_store.month_totals import add_month_totals

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_month_totals",
        sa.Column("import_id", sa.Integer, sa.ForeignKey("card_imports.id"), primary_key=True),
        sa.Column("card_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("pence", sa.BigInteger, nullable=False),
        sa.Column("loads", sa.BigInteger, nullable=False),
        sa.Column("purchases", sa.BigInteger, nullable=False),
        sa.Column("refunds", sa.BigInteger, nullable=False),
        sa.Column("atm", sa.BigInteger, nullable=False),
        sa.Column("fees", sa.BigInteger, nullable=False),
        sa.Column("reversals", sa.BigInteger, nullable=False),
        sa.Column("last_posted", sa.Date, nullable=False),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("last_balance", sa.BigInteger),
    )
    add_month_totals(op.get_bind())


def downgrade() -> None:
    op.drop_table("card_month_totals")
