"""Each import's card rows summed by card and posted month (`card_month_totals`),
and on PostgreSQL a BRIN index of card rows by posted date.

The reconciliation reads each card's opening and month totals from these sums
instead of every stored row (see `isf_ledger/adapters/card_store/month_totals.py`);
imports add their own from now on, and the rows already stored are summed here.
Its passes over one month's rows then find them through the BRIN index: rows
arrive in file order, which is date order, so a month is a few block ranges;
the index is a few kilobytes and costs an import next to nothing. SQLite has
no such index (a B-tree would cost every imported row an entry) and reads the
whole table quickly enough.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from isf_ledger.adapters.card_store.month_totals import add_month_totals

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BRIN = "ix_card_transactions_posted_brin"
SUMS = ("row_count", "pence", "loads", "purchases", "refunds", "atm", "fees", "reversals")


def upgrade() -> None:
    op.create_table(
        "card_month_totals",
        sa.Column("import_id", sa.Integer, sa.ForeignKey("card_imports.id"), primary_key=True),
        sa.Column("card_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        *(sa.Column(name, sa.BigInteger, nullable=False) for name in SUMS),
        sa.Column("last_posted", sa.Date, nullable=False),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("last_balance", sa.BigInteger),
    )
    add_month_totals(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(BRIN, "card_transactions", ["posted_on"], postgresql_using="brin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(BRIN, "card_transactions")
    op.drop_table("card_month_totals")
