"""Rows set aside by an import, to take the next occurrence of their content.

A new transaction whose content (card, date, amount, balance) and occurrence
are already stored under another id of its own source is another
transaction with the same content (as an export cut part-way through a day
shows). `direct` stages such rows here, in a temporary table (SQLite
`executemany`, PostgreSQL `COPY`), and at the end of the file they are added
in one statement, each numbered after the occurrences stored for its
content, in file order. Imports are serialised (see `application.card_import`), so nothing
is stored between that count and the insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.card_store.digest import DIGEST_COLUMNS
from isf_ledger.adapters.card_store.tables import NO_BALANCE

WORK_MEM = "256MB"  # PostgreSQL, for the import's transaction only

# A row as stored: (import_id, identity, source, card_id, posted_on, transaction_on,
# type, pence, balance_pence, occurrence, description, merchant, mcc, line); dates as
# ISO text. Lines are unique within a file and give its order.
StagedRow = tuple[Any, ...]

COLUMNS = ("import_id", *DIGEST_COLUMNS)  # the digest reads them in this order

_STAGING_SQL = {
    "sqlite": """CREATE TEMP TABLE card_staging (
        import_id INTEGER NOT NULL, identity TEXT NOT NULL, source TEXT, card_id TEXT NOT NULL,
        posted_on TEXT NOT NULL, transaction_on TEXT, type TEXT NOT NULL,
        pence INTEGER NOT NULL, balance_pence INTEGER, occurrence INTEGER NOT NULL,
        description TEXT NOT NULL, merchant TEXT NOT NULL, mcc TEXT NOT NULL,
        line INTEGER PRIMARY KEY)""",
    "postgresql": """CREATE TEMP TABLE card_staging (
        import_id bigint NOT NULL, identity text NOT NULL, source text, card_id text NOT NULL,
        posted_on date NOT NULL, transaction_on date, type text NOT NULL,
        pence bigint NOT NULL, balance_pence bigint, occurrence bigint NOT NULL,
        description text NOT NULL, merchant text NOT NULL, mcc text NOT NULL,
        line bigint NOT NULL) ON COMMIT DROP""",
}

# The same content: card, posted date, signed amount and running balance.
_SAME_KEY = f"""c.card_id = n.card_id AND c.posted_on = n.posted_on AND c.pence = n.pence
    AND coalesce(c.balance_pence, {NO_BALANCE}) = coalesce(n.balance_pence, {NO_BALANCE})"""

_MOVE_RENUMBERED = f"""INSERT INTO card_transactions (import_id, identity, source, card_id,
    posted_on, transaction_on, type, pence, balance_pence, occurrence, description, merchant,
    mcc, line)
SELECT n.import_id, n.identity, n.source, n.card_id, n.posted_on, n.transaction_on, n.type,
    n.pence, n.balance_pence,
    coalesce((SELECT max(c.occurrence) FROM card_transactions c WHERE {_SAME_KEY}), 0)
    + row_number() OVER (
        PARTITION BY n.card_id, n.posted_on, n.pence, n.balance_pence ORDER BY n.line),
    n.description, n.merchant, n.mcc, n.line
FROM card_staging n
ORDER BY n.line"""


class Stager:
    """Stages rows set aside and adds them, renumbered, to `card_transactions`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.driver: Any = conn.connection.driver_connection
        self.staged = 0
        if self.dialect == "sqlite":
            conn.exec_driver_sql("DROP TABLE IF EXISTS temp.card_staging")
        else:
            # The move sorts and hashes a whole file's rows: in memory, not spilled to disk.
            conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")
        conn.exec_driver_sql(_STAGING_SQL[self.dialect])

    def add(self, rows: Sequence[StagedRow]) -> None:
        insert_rows(self.conn, "card_staging", COLUMNS, rows)
        self.staged += len(rows)

    def move_renumbered(self) -> int:
        """Add the staged rows, each after the occurrences stored; returns how many were added.

        A staged row whose identity was stored meanwhile (the same id twice
        in one file) is skipped.
        """
        sql = _MOVE_RENUMBERED
        if self.dialect == "postgresql":
            sql += "\nON CONFLICT DO NOTHING"
        else:
            sql = sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
        cur = self.driver.cursor()
        try:
            cur.execute(sql)
            added = int(cur.rowcount)
            if self.dialect == "sqlite":
                cur.execute("DROP TABLE temp.card_staging")
        finally:
            cur.close()
        return added
