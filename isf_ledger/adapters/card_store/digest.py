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
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
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


def stored_digests(conn: Connection) -> tuple[dict[int, tuple[str, int]], int]:
    """(each import's digest and count of its stored rows, how many rows name no import),
    from one streaming pass over every row in stored order: `import_id` has no index,
    so a pass per import would read the whole table each time."""
    sql = f"SELECT import_id, {', '.join(DIGEST_COLUMNS)} FROM card_transactions ORDER BY id"
    driver: Any = conn.connection.driver_connection
    postgres = conn.dialect.name == "postgresql"
    # A named cursor streams from the server; sqlite3 cursors stream anyway.
    cur = driver.cursor(name="card_digests") if postgres else driver.cursor()
    shas: dict[int, Any] = defaultdict(hashlib.sha256)
    counts: dict[int, int] = defaultdict(int)
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(5000):
            # An import's rows are a run of ids: one update a run.
            for import_id, run in groupby(rows, key=itemgetter(0)):
                lines = ["\x1f".join(map(str, row[1:])) + "\n" for row in run]
                shas[import_id].update("".join(lines).encode())
                counts[import_id] += len(lines)
    finally:
        cur.close()
    import_ids = set(conn.scalars(select(card_imports.c.id)))
    orphans = sum(n for import_id, n in counts.items() if import_id not in import_ids)
    return {i: (shas[i].hexdigest(), n) for i, n in counts.items() if i in import_ids}, orphans


def import_problems(conn: Connection) -> list[str]:
    """Every import whose stored rows no longer match its digest or count, in words."""
    problems = []
    digests, orphans = stored_digests(conn)
    if orphans:
        problems.append(f"{orphans} card transaction(s) belong to no card import")
    imports = conn.execute(
        select(
            card_imports.c.id,
            card_imports.c.file_name,
            card_imports.c.imported,
            card_imports.c.rows_digest,
        ).order_by(card_imports.c.id)
    ).all()
    for import_id, file_name, imported, digest in imports:
        found, rows = digests.get(import_id, ("", 0))
        if rows != imported:
            problems.append(
                f"card import {import_id} ({file_name}) added {imported} transaction(s) "
                f"but {rows} are stored"
            )
        elif found != digest:
            problems.append(
                f"card import {import_id} ({file_name}): its transactions were changed "
                "since they were imported (digest differs)"
            )
    return problems
