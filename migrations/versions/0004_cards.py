"""Cards: the registry of issued cards, card imports and card transactions.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NO_BALANCE = "-9000000000000000000"  # see isf_ledger.adapters.card_store.tables


def upgrade() -> None:
    op.create_table(
        "card_registry",
        sa.Column("card_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("budget_id", sa.String(64), nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("issued_on", sa.Date),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_card_registry_last4", "card_registry", ["last4"])
    op.create_table(
        "card_imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("card_import_id", sa.String(32), unique=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("profile", sa.String(64), nullable=False),
        sa.Column("imported", sa.BigInteger, nullable=False),
        sa.Column("duplicates", sa.BigInteger, nullable=False),
        sa.Column("rejected", sa.BigInteger, nullable=False),
        sa.Column("skipped_pending", sa.BigInteger, nullable=False),
        sa.Column("rows_digest", sa.String(64), nullable=False),
        sa.Column("first_posted", sa.Date),
        sa.Column("last_posted", sa.Date),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("event_recorded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_card_imports_file_sha256", "card_imports", ["file_sha256"])
    op.create_table(
        "card_transactions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("card_imports.id"), nullable=False),
        sa.Column("identity", sa.String(255), nullable=False, unique=True),
        sa.Column("source", sa.String(32)),
        sa.Column("card_id", sa.String(64), nullable=False),
        sa.Column("posted_on", sa.Date, nullable=False),
        sa.Column("transaction_on", sa.Date),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("pence", sa.BigInteger, nullable=False),
        sa.Column("balance_pence", sa.BigInteger),
        sa.Column("occurrence", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("merchant", sa.Text, nullable=False),
        sa.Column("mcc", sa.String(4), nullable=False),
        sa.Column("line", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_card_transactions_import_id", "card_transactions", ["import_id"])
    op.create_index(
        "ix_card_transactions_card_posted", "card_transactions", ["card_id", "posted_on"]
    )
    # The cross-source key: the same transaction from another provider's format.
    op.create_index(
        "ix_card_transactions_content",
        "card_transactions",
        [
            "card_id",
            "posted_on",
            "pence",
            sa.text(f"coalesce(balance_pence, {NO_BALANCE})"),
            "occurrence",
        ],
    )


def downgrade() -> None:
    op.drop_table("card_transactions")
    op.drop_table("card_imports")
    op.drop_table("card_registry")
