"""Card rows' identity key in two parts: provider ids alone, content digests by day.

A row without a provider id is known by a SHA-256 digest of its content (its
posted day among it) and occurrence. Digests are random, so in one unique key
of identities each took its entry anywhere in it: storing a million id-less
rows again, ready-made, took 1.6-2 times as long as with a key led by the
posted day, where they land at its end as exports arrive in date order. A
digest is of its day, so `(posted_on, identity)` is as strict for them.
Provider ids (rows with a `source`) keep a unique key of their own: the same
id is the same transaction whatever day it is posted on.

`identity` was a column constraint: SQLite cannot drop one, so there the table
is made again without it (`sqlite_copy`), as in 0014.

Revision ID: 0018
Revises: 0017
"""

import re

import sqlalchemy as sa
from alembic import op

from isf_ledger.adapters.sqlite_copy import copy_table

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

PROVIDER_KEY, DIGEST_KEY = "ix_card_transactions_identity", "ix_card_transactions_digest"
PROVIDER, CONTENT = sa.text("source IS NOT NULL"), sa.text("source IS NULL")
_UNIQUE = "UNIQUE (identity)"


def upgrade() -> None:
    _unique_identity(False)
    op.create_index(
        PROVIDER_KEY,
        "card_transactions",
        ["identity"],
        unique=True,
        postgresql_where=PROVIDER,
        sqlite_where=PROVIDER,
    )
    op.create_index(
        DIGEST_KEY,
        "card_transactions",
        ["posted_on", "identity"],
        unique=True,
        postgresql_where=CONTENT,
        sqlite_where=CONTENT,
    )


def downgrade() -> None:
    op.drop_index(DIGEST_KEY, "card_transactions")
    op.drop_index(PROVIDER_KEY, "card_transactions")
    _unique_identity(True)


def _unique_identity(unique: bool) -> None:
    """Make `identity` unique by itself, or no longer: in place on PostgreSQL, by copying
    the table on SQLite."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        name = "card_transactions_identity_key"
        if unique:
            op.create_unique_constraint(name, "card_transactions", ["identity"])
        else:
            op.drop_constraint(name, "card_transactions", type_="unique")
        return
    if unique:
        copy_table(
            "card_transactions",
            lambda sql: re.subn(r"PRIMARY KEY \(id\)", rf"\g<0>, {_UNIQUE}", sql),
        )
    else:
        copy_table("card_transactions", lambda sql: re.subn(rf",\s*{re.escape(_UNIQUE)}", "", sql))
