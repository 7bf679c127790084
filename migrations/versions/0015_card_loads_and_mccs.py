"""A month's card rows the reconciliation needs, without a pass over the month: an
index of loads by posted date, one of cash by card, and each month sum's merchant
category codes.

The reconciliation matches a month's loads (and the window either side) against
payments, and flags rows of blocked categories and the cash of cards over the
limit. It read them in one pass over the window's rows, most of them purchases
it then threw away: on PostgreSQL about as long as its floor (an aggregate over
the same rows). Now the loads come from an index of loads alone (a few rows in
a hundred take an entry), the cash of the cards over the limit (known from the
sums) from an index of cash by card, and the rows of blocked categories only
for the cards whose month sums hold one (`card_month_totals.mccs`, filled here
from the stored rows), by card and day.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from isf_ledger.adapters.card_store.month_totals import add_month_mccs

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

LOADS_INDEX, CASH_INDEX = "ix_card_transactions_loads", "ix_card_transactions_cash"
LOADS, CASH = sa.text("type = 'LOAD'"), sa.text("type = 'ATM'")


def upgrade() -> None:
    op.add_column(
        "card_month_totals", sa.Column("mccs", sa.Text, nullable=False, server_default="")
    )
    add_month_mccs(op.get_bind())
    op.create_index(
        LOADS_INDEX, "card_transactions", ["posted_on"], postgresql_where=LOADS, sqlite_where=LOADS
    )
    op.create_index(
        CASH_INDEX,
        "card_transactions",
        ["card_id", "posted_on"],
        postgresql_where=CASH,
        sqlite_where=CASH,
    )


def downgrade() -> None:
    op.drop_index(CASH_INDEX, "card_transactions")
    op.drop_index(LOADS_INDEX, "card_transactions")
    op.drop_column("card_month_totals", "mccs")
