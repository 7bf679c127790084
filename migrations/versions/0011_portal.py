"""The portal's accounts, sessions, one-time links and access log.

Not events and not read models: who may log in, and who looked at what, are
the portal's own records (a rebuild never touches them). No name is kept: a
person's account holds only their person id, so their name stays sealed in
the ledger's events.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64)),
        sa.Column("password_hash", sa.Text),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.String(32)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("disabled_at", sa.String(32)),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("session_id", sa.String(128), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False, index=True),
    )
    op.create_table(
        "portal_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("used_at", sa.String(32)),
    )
    op.create_table(
        "portal_access_log",
        sa.Column("entry", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("username", sa.String(64)),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("portal_access_log", "portal_links", "portal_sessions", "portal_users"):
        op.drop_table(table)
