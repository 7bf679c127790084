"""What an import added, as a digest anyone can recompute from the stored rows.

The digest is SHA-256 over the rows an import added, in the order they were
stored (their `id`), each row written as every stored value but the surrogate
keys (as Python's `str` gives them, `None` for a missing value; dates ISO),
joined by the unit separator, one line a row. It is taken inside the
import's transaction and kept in `card_imports` and in the import's event;
`import_problems` takes it again, so a row changed, removed or slipped in
since is found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from isf_ledger.adapters.card_store.tables import card_imports

DIGEST_COLUMNS = (
    "identity",
    "source",
    "card_id",
    "posted_on",
    "transaction_on",
    "type",
    "pence",
    "balance_pence",
    "occurrence",
    "description",
    "merchant",
    "mcc",
    "line",
)


@dataclass(frozen=True)
class RowsDigest:
    digest: str
    rows: int
    first_posted: date | None
    last_posted: date | None


def rows_digest(conn: Connection, import_id: int) -> RowsDigest:
    """The digest of the rows stored for one import, read back in one streaming pass."""
    sql = (
        f"SELECT {', '.join(DIGEST_COLUMNS)} FROM card_transactions "
        f"WHERE import_id = {int(import_id)} ORDER BY id"
    )
    driver: Any = conn.connection.driver_connection
    postgres = conn.dialect.name == "postgresql"
    # A named cursor streams from the server; sqlite3 cursors stream anyway.
    cur = driver.cursor(name=f"card_digest_{int(import_id)}") if postgres else driver.cursor()
    sha = hashlib.sha256()
    count = 0
    first: str | None = None
    last: str | None = None
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(5000):
            sha.update("".join(["\x1f".join(map(str, row)) + "\n" for row in rows]).encode())
            posted = [str(row[3]) for row in rows]
            first = min(first or posted[0], *posted)
            last = max(last or posted[0], *posted)
            count += len(rows)
    finally:
        cur.close()
    return RowsDigest(
        sha.hexdigest(),
        count,
        date.fromisoformat(first) if first else None,
        date.fromisoformat(last) if last else None,
    )


def import_problems(conn: Connection) -> list[str]:
    """Every import whose stored rows no longer match its digest or count, in words."""
    problems = []
    imports = conn.execute(
        select(
            card_imports.c.id,
            card_imports.c.file_name,
            card_imports.c.imported,
            card_imports.c.rows_digest,
        ).order_by(card_imports.c.id)
    ).all()
    for import_id, file_name, imported, digest in imports:
        found = rows_digest(conn, import_id)
        if found.rows != imported:
            problems.append(
                f"card import {import_id} ({file_name}) added {imported} transaction(s) "
                f"but {found.rows} are stored"
            )
        elif found.digest != digest:
            problems.append(
                f"card import {import_id} ({file_name}): its transactions were changed "
                "since they were imported (digest differs)"
            )
    return problems
