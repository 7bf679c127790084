"""Indexes for finding a person's budgets and a budget's or provider's agreements and cards.

Without them every statement scanned all subjects of a kind, so a person
statement grew slower with every other person in the ledger.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("person_id", "provider_id", "budget_id")


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(
            f"ix_audit_subjects_kind_{column}", "audit_subjects", ["kind", column, "ref"]
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_audit_subjects_kind_{column}", "audit_subjects")
