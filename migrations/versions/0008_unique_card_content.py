"""The cross-source key of card transactions becomes unique.

Every import already stored each (card, posted date, amount, balance,
occurrence) once: a row whose key and occurrence were taken was either a
duplicate or renumbered after the stored ones. Saying so in the index lets
an import insert straight into `card_transactions` and have the database
skip stored content and stored identities in one probe each (`INSERT OR
IGNORE` / `ON CONFLICT DO NOTHING`), where it used to stage every row and
look for each one with a query of its own.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NO_BALANCE = -9_000_000_000_000_000_000
NAME = "ix_card_transactions_content"
COLUMNS = [
    "card_id",
    "posted_on",
    "pence",
    sa.text(f"coalesce(balance_pence, {NO_BALANCE})"),
    "occurrence",
]


def upgrade() -> None:
    op.drop_index(NAME, "card_transactions")
    op.create_index(NAME, "card_transactions", COLUMNS, unique=True)


def downgrade() -> None:
    op.drop_index(NAME, "card_transactions")
    op.create_index(NAME, "card_transactions", COLUMNS)
