"""A month's card rows the reconciliation needs, without a pass over the month: an
index of loads by posted date, and each month sum's merchant category codes.

The reconciliation matches a month's loads (and the window either side) against
payments, and flags rows of blocked categories and the cash of cards over the
limit. It read them in one pass over the window's rows, most of them purchases
it then threw away: on PostgreSQL about as long as its floor (an aggregate over
the same rows). Now the loads come from an index of loads alone (a few rows in
a hundred take an entry), and the rows of blocked categories only for the cards
whose month sums hold one (`card_month_totals.mccs`, filled here from the
stored rows), by card and day, as the cash of cards over the limit already was
known from the sums.

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

LOADS_INDEX = "ix_card_transactions_loads"
LOADS = sa.text("type = 'LOAD'")


def upgrade() -> None:
    op.add_column(
        "card_month_totals", sa.Column("mccs", sa.Text, nullable=False, server_default="")
    )
    add_month_mccs(op.get_bind())
    op.create_index(
        LOADS_INDEX, "card_transactions", ["posted_on"], postgresql_where=LOADS, sqlite_where=LOADS
    )


def downgrade() -> None:
    op.drop_index(LOADS_INDEX, "card_transactions")
    op.drop_column("card_month_totals", "mccs")
