"""What the exceptions read model was last brought up to: the read models' position
and the months examined, one row, which each refresh locks (see
`isf_ledger/reports/exception_refresh.py`).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exceptions_refreshed",
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("first", sa.String(7), nullable=False),
        sa.Column("through", sa.String(7), nullable=False),
        sa.Column("checked", sa.String(7), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exceptions_refreshed")
