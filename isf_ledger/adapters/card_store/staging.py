"""Streaming card rows into the database inside one transaction, fast.

Rows are first staged, chunk by chunk, in a temporary table (SQLite
`executemany`, PostgreSQL `COPY`), so the process holds one chunk at a time
however big the file. `finish` then moves them into `card_transactions` in
one set-based statement that numbers repeated content (its `occurrence`)
with a window function, so the counting needs no memory in Python either,
and skips every row already stored: by identity (`INSERT OR IGNORE` /
`ON CONFLICT DO NOTHING` on its unique key), or by the cross-source key,
unless both rows carry ids from the same source (then the ids decide). Its
row count is exactly the rows added. Imports are serialised (see
`importer`), so nothing is stored between that check and the insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.card_store.tables import NO_BALANCE

WORK_MEM = "256MB"  # PostgreSQL, for the import's transaction only

# (seq, identity, source, card_id, posted_on, transaction_on, type, pence,
#  balance_pence, description, merchant, mcc, line); dates as ISO text.
StagedRow = tuple[Any, ...]

COLUMNS = (
    "seq",
    "identity",
    "source",
    "card_id",
    "posted_on",
    "transaction_on",
    "type",
    "pence",
    "balance_pence",
    "description",
    "merchant",
    "mcc",
    "line",
)

_STAGING_SQL = {
    "sqlite": """CREATE TEMP TABLE card_staging (
        seq INTEGER PRIMARY KEY, identity TEXT NOT NULL, source TEXT, card_id TEXT NOT NULL,
        posted_on TEXT NOT NULL, transaction_on TEXT, type TEXT NOT NULL,
        pence INTEGER NOT NULL, balance_pence INTEGER, description TEXT NOT NULL,
        merchant TEXT NOT NULL, mcc TEXT NOT NULL, line INTEGER NOT NULL)""",
    "postgresql": """CREATE TEMP TABLE card_staging (
        seq bigint NOT NULL, identity text NOT NULL, source text, card_id text NOT NULL,
        posted_on date NOT NULL, transaction_on date, type text NOT NULL,
        pence bigint NOT NULL, balance_pence bigint, description text NOT NULL,
        merchant text NOT NULL, mcc text NOT NULL, line bigint NOT NULL) ON COMMIT DROP""",
}

# The same content: card, posted date, signed amount and running balance.
_SAME_KEY = f"""c.card_id = n.card_id AND c.posted_on = n.posted_on AND c.pence = n.pence
    AND coalesce(c.balance_pence, {NO_BALANCE}) = coalesce(n.balance_pence, {NO_BALANCE})"""

_INSERT = """INSERT INTO card_transactions (import_id, identity, source, card_id, posted_on,
    transaction_on, type, pence, balance_pence, occurrence, description, merchant, mcc, line)
SELECT {import_id}, n.identity, n.source, n.card_id, n.posted_on, n.transaction_on, n.type,
    n.pence, n.balance_pence, {occurrence}, n.description, n.merchant, n.mcc, n.line
"""

# Every staged row with its occurrence: which repeat of its content it is in the file.
_NUMBER = """CREATE TEMP TABLE card_numbered {on_commit} AS
SELECT s.*, row_number() OVER (
    PARTITION BY card_id, posted_on, pence, balance_pence ORDER BY seq) AS occurrence
FROM card_staging s"""

# New transactions whose key and occurrence are taken only by other ids of their
# own source: they repeat content, and are numbered after what is stored.
_RENUMBER = f"""CREATE TEMP TABLE card_renumber {{on_commit}} AS
SELECT n.seq FROM card_numbered n
WHERE n.source IS NOT NULL
  AND EXISTS (SELECT 1 FROM card_transactions c WHERE {_SAME_KEY}
      AND c.occurrence = n.occurrence AND c.source = n.source AND c.identity <> n.identity)
  AND NOT EXISTS (SELECT 1 FROM card_transactions c WHERE c.identity = n.identity)
  AND NOT EXISTS (SELECT 1 FROM card_transactions c WHERE {_SAME_KEY}
      AND c.occurrence = n.occurrence AND (c.source IS NULL OR c.source <> n.source))"""

# Rows whose identity and whose key and occurrence are both free.
_MOVE = (
    _INSERT.replace("{occurrence}", "n.occurrence")
    + f"""FROM card_numbered n
WHERE NOT EXISTS (SELECT 1 FROM card_transactions c WHERE {_SAME_KEY}
    AND c.occurrence = n.occurrence)
ORDER BY n.seq"""
)

_NEXT_OCCURRENCE = f"""coalesce((SELECT max(c.occurrence) FROM card_transactions c
        WHERE {_SAME_KEY}), 0)
    + row_number() OVER (
        PARTITION BY n.card_id, n.posted_on, n.pence, n.balance_pence ORDER BY n.seq)"""

_MOVE_RENUMBERED = (
    _INSERT.replace("{occurrence}", _NEXT_OCCURRENCE)
    + """FROM card_numbered n JOIN card_renumber r ON r.seq = n.seq
ORDER BY n.seq"""
)


class Stager:
    """Stages one file's rows and moves the new ones into `card_transactions`."""

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

    def finish(self, import_id: int) -> int:
        """Move the staged rows that are not stored yet; returns how many were added.

        A row is stored already if its identity is, or if a row with its
        cross-source key and occurrence is, unless that row's id comes from
        the same source: then it is another transaction with the same content
        (as an export cut part-way through a day shows) and takes the next
        occurrence number after those stored.
        """
        if not self.staged:
            return 0
        postgres = self.dialect == "postgresql"
        on_commit = "ON COMMIT DROP" if postgres else ""

        def insert(sql: str) -> str:
            sql = sql.replace("{import_id}", str(int(import_id)))
            if postgres:
                return sql + "\nON CONFLICT DO NOTHING"
            return sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)

        cur = self.driver.cursor()
        try:
            cur.execute(_NUMBER.format(on_commit=on_commit))
            cur.execute(_RENUMBER.format(on_commit=on_commit))
            cur.execute(insert(_MOVE))
            added = int(cur.rowcount)
            cur.execute("SELECT count(*) FROM card_renumber")
            if cur.fetchone()[0]:
                cur.execute(insert(_MOVE_RENUMBERED))
                added += int(cur.rowcount)
            if not postgres:
                for table in ("card_renumber", "card_numbered", "card_staging"):
                    cur.execute(f"DROP TABLE temp.{table}")
        finally:
            cur.close()
        return added
