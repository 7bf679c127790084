"""The index of loads holds what the reconciliation reads of them, on PostgreSQL.

The reconciliation reads a month's loads and the load-matching window's either
side (a few rows in a hundred) by the index of loads (migration 0015). On
PostgreSQL each entry then sent it to the row's page for its card, amount and
description: at 6M rows, 137k loads on 51k pages, a third of the window's, in
0.4-0.6 s. With those columns in the entry (and the import, for `--as-at`) the
read is the index alone once a VACUUM has marked the pages visible, as an
import does (`adapters/statistics`): 0.05 s. The index grows from 2.5 to 23 MB
at 6M rows.

SQLite reads the loads from its index and the rows beside in a fraction of its
floor already: nothing to do there.

Revision ID: 0017
Revises: 0016
"""

from alembic import op
from sqlalchemy import text

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LOADS_INDEX = "ix_card_transactions_loads"
COVERED = ["card_id", "pence", "id", "description", "import_id"]


def upgrade() -> None:
    _loads_index(COVERED)


def downgrade() -> None:
    _loads_index([])


def _loads_index(covered: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(LOADS_INDEX, "card_transactions")
    op.create_index(
        LOADS_INDEX,
        "card_transactions",
        ["posted_on"],
        postgresql_where=text("type = 'LOAD'"),
        postgresql_include=covered,
    )
