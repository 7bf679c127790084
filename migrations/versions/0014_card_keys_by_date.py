"""Card transactions keyed for appending: the content key led by the posted date,
and no foreign key or index on `import_id`.

Exports arrive in date order, so with the posted date first an import's rows
land at the end of the content index instead of all over it (card first);
the foreign key on `import_id` was checked row by row and its index took an
entry a row. An import's rows are now found by id: imports are serialised,
so they are the ids after the largest stored when it began. `import_id`
stays, for `--as-at`. Reads by card go through `card_month_totals` (now
indexed by card and month) or name the posted days.

On PostgreSQL the BRIN index by posted date (0013) goes: the content key now
finds a month's rows, in order, and the BRIN's block ranges written since
it was made stayed unsummarised (without a VACUUM), so it matched them all.

SQLite cannot drop a foreign key: the table is made again without it (`sqlite_copy`).

Revision ID: 0014
Revises: 0013
"""

import re

import sqlalchemy as sa
from alembic import op

from isf_ledger.adapters.sqlite_copy import copy_table

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NO_BALANCE = -9_000_000_000_000_000_000
CONTENT = "ix_card_transactions_content"
IMPORT = "ix_card_transactions_import_id"
BY_CARD = "ix_card_month_totals_card"
BRIN = "ix_card_transactions_posted_brin"
_FOREIGN_KEY = "FOREIGN KEY(import_id) REFERENCES card_imports (id)"
KEY = ["pence", sa.text(f"coalesce(balance_pence, {NO_BALANCE})"), "occurrence"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(BRIN, "card_transactions")
    op.drop_index(CONTENT, "card_transactions")
    op.drop_index(IMPORT, "card_transactions")
    _copy_or_alter(foreign_key=False)
    op.create_index(CONTENT, "card_transactions", ["posted_on", "card_id", *KEY], unique=True)
    op.create_index(BY_CARD, "card_month_totals", ["card_id", "month"])


def downgrade() -> None:
    op.drop_index(BY_CARD, "card_month_totals")
    op.drop_index(CONTENT, "card_transactions")
    _copy_or_alter(foreign_key=True)
    op.create_index(CONTENT, "card_transactions", ["card_id", "posted_on", *KEY], unique=True)
    op.create_index(IMPORT, "card_transactions", ["import_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(BRIN, "card_transactions", ["posted_on"], postgresql_using="brin")


def _copy_or_alter(*, foreign_key: bool) -> None:
    """Drop (or put back) the foreign key on `import_id`: in place on PostgreSQL, by
    copying the table on SQLite."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        if foreign_key:
            op.create_foreign_key(
                "card_transactions_import_id_fkey",
                "card_transactions",
                "card_imports",
                ["import_id"],
                ["id"],
            )
        else:
            for key in sa.inspect(bind).get_foreign_keys("card_transactions"):
                op.drop_constraint(key["name"], "card_transactions", type_="foreignkey")
        return
    if foreign_key:
        copy_table(
            "card_transactions",
            lambda sql: re.subn(r"PRIMARY KEY \(id\),", rf"\g<0> {_FOREIGN_KEY},", sql),
        )
    else:
        copy_table(
            "card_transactions", lambda sql: re.subn(rf"\s*{re.escape(_FOREIGN_KEY)},", "", sql)
        )
