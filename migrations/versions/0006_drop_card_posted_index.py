"""Drop the (card, posted date) index on card transactions.

The content index starts with the same two columns, so it serves every
query the smaller one did; keeping both cost every imported row a fifth
index entry.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_card_transactions_card_posted", "card_transactions")


def downgrade() -> None:
    op.create_index(
        "ix_card_transactions_card_posted", "card_transactions", ["card_id", "posted_on"]
    )
