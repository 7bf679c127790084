"""Core tables: person keys, projection positions, the audit trail.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_keys",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "audit_subjects",
        sa.Column("originator_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64)),
        sa.Column("provider_id", sa.String(64)),
        sa.Column("budget_id", sa.String(64)),
        sa.Column("agreement_id", sa.String(64)),
        sa.Column("card_id", sa.String(64)),
    )
    op.create_index("ix_audit_subjects_kind_ref", "audit_subjects", ["kind", "ref"])
    op.create_table(
        "audit_commands",
        sa.Column("command_id", sa.String(64), primary_key=True),
        sa.Column("command_type", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "audit_trail",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.String(32), nullable=False, index=True),
        sa.Column("effective", sa.Date),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), index=True),
        sa.Column("provider_id", sa.String(64), index=True),
        sa.Column("budget_id", sa.String(64), index=True),
        sa.Column("agreement_id", sa.String(64), index=True),
        sa.Column("card_id", sa.String(64), index=True),
        sa.Column("command_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_trail", "audit_commands", "audit_subjects"):
        op.drop_table(table)
    op.drop_table("projection_positions")
    op.drop_table("person_keys")
